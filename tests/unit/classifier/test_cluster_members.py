"""Store bookkeeping: latest 8 member profiles per cluster, bounded candidate walk."""

from services.classifier.clustering.memory_store import MemoryStore
from tests.cluster_scenarios import keeps_latest_eight, many_clusters_in_one_bucket


async def test_memory_store_keeps_latest_eight_members() -> None:
    """In memory, a cluster of 11 reports scores only its 8 latest."""
    await keeps_latest_eight(MemoryStore())


async def test_memory_store_busy_bucket_still_creates() -> None:
    """A bucket holding more clusters than are read never blocks creating a new one."""
    await many_clusters_in_one_bucket(MemoryStore())
