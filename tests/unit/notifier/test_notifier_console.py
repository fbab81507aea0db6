"""The console:// apprise scheme registered by services.notifier.console."""

import apprise
import pytest

from services.notifier import console


def test_console_url_is_accepted_after_import() -> None:
    """apprise accepts console:// once the module is imported."""
    assert console.SCHEME == "console"
    assert apprise.Apprise().add("console://") is True


async def test_notify_prints_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    """An async notify prints the title and body between rules on stdout."""
    obj = apprise.Apprise()
    obj.add("console://")
    result = await obj.async_notify(title="[strike] Headline", body="Evidence: x\nSource: y")
    assert bool(result)
    out = capsys.readouterr().out
    assert "[strike] Headline" in out and "Evidence: x\nSource: y" in out
    assert out.startswith(console.RULE)


def test_format_alert_without_title() -> None:
    """Without a title the notify type stands in, so the block is never headless."""
    assert console.format_alert("", "body", "warning").splitlines()[1] == "[warning]"
