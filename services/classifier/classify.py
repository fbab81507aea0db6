"""One entry point for services: built-in event tags plus the configured watch topics."""

from typing import TYPE_CHECKING

from services.classifier.rules.classify import classify_text
from services.classifier.watch import WatchMatcher
from shared.schemas import Tag

if TYPE_CHECKING:  # scikit-learn loads only when the model is on (about a second of import)
    from services.classifier.learned.scorer import TagModel


def classify_article(title: str, summary: str, watcher: WatchMatcher | None = None,
                     models: "dict[str, TagModel] | None" = None) -> list[Tag]:
    """Event tags first, then watch tags; tags that do not alert are included (alert=False).
    With ``models`` the learned model decides which event tags alert (the hybrid)."""
    tags = classify_text(title or "", summary or "")
    if models is not None:
        from services.classifier.learned.hybrid import decide

        tags = decide(title or "", summary or "", tags, models)
    if watcher is not None:
        tags += watcher.match(title or "", summary or "")
    return tags
