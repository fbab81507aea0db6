"""Config edits reach running services within 5 s; invalid edits keep the previous config."""

from pathlib import Path

from services.classifier.app import ClassifierService
from services.notifier.app import NotifierService
from shared.loading import load_config
from shared.reload import ConfigWatcher
from shared.schemas import Article
from tests.support import eventually

BASE = """
watch:
  - {name: topic-a, any: ["Fly Baghdad"]}
subscriptions:
  - {name: desk, urls: ["json://127.0.0.1:9/hook"], tags: [military_strike, topic-a]}
"""
ARTICLE = Article(id="x", feed="wire", title="Fly Baghdad adds routes to Erbil and Basra")


def _tags(service: ClassifierService) -> list[str]:
    event = service.classify(ARTICLE)
    return [] if event is None else [t.name for t in event.tags]


async def test_watch_list_edit_applies_and_bad_edit_is_rejected(tmp_path: Path,
                                                                redis_url: str) -> None:
    """A new watch topic applies within 5 s; a broken regex is rejected and the old list stays."""
    path = tmp_path / "config.yaml"
    path.write_text(BASE)
    service = ClassifierService(load_config(path), redis_url)
    watcher = ConfigWatcher(path, service.reload, interval=0.2)
    watcher.start()
    try:
        assert _tags(service) == ["topic-a"]
        path.write_text(BASE.replace("topic-a", "topic-b"))
        await eventually(lambda: _tags(service) == ["topic-b"], within=5,
                         what="the new watch topic applied")
        path.write_text(BASE.replace("topic-a", "topic-c").replace(
            'any: ["Fly Baghdad"]', "regex: ['(unclosed']"))
        await eventually(lambda: watcher.errors >= 1, within=5, what="the broken edit rejected")
        assert _tags(service) == ["topic-b"], "an invalid edit keeps the previous watch list"
    finally:
        await watcher.stop()
        await service.stop()


async def test_subscription_edit_applies_and_bad_url_is_rejected(tmp_path: Path,
                                                                 redis_url: str) -> None:
    """Edited subscriptions apply within 5 s; an unknown URL scheme keeps the previous ones."""
    path = tmp_path / "config.yaml"
    path.write_text(BASE)
    service = NotifierService(load_config(path), redis_url)
    watcher = ConfigWatcher(path, service.reload, interval=0.2)
    watcher.start()
    try:
        path.write_text(BASE.replace("name: desk", "name: desk-two"))
        await eventually(lambda: service.config.subscriptions[0].name == "desk-two", within=5,
                         what="the renamed subscription applied")
        path.write_text(BASE.replace("json://127.0.0.1:9/hook", "nosuchscheme://x"))
        await eventually(lambda: watcher.errors >= 1, within=5, what="the bad URL rejected")
        assert service.config.subscriptions[0].name == "desk-two"
        assert service.config.subscriptions[0].urls == ["json://127.0.0.1:9/hook"]
    finally:
        await watcher.stop()
        await service.stop()
