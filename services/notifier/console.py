"""The ``console://`` apprise scheme: print alerts to the terminal (stdout).

Importing this module registers the scheme with apprise (once per process), so a
subscription URL ``console://`` works wherever apprise URLs are accepted.
"""

import sys
from typing import Any

from apprise import NotifyFormat
from apprise.decorators import notify

from services.notifier.channels import load_apprise_plugins

SCHEME = "console"
RULE = "─" * 60


def format_alert(title: str, body: str, notify_type: str = "info") -> str:
    """The terminal form of one alert: a rule, the title, the body, a rule."""
    lines = [RULE, f"{title}" if title else f"[{notify_type}]", "", body.rstrip(), RULE]
    return "\n".join(lines) + "\n"


def print_alert(body: str, title: str, notify_type: Any, *args: Any, **kwargs: Any) -> bool:
    """apprise send function: write one alert to stdout (looked up at call time for capture)."""
    kind = getattr(notify_type, "value", str(notify_type))
    sys.stdout.write(format_alert(title, body, kind))
    sys.stdout.flush()
    return True


def _register() -> None:
    """Register once: apprise refuses (and logs a warning for) a schema it already knows."""
    from apprise.manager_plugins import NotificationManager

    load_apprise_plugins()
    if SCHEME not in NotificationManager():  # type: ignore[no-untyped-call]
        # TEXT: apprise converts markdown/HTML bodies to plain text before printing.
        decorator = notify(  # type: ignore[no-untyped-call]
            on=SCHEME, name="newsalert console", body_format=NotifyFormat.TEXT
        )
        decorator(print_alert)


_register()
