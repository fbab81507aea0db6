"""Send one rendered alert to ONE apprise URL, and say what happened without leaking secrets.

Policy (retries, backoff, circuit breaking) lives in delivery.py; this module does exactly one
attempt: apprise's own retries and per-plugin throttle are switched off. URL masking and log
redaction live in privacy.py.
"""

import contextvars
import functools
import warnings
from dataclasses import dataclass, field
from typing import Any

import apprise
import requests
from apprise import AppriseResultStatus

from services.notifier.privacy import (
    MAX_DETAIL,
    instantiate,
    mask_parts,
    register_secrets,
    validate_url,
)
from services.notifier.render import Rendered
from shared.durations import parse_retry_after


@dataclass(frozen=True)
class SendOutcome:
    ok: bool
    status: str  # "sent" | "failed" | "timeout" | "invalid_url"
    detail: str  # short reason, secrets redacted
    retry_after: float | None  # seconds, when the service said so (429/503 Retry-After)


@dataclass
class _HttpObservation:
    """The last HTTP response seen by the send running in this context."""

    status: int | None = None
    retry_after: float | None = None
    seen: list[int] = field(default_factory=list)


# apprise runs each plugin's blocking send() in its thread pool through
# contextvars.copy_context() (plugins/base.py, async_notify), so a value set here before
# awaiting async_notify is visible in the worker thread, and only for that one send.
_OBSERVATION: contextvars.ContextVar[_HttpObservation | None] = contextvars.ContextVar(
    "newsalert_http_observation", default=None
)
_CACHE: dict[str, apprise.Apprise] = {}


def _observe(response: Any) -> None:
    observation = _OBSERVATION.get()
    if observation is None:
        return
    observation.status = int(response.status_code)
    observation.seen.append(observation.status)
    observation.retry_after = None
    if observation.status in (429, 503):
        observation.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if observation.retry_after is None:
            observation.retry_after = _json_retry_after(response)


def _json_retry_after(response: Any) -> float | None:
    """Discord-style JSON body {"retry_after": seconds}."""
    if "json" not in response.headers.get("Content-Type", ""):
        return None
    try:
        value = response.json().get("retry_after")
        return max(0.0, float(value)) if value is not None else None
    except (ValueError, TypeError, AttributeError):
        return None


def install_response_hook() -> None:
    """Observe HTTP responses of apprise's requests-based plugins (idempotent).

    apprise 2.x reports no HTTP status or headers (NotifyJSON calls requests.request and
    only logs "error=429"), so we wrap requests.Session.send. The wrapper only reads the
    response, and only records it when a send of ours is running in the current context.
    """
    original = requests.Session.send
    if getattr(original, "_newsalert_observer", False):
        return

    @functools.wraps(original)
    def send(self: Any, request: Any, **kwargs: Any) -> Any:
        response = original(self, request, **kwargs)
        _observe(response)
        return response

    send._newsalert_observer = True  # type: ignore[attr-defined]
    requests.Session.send = send  # type: ignore[method-assign]


def _apprise_for(url: str, headers: tuple[tuple[str, str], ...] = ()) -> apprise.Apprise | None:
    """The cached Apprise object for one destination (None if apprise rejects the URL).

    A send with extra headers gets its own plugin: headers live on the plugin, and the
    cached one is shared by concurrent sends.
    """
    cached = None if headers else _CACHE.get(url)
    if cached is not None:
        return cached
    plugin = instantiate(url)
    if plugin is None:
        return None
    # Our retry policy is the only one; the 5.5 s e-mail/ntfy throttle would serialise bursts.
    plugin.request_rate_per_sec = 0
    plugin.retry = 0
    register_secrets(plugin)
    obj = apprise.Apprise(asset=apprise.AppriseAsset(async_mode=True))
    if headers and isinstance(getattr(plugin, "headers", None), dict):
        plugin.headers.update(headers)
    obj.add(plugin)
    if not headers:
        _CACHE[url] = obj
    return obj


_STATUS = {AppriseResultStatus.SUCCESS: "sent", AppriseResultStatus.TIMEOUT: "timeout"}


async def send(url: str, rendered: Rendered, *, timeout: float) -> SendOutcome:  # noqa: ASYNC109
    # (apprise enforces ``timeout`` itself and reports TIMEOUT; the interface is shared)
    """One attempt to deliver ``rendered`` to ``url``; never raises for delivery problems."""
    obj = _apprise_for(url, rendered.headers)
    if obj is None:
        return SendOutcome(False, "invalid_url", validate_url(url) or "invalid URL", None)
    observation = _HttpObservation()
    token = _OBSERVATION.set(observation)
    try:
        result = await obj.async_notify(
            title=rendered.title,
            body=rendered.body,
            body_format=rendered.body_format,
            timeout=timeout,
        )
    except Exception as exc:  # an apprise bug must become a failed attempt, not a crash
        detail = mask_parts([f"{type(exc).__name__}: {exc}"], url)[0]
        return SendOutcome(False, "failed", detail[:MAX_DETAIL], None)
    finally:
        _OBSERVATION.reset(token)
    with result:
        status = _STATUS.get(result.status, "failed")
        lines = [entry.message for entry in result.logs()]
    return SendOutcome(
        status == "sent",
        status,
        _detail(status, lines, observation, url),
        observation.retry_after if status != "sent" else None,
    )


def _detail(status: str, lines: list[str], observation: _HttpObservation, url: str) -> str:
    if status == "sent":
        return f"sent (HTTP {observation.status})" if observation.status else "sent"
    text = "; ".join(dict.fromkeys(mask_parts(lines, url))) or status
    if observation.status is not None and f"error={observation.status}" not in text:
        text += f" (HTTP {observation.status})"
    return " ".join(text.split())[:MAX_DETAIL]


def load_apprise_plugins() -> None:
    """Load apprise's plugins now (idempotent) instead of on the first URL.

    apprise imports them lazily, and its e-mail plugin imports the deprecated ``imghdr``
    module: under ``-W error`` that DeprecationWarning would fail the first send.
    """
    from apprise.manager_plugins import NotificationManager

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'imghdr' is deprecated", DeprecationWarning)
        NotificationManager().load_modules()  # type: ignore[no-untyped-call]


load_apprise_plugins()
install_response_hook()
