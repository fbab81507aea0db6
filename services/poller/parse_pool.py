"""Bounded parsing: feedparser runs in spawned, memory-capped processes a deadline can kill.

A hostile feed that passes the entity pre-filter can still make feedparser allocate without
bound or loop; only a separate process can be capped and killed without taking the poller along.
"""

import asyncio
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from services.poller.items import ParsedFeed, failed
from services.poller.parse import has_entity_declarations, parse_feed, parse_unfiltered
from shared.failures import FailureReason

# RLIMIT_AS per parser process: far above any real feed's needs, far below the machine's.
PARSE_MEMORY_LIMIT = 256 << 20
PARSE_WORKERS = 2


def _limit_memory(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _parse_in_worker(body: bytes, url: str, content_type: str, prefilter: bool) -> ParsedFeed:
    try:
        return (parse_feed if prefilter else parse_unfiltered)(body, url, content_type)
    except MemoryError:
        return failed(FailureReason.PARSE_MEMORY)
    except RecursionError:
        return failed(FailureReason.PARSE_ERROR)


class ParserPool:
    """Spawned, memory-capped parser processes; a pool that overruns a deadline is killed."""

    def __init__(self, workers: int = PARSE_WORKERS, memory: int = PARSE_MEMORY_LIMIT) -> None:
        self.workers, self.memory = workers, memory
        self._pool: ProcessPoolExecutor | None = None

    def executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"),
                                             initializer=_limit_memory, initargs=(self.memory,))
        return self._pool

    def discard(self, pool: ProcessPoolExecutor) -> None:
        """Kill the pool's processes (a runaway parse cannot be cancelled any other way)."""
        if self._pool is pool:
            self._pool = None
        for process in list(pool._processes.values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def shutdown(self, grace: float = 3.0) -> None:
        """Stop the workers: a clean exit within ``grace`` seconds, else killed. Waiting on
        the executor itself can hang for good when a worker died at the wrong moment, and
        a service that never exits on SIGTERM gets SIGKILLed by its supervisor anyway."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((pool._processes or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + grace
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1.0)

    async def parse(self, body: bytes, url: str, content_type: str, deadline: float,
                    prefilter: bool = True) -> ParsedFeed:
        loop = asyncio.get_running_loop()
        for _attempt in range(2):  # a pool broken by someone else's feed gets one retry
            pool = self.executor()
            job = loop.run_in_executor(pool, _parse_in_worker, body, url, content_type, prefilter)
            try:
                return await asyncio.wait_for(job, deadline)
            except TimeoutError:
                self.discard(pool)
                return failed(FailureReason.PARSE_TIMEOUT)
            except BrokenProcessPool:
                self.discard(pool)
        return failed(FailureReason.PARSE_CRASHED)


PARSERS = ParserPool()


async def parse_feed_bounded(body: bytes, url: str, content_type: str = "",
                             timeout: float = 10.0) -> ParsedFeed:  # noqa: ASYNC109 (API)
    """``parse_feed`` off the event loop, in a process capped at PARSE_MEMORY_LIMIT and timeout."""
    if has_entity_declarations(body):  # refused here already: no worker round trip
        return failed(FailureReason.DOCTYPE_REFUSED)
    return await PARSERS.parse(body, url, content_type, timeout)
