"""The test suite's own polling helper: returns what it waited for, or says what never came."""

import pytest

from tests.support import eventually, eventually_sync


async def test_eventually_returns_the_first_truthy_value_of_an_async_check() -> None:
    """An async check is awaited each round; its first truthy value is returned."""
    calls: list[int] = []

    async def third_time() -> list[int]:
        calls.append(1)
        return calls if len(calls) >= 3 else []

    assert await eventually(third_time, within=5) == [1, 1, 1]


async def test_eventually_names_what_never_happened() -> None:
    """A timeout fails with the description, the last value and the detail text."""
    expected = r"the sink got a post: .*0\.1 s \(last value \[\]\)\nsink log"
    with pytest.raises(AssertionError, match=expected):
        await eventually(lambda: [], within=0.1, what="the sink got a post",
                         detail=lambda: "sink log")


def test_eventually_sync_polls_without_a_loop() -> None:
    """The plain variant returns the value, or fails naming the condition."""
    values = iter([0, 0, 7])
    assert eventually_sync(lambda: next(values), within=5) == 7
    with pytest.raises(AssertionError, match="ready"):
        eventually_sync(lambda: False, within=0.1, what="ready")
