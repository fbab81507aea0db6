"""A service that cannot reach Redis at startup says so in one line and exits 3."""

from pathlib import Path

import pytest

from services.cli import main
from tests.support import free_port


@pytest.mark.slow
def test_unreachable_redis_exits_3_without_traceback(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """No Redis on the configured port: exit code 3 and a single clear error line."""
    config = tmp_path / "config.yaml"
    config.write_text(f"redis: {{url: 'redis://:pw-do-not-print@127.0.0.1:{free_port()}/0'}}\n")
    code = main(["--config", str(config), "classifier"])
    err = capsys.readouterr().err
    assert code == 3
    assert "error: cannot reach Redis" in err
    assert "Traceback" not in err
    assert "pw-do-not-print" not in err
