"""Hot reload: swap in an edited config only when it is complete, valid and meant.

An editor saving in place, a deploy copying a file, or an operator half-way through an edit
all leave the file briefly empty or truncated, and a truncated YAML file is often a valid
config with fewer subscriptions. Accepting one silently drops alerts, so a reload applies
only content that (1) reads the same twice :data:`SETTLE` seconds apart, (2) parses and
validates, and (3) does not look like an accident: an empty file, or one that drops every or
most subscriptions, watch topics or feeds, is held back with a warning until the same content
is still there ``reload_grace`` seconds later. Reading and parsing run in a thread, within
the size, depth and alias caps of :mod:`shared.safeyaml`, so the event loop never stalls.
"""

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from shared import metrics
from shared.config import AppConfig
from shared.loading import ConfigError, parse_config
from shared.safeyaml import UnsafeInput, read_capped

log = logging.getLogger("newsalert.config")

OnChange = Callable[[AppConfig], Awaitable[None] | None]
SETTLE = 0.2  # seconds between the two reads that must agree


def hold_reason(old: AppConfig | None, new: AppConfig, data: bytes) -> str | None:
    """Why ``new`` looks like an accident rather than an edit, or None when it looks meant."""
    if not data.strip():
        return "the file is empty"
    if old is None:
        return None
    for label, before, after in (("subscriptions", len(old.subscriptions), len(new.subscriptions)),
                                 ("watch topics", len(old.watch), len(new.watch)),
                                 ("feeds", len(old.feeds), len(new.feeds))):
        if before and not after:
            return f"it has no {label} (the active config has {before})"
        if after < before / 2:
            return f"it drops {before - after} of the {before} {label}"
    return None


@dataclass
class _Held:
    digest: str
    since: float
    reason: str
    config: AppConfig


class ConfigWatcher:
    """Polls the file's content (mtime alone misses edits within one second)."""

    def __init__(self, path: Path, on_change: OnChange, interval: float = 1.0,
                 config: AppConfig | None = None) -> None:
        self.path = path
        self.on_change = on_change
        self.interval = interval
        self.config = config  # the active config: what a suspicious edit is compared with
        self._digest = _digest(_read_or_empty(path))
        self._refused = ""  # digest (or error text) already reported: report each once
        self._held: _Held | None = None
        self._task: asyncio.Task[None] | None = None
        self.errors = 0

    @classmethod
    def started_for(cls, config: AppConfig, on_change: OnChange) -> "ConfigWatcher | None":
        """A started watcher of the file ``config`` came from (None for a config built in
        code: nothing to watch), polling every ``reload_interval``."""
        if config.source is None:
            return None
        watcher = cls(config.source, on_change, config.reload_interval, config)
        watcher.start()
        return watcher

    @property
    def grace(self) -> float:
        """Seconds a held edit must stay unchanged before it applies."""
        return self.config.reload_grace if self.config else AppConfig().reload_grace

    async def check(self) -> bool:
        """Reload once if the file changed; True when a new config was applied."""
        data = await self._stable_read()
        if data is None:
            return False
        digest = _digest(data)
        if digest == self._digest:
            self._release("the file is back to the active config")
            return False
        if digest == self._refused:
            return False
        if self._held is not None and self._held.digest == digest:
            config = self._held.config  # parsed already: a held 4 MB file costs one parse
        else:
            try:
                config = await asyncio.to_thread(parse_config, data, self.path)
            except ConfigError as exc:
                self._refuse(digest, exc.lines)
                return False
        if not self._confirmed(digest, config, hold_reason(self.config, config, data)):
            return False
        return await self._apply(digest, config)

    async def _stable_read(self) -> bytes | None:
        """The file's bytes when two reads :data:`SETTLE` apart agree; None otherwise."""
        try:
            first = await asyncio.to_thread(read_capped, self.path)
            if _digest(first) == self._digest:
                return first
            await asyncio.sleep(SETTLE)
            second = await asyncio.to_thread(read_capped, self.path)
        except UnsafeInput as exc:
            self._refuse(str(exc), [f"{self.path}: {exc}"])
            return None
        if first != second:
            log.debug("config file %s is still being written; next look in %.1f s",
                      self.path, self.interval)
            return None
        return first

    def _confirmed(self, digest: str, config: AppConfig, reason: str | None) -> bool:
        """True when the edit may apply now; a suspicious one waits out the grace period."""
        if reason is None:
            self._release("a newer edit replaced it")
            return True
        now = time.monotonic()
        if self._held is None or self._held.digest != digest:
            self._release("a newer edit replaced it")
            self._held = _Held(digest, now, reason, config)
            metrics.CONFIG_HELD.inc()
            metrics.CONFIG_RELOADS.labels("held").inc()
            log.warning("CONFIG EDIT HELD BACK: %s: %s. The previous config stays active; if "
                        "the edit is intended, leave the file as it is and it applies in %.0f s",
                        self.path, reason, self.grace)
            return False
        if now - self._held.since < self.grace:
            return False
        log.warning("config edit confirmed: %s: unchanged for %.0f s, applying it although %s",
                    self.path, now - self._held.since, reason)
        return True

    def _release(self, why: str) -> None:
        if self._held is not None:
            log.warning("held config edit of %s withdrawn: %s", self.path, why)
            self._held = None
            metrics.CONFIG_HELD.dec()

    async def _apply(self, digest: str, config: AppConfig) -> bool:
        try:
            result = self.on_change(config)
            if asyncio.iscoroutine(result):
                await result
        except (ConfigError, ValueError) as exc:
            self._refuse(digest, exc.lines if isinstance(exc, ConfigError) else [str(exc)])
            return False
        self._release("it was applied")
        self._digest, self.config = digest, config
        metrics.CONFIG_RELOADS.labels("applied").inc()
        log.info("config reloaded from %s", self.path)
        return True

    def _refuse(self, key: str, lines: list[str]) -> None:
        if key == self._refused:
            return
        self._refused = key
        self.errors += 1
        metrics.CONFIG_RELOADS.labels("rejected").inc()
        for line in lines:
            log.error("config edit rejected, previous config stays active: %s", line)

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
        self._release("the service is stopping")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_or_empty(path: Path) -> bytes:
    try:
        return read_capped(path)
    except UnsafeInput:
        return b""
