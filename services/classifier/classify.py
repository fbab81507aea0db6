"""One entry point for services: built-in event tags plus the configured watch topics."""

from services.classifier.rules.classify import classify_text
from services.classifier.watch import WatchMatcher
from shared.schemas import Tag


def classify_article(title: str, summary: str, watcher: WatchMatcher | None = None) -> list[Tag]:
    """Event tags first, then watch tags; tags that do not alert are included (alert=False)."""
    tags = classify_text(title or "", summary or "")
    if watcher is not None:
        tags += watcher.match(title or "", summary or "")
    return tags
