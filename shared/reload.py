"""Hot reload: watch the config file and swap in a new config when an edit is valid."""

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from shared.config import AppConfig
from shared.loading import ConfigError, load_config

log = logging.getLogger("newsalert.config")

OnChange = Callable[[AppConfig], Awaitable[None] | None]


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


class ConfigWatcher:
    """Polls the file's content (mtime alone misses edits within one second)."""

    def __init__(self, path: Path, on_change: OnChange, interval: float = 1.0) -> None:
        self.path = path
        self.on_change = on_change
        self.interval = interval
        self._digest = _digest(path)
        self._task: asyncio.Task[None] | None = None
        self.errors = 0

    async def check(self) -> bool:
        """Reload once if the file changed; True when a new config was applied."""
        digest = _digest(self.path)
        if not digest or digest == self._digest:
            return False
        self._digest = digest
        try:
            config = load_config(self.path)
        except ConfigError as exc:
            self.errors += 1
            for line in exc.lines:
                log.error("config edit rejected, previous config stays active: %s", line)
            return False
        try:
            result = self.on_change(config)
            if asyncio.iscoroutine(result):
                await result
        except (ConfigError, ValueError) as exc:
            self.errors += 1
            lines = exc.lines if isinstance(exc, ConfigError) else [str(exc)]
            for line in lines:
                log.error("config edit rejected, previous config stays active: %s", line)
            return False
        log.info("config reloaded from %s", self.path)
        return True

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check()
            except Exception:  # a reload bug must not kill the service
                log.exception("config reload failed; previous config stays active")

    def start(self) -> None:
        """Start watching in the background."""
        self._task = asyncio.create_task(self._run(), name="config-watcher")

    async def stop(self) -> None:
        """Stop watching."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
