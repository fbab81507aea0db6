"""Reading the config file into :class:`AppConfig`, with errors a user can act on."""

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from shared import safeyaml, secrets
from shared.config import AppConfig, default_path
from shared.crosscheck import FieldErrors

ENV_PREFIX = "NEWSALERT_"
# Consumer settings that lived under notifier: before the consume: section; still read there.
MOVED_TO_CONSUME = ("reclaim_idle", "max_deliveries")


class ConfigError(Exception):
    """A config that cannot be used; ``lines`` name the file, the field and the value."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def load_config(path: Path | str | None = None, env: dict[str, str] | None = None) -> AppConfig:
    """Load, expand and validate a config file; raise :class:`ConfigError` when it is unusable."""
    file = Path(path) if path is not None else default_path()
    try:
        data = safeyaml.read_capped(file)
    except safeyaml.UnsafeInput as exc:
        raise ConfigError([f"{file}: {exc}"]) from None
    return parse_config(data, file, env)


def parse_config(data: bytes, file: Path, env: dict[str, str] | None = None) -> AppConfig:
    """Validate the bytes read from ``file`` (hot reload checks exactly what it compared)."""
    env = dict(os.environ) if env is None else env
    raw = _parse_yaml(data, file)
    for keys, value in env_overrides(env):
        _set_path(raw, keys, _env_value(value, keys))
    expanded, missing = _expand(raw, env, "")
    if missing:
        raise ConfigError([f"{file}: {where}: {secrets.why_missing(name, env)}"
                           for where, name in missing])
    _moved_keys(file, expanded)
    try:
        return AppConfig.model_validate({**expanded, "source": file})
    except ValidationError as exc:
        raise ConfigError([line for err in exc.errors() for line in _describe(file, err, raw)]
                          ) from None


def require_redis_url(config: AppConfig, purpose: str) -> str:
    """``redis.url``, or a :class:`ConfigError` saying what needs it and how to set it."""
    if config.redis.url:
        return config.redis.url
    raise ConfigError([f"{config.source or default_path()}: redis.url: required {purpose} "
                       "(set it, or NEWSALERT_REDIS__URL)"])


def env_overrides(env: dict[str, str]) -> list[tuple[list[str], str]]:
    """``NEWSALERT_REDIS__URL=...`` → (["redis", "url"], "..."); the config path is not one."""
    pairs = []
    for name, value in sorted(env.items()):
        if name.startswith(ENV_PREFIX) and name != "NEWSALERT_CONFIG":
            path = [p.lower() for p in name[len(ENV_PREFIX) :].split("__") if p]
            if path:
                pairs.append((path, value))
    return pairs


def _moved_keys(file: Path, raw: dict[str, Any]) -> None:
    notifier, consume = raw.get("notifier"), raw.get("consume")
    moved = [n for n in MOVED_TO_CONSUME if isinstance(notifier, dict) and n in notifier]
    if not moved or not isinstance(notifier, dict):
        return
    consume = dict(consume) if isinstance(consume, dict) else {}
    for name in moved:
        if name in consume:
            raise ConfigError([f"{file}: notifier.{name}: moved to consume.{name}, which is "
                               "also set; remove the old key"])
        consume[name] = notifier.pop(name)
    raw["consume"] = consume


def _parse_yaml(data: bytes, file: Path) -> dict[str, Any]:
    try:
        parsed = safeyaml.load(safeyaml.decode(data))
    except safeyaml.UnsafeInput as exc:
        raise ConfigError([f"{file}: {exc}"]) from None
    if parsed is None:
        return {}
    if not isinstance(parsed, dict):
        raise ConfigError([f"{file}: the top level must be a mapping of keys, "
                           f"got {secrets.redact(repr(parsed)[:60])}"])
    return parsed


def _env_value(value: str, keys: list[str]) -> Any:
    if not value:
        return value
    try:
        return safeyaml.load(value)
    except safeyaml.UnsafeInput as exc:
        name = ENV_PREFIX + "__".join(k.upper() for k in keys)
        raise ConfigError([f"environment variable {name}: {exc}"]) from None


def _set_path(raw: dict[str, Any], keys: list[str], value: Any) -> None:
    node = raw
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[keys[-1]] = value


def _expand(node: Any, env: dict[str, str], where: str) -> tuple[Any, list[tuple[str, str]]]:
    """Fill ``${VAR}`` in every string of the tree; collect (field path, missing variable)."""
    if isinstance(node, str):
        text, names = secrets.expand(node, env)
        return text, [(where or "<root>", name) for name in names]
    missing: list[tuple[str, str]] = []
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            out[key], more = _expand(value, env, f"{where}.{key}" if where else str(key))
            missing += more
        return out, missing
    if isinstance(node, list):
        items = []
        for i, value in enumerate(node):
            item, more = _expand(value, env, f"{where}[{i}]")
            items.append(item)
            missing += more
        return items, missing
    return node, missing


def field_path(loc: tuple[int | str, ...]) -> str:
    """``("feeds", 0, "url")`` → ``feeds[0].url``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<root>"


def _lookup(raw: Any, loc: tuple[int | str, ...]) -> tuple[bool, Any]:
    node = raw
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False, None
    return True, node


def _describe(file: Path, err: Any, raw: dict[str, Any]) -> list[str]:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, FieldErrors):  # a cross-field check: one line per field at fault
        return [_line(file, loc + where, message, raw) for where, message in cause.problems]
    if err["type"] == "extra_forbidden":
        return [f"{file}: {field_path(loc)}: unknown key (check the spelling)"]
    if err["type"] == "missing":
        return [f"{file}: {field_path(loc)}: required key is missing"]
    return [_line(file, loc, str(err["msg"]).removeprefix("Value error, "), raw)]


def _line(file: Path, loc: tuple[int | str, ...], message: str, raw: dict[str, Any]) -> str:
    found, value = _lookup(raw, loc) if loc else (False, None)  # never dump the whole file
    if isinstance(value, str) and "://" in value:  # a feed URL may carry ?token=…
        value = secrets.redact_url(value)
    shown = f" (value: {secrets.redact(repr(value))[:120]})" if found else ""
    return f"{file}: {field_path(loc)}: {message}{shown}"
