"""Clustering in memory: same story from several outlets joins one cluster."""

from services.classifier.clustering.memory_store import MemoryStore
from tests.cluster_scenarios import folds_and_flags_new_toll


async def test_cluster_memory_store_folds_and_flags_new_toll() -> None:
    """In memory: one cluster per strike, only the new death toll is an update."""
    await folds_and_flags_new_toll(MemoryStore())
