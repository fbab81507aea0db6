"""A server whose accept queue is full never completes the handshake; connect times out."""

import contextlib
import socket
import time
from collections.abc import Iterator

import pytest

from services.poller.fetch import fetch_feed, make_client
from shared.config import PollerSettings


@pytest.fixture(name="full_backlog")
def _full_backlog() -> Iterator[int]:
    """A listening socket that never accepts, its queue filled so new SYNs are dropped."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = int(listener.getsockname()[1])
    fillers = []
    for _ in range(8):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.2)  # let the kernel settle the queue before the probe
    with pytest.raises(TimeoutError):  # sanity check: the queue really is full
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    yield port
    for sock in [*fillers, listener]:
        sock.close()


async def test_poller_connect_timeout_within_six_seconds(full_backlog: int) -> None:
    """With the default timeouts (connect 5 s), the fetch fails as `timeout` in ≤ 6 s."""
    settings = PollerSettings(allow_private_hosts=["127.0.0.1"])
    client = make_client(settings)
    started = time.monotonic()
    try:
        result = await fetch_feed(client, f"http://127.0.0.1:{full_backlog}/feed", settings)
    finally:
        await client.aclose()
    elapsed = time.monotonic() - started
    assert result.error == "timeout" and result.body is None
    assert 4.5 <= elapsed <= 6.0  # the connect timeout fired, not the 30 s total budget
