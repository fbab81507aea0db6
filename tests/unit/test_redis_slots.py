"""Redis Cluster: every key a script or MULTI uses together hashes to one slot."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from faststream.redis import RedisClusterBroker
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.crc import key_slot

from services.classifier.clustering.redis_store import PREFIX, RedisStore
from services.notifier.delivery import DeliveryStore
from services.notifier.dispatch import Dispatcher
from services.poller.state import PollerStore
from shared import streams
from shared.broker import is_cluster, make_broker, make_redis
from shared.config import AppConfig, Digest, RedisSettings, Subscription


class Recorder:
    """Stands in for redis-py: records the keys of each script call and each transaction."""

    def __init__(self, replies: dict[str, Any] | None = None) -> None:
        self.together: list[list[str]] = []  # keys one script or one MULTI touched
        self.replies = replies or {}
        self._queued: list[str] | None = None

    def register_script(self, script: str) -> Callable[..., Awaitable[Any]]:
        async def run(keys: list[str], args: list[Any], client: Any = None) -> Any:
            self.together.append(list(keys))
            return self.replies.get("script", 1)
        return run

    def pipeline(self, transaction: bool = True) -> "Recorder":
        self._queued = []
        return self

    async def __aenter__(self) -> "Recorder":
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._queued = None

    async def execute(self) -> list[Any]:
        assert self._queued is not None
        self.together.append(self._queued)
        return []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def command(key: str | bytes, *args: Any, **kwargs: Any) -> Any:
            if self._queued is not None:  # inside a pipeline: queue, do not await
                self._queued.append(key.decode() if isinstance(key, bytes) else key)
                return self
            return _reply(self.replies.get(name))
        return command


async def _reply(value: Any) -> Any:
    return value


def _slots(keys: list[str]) -> set[int]:
    return {key_slot(k.encode()) for k in keys}


async def test_poller_seen_mark_shares_the_articles_stream_slot() -> None:
    """The seen-mark + XADD script touches only keys in the slot of newsalert:articles."""
    fake = Recorder()
    await PollerStore(cast(Redis, fake), 60).publish_new("item-1", "{}", "hash")
    assert fake.together == [[streams.key("seen", "item-1"), streams.ARTICLES]]
    assert _slots(fake.together[0]) == {key_slot(streams.ARTICLES.encode())}


async def test_notifier_digest_transaction_and_retry_claim_share_one_slot() -> None:
    """Moving a digest to the retry schedule (MULTI) and claiming retries use one slot."""
    fake = Recorder({"zrange": [b'{"id": "e1"}'], "get": None, "script": []})
    sub = Subscription(name="daily", urls=["json://127.0.0.1:9/hook"], mode="digest",
                       digest=Digest(every=3600))
    store = DeliveryStore(cast(Redis, fake))
    clock = lambda: datetime(2024, 1, 1, tzinfo=UTC)  # noqa: E731
    await Dispatcher(AppConfig(subscriptions=[sub]), store, clock=clock).flush_digests()
    await store.claim_due()
    assert [streams.key("retry"), streams.key("digest", "daily")] in fake.together
    assert [streams.key("retry")] in fake.together
    assert len(_slots([k for keys in fake.together for k in keys])) == 1


async def test_story_cluster_scripts_keep_every_key_under_one_tag() -> None:
    """The story-cluster scripts get keys and a key prefix that all hash to one slot."""
    fake = Recorder({"script": []})
    await RedisStore(cast(Redis, fake)).candidates(["strike:port", "place:kessler"], 0.0)
    keys = fake.together[0]
    # The scripts also build keys from the prefix (PREFIX .. 'c:' .. id, 'a:' .. article).
    built = [f"{PREFIX}c:1f2e", f"{PREFIX}c:1f2e:members", f"{PREFIX}a:article-9"]
    assert all(k.startswith(PREFIX) for k in keys)
    assert _slots(keys + built) == {key_slot(streams.STORY_SLOT.encode())}


def test_key_names_are_unchanged_on_a_single_redis_except_the_tag() -> None:
    """Streams keep their names; tagged kinds differ only by the {tag} prefix."""
    assert streams.ARTICLES == "newsalert:articles" and streams.EVENTS == "newsalert:events"
    assert streams.key("feed", "f1") == "newsalert:feed:f1"
    assert streams.key("seen", "a1") == "{newsalert:articles}:seen:a1"
    assert streams.key("retry") == "{newsalert:notifier}:retry"
    assert streams.key("x", slot="s") == "{s}:x"


def test_cluster_setting_picks_cluster_clients_and_needs_a_url() -> None:
    """redis.cluster builds RedisClusterBroker/RedisCluster; without a TCP url it is an error."""
    assert isinstance(make_broker("redis://127.0.0.1:7001", cluster=True), RedisClusterBroker)
    assert not isinstance(make_broker("redis://127.0.0.1:7001"), RedisClusterBroker)
    assert is_cluster(make_redis("redis://127.0.0.1:7001", cluster=True))
    assert not is_cluster(make_redis("redis://127.0.0.1:7001"))
    assert RedisSettings(url="redis://10.0.0.1:7001", cluster=True).cluster
    for url in (None, "unix:///run/redis.sock"):
        with pytest.raises(ValidationError, match=r"redis\.cluster"):
            RedisSettings(url=url, cluster=True)
