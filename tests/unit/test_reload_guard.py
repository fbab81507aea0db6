"""Transactional hot reload: only complete, valid, intended edits apply; accidents are held."""

import asyncio
import os
import time
from pathlib import Path

import pytest

from shared import loading, metrics
from shared.config import AppConfig
from shared.loading import load_config
from shared.reload import ConfigWatcher, hold_reason

SUB = '  - {{name: desk-{i}, urls: ["json://127.0.0.1:9/hook"]}}\n'


def _config(subs: int = 3, grace: str = "30s") -> str:
    return f"reload_grace: {grace}\nsubscriptions:\n" + "".join(
        SUB.format(i=i) for i in range(subs))


def _held() -> float:
    return metrics.REGISTRY.get_sample_value("newsalert_config_reload_held") or 0.0


class Recorder:
    """Collects every config the watcher applies."""

    def __init__(self) -> None:
        self.applied: list[AppConfig] = []

    def __call__(self, config: AppConfig) -> None:
        self.applied.append(config)


def _watcher(path: Path, text: str) -> tuple[ConfigWatcher, Recorder]:
    path.write_text(text)
    recorder = Recorder()
    return ConfigWatcher(path, recorder, interval=0.1, config=load_config(path)), recorder


async def test_empty_file_is_held_then_released_when_restored(tmp_path: Path) -> None:
    """A truncated (0-byte) file is held with the gauge up; restoring it withdraws the hold."""
    path = tmp_path / "config.yaml"
    watcher, recorder = _watcher(path, _config())
    before = _held()
    path.write_bytes(b"")
    assert await watcher.check() is False
    assert _held() == before + 1
    assert await watcher.check() is False, "still within the grace period"
    path.write_text(_config())
    assert await watcher.check() is False
    assert _held() == before and recorder.applied == []


async def test_suspicious_edit_applies_after_grace_when_unchanged(tmp_path: Path) -> None:
    """An edit removing every subscription applies once it is still there after the grace."""
    path = tmp_path / "config.yaml"
    watcher, recorder = _watcher(path, _config(grace="0.3s"))
    path.write_text("reload_grace: 0.3s\n")
    assert await watcher.check() is False
    await asyncio.sleep(0.35)
    assert await watcher.check() is True
    assert [len(c.subscriptions) for c in recorder.applied] == [0]


@pytest.mark.parametrize(("after", "held"), [(1, True), (2, False), (4, False)])
async def test_dropping_more_than_half_is_held(tmp_path: Path, after: int, held: bool) -> None:
    """Going from 3 subscriptions to 1 is held; to 2 (or to more) applies at once."""
    path = tmp_path / "config.yaml"
    watcher, recorder = _watcher(path, _config(3))
    path.write_text(_config(after))
    assert await watcher.check() is (not held)
    assert len(recorder.applied) == (0 if held else 1)


async def test_file_still_being_written_is_not_read_as_an_edit(tmp_path: Path) -> None:
    """Content that changes between the two reads is skipped; the final content then applies."""
    path = tmp_path / "config.yaml"
    watcher, recorder = _watcher(path, _config(3))
    path.write_text(_config(3)[:60])  # half-written
    check = asyncio.create_task(watcher.check())
    await asyncio.sleep(0.05)
    path.write_text(_config(4))
    assert await check is False and recorder.applied == []
    assert await watcher.check() is True
    assert len(recorder.applied[0].subscriptions) == 4


async def test_hostile_files_are_refused_and_previous_config_stays(tmp_path: Path) -> None:
    """An alias bomb, a FIFO and invalid UTF-8 swapped in are refused (counted once each)."""
    path = tmp_path / "config.yaml"
    watcher, recorder = _watcher(path, _config(3))
    bomb = "l0: &l0 [a, a, a, a, a, a, a, a, a]\n" + "".join(
        f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 10))
    path.write_text(bomb)
    assert await watcher.check() is False
    assert await watcher.check() is False
    assert watcher.errors == 1, "the same bad content is reported once"
    path.write_bytes(b"subscriptions: \xff\n")
    assert await watcher.check() is False
    path.unlink()
    os.mkfifo(path)
    assert await asyncio.wait_for(watcher.check(), 5) is False
    assert watcher.errors == 3 and recorder.applied == []


async def test_large_config_parses_off_the_event_loop(tmp_path: Path) -> None:
    """While a 1 MB config is read and validated, the event loop keeps running other tasks."""
    path = tmp_path / "config.yaml"
    watcher, recorder = _watcher(path, _config(3))
    feeds = "".join(f"  - {{url: 'https://example.org/{i}'}}\n" for i in range(30_000))
    path.write_text(_config(3) + "poller: {allow_private_hosts: []}\nfeeds:\n" + feeds)
    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    started = time.monotonic()
    assert await watcher.check() is True
    took = time.monotonic() - started
    task.cancel()
    assert len(recorder.applied[0].feeds) == 30_000
    # Ticks keep coming during the whole parse (the GIL is shared, so not at full rate).
    assert len(ticks) >= took / 0.5, (len(ticks), took)


def test_hold_reason_names_what_is_missing() -> None:
    """The warning says what the suspicious edit drops, compared with the active config."""
    old = AppConfig.model_validate({"watch": [{"name": f"t{i}", "any": ["x"]} for i in range(4)]})
    new = AppConfig.model_validate({"watch": [{"name": "t0", "any": ["x"]}]})
    assert hold_reason(old, new, b"watch: ...") == "it drops 3 of the 4 watch topics"
    assert hold_reason(old, AppConfig(), b"# nothing\n") == (
        "it has no watch topics (the active config has 4)")
    assert hold_reason(None, AppConfig(), b"  \n") == "the file is empty"
    assert hold_reason(old, old, b"watch: ...") is None


async def test_held_edit_is_parsed_once_while_it_waits(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Checks during the grace period reuse the held parse instead of re-parsing each tick."""
    parses: list[Path] = []
    real = loading.parse_config

    def counting(data: bytes, file: Path) -> AppConfig:
        parses.append(file)
        return real(data, file)

    monkeypatch.setattr("shared.reload.parse_config", counting)
    path = tmp_path / "config.yaml"
    watcher, recorder = _watcher(path, _config(4, grace="0.5s"))
    path.write_text(_config(1, grace="0.5s"))
    for _ in range(3):
        assert await watcher.check() is False
    await asyncio.sleep(0.5)
    assert await watcher.check() is True
    assert len(parses) == 1 and len(recorder.applied[0].subscriptions) == 1
