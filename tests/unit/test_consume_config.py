"""The ``consume:`` section: the consumers' own settings, with the old notifier key still read."""

from pathlib import Path

import pytest

from services.cli import main
from shared.config import RedisSettings
from shared.loading import ConfigError, load_config, require_redis_url


def test_consume_section_sets_the_consumers_settings(tmp_path: Path) -> None:
    """reclaim_idle, max_deliveries and batch come from consume:, not from notifier:."""
    config = load_config(_write(tmp_path, "consume: {reclaim_idle: 2m, max_deliveries: 3, "
                                          "batch: 20}\nnotifier: {max_attempts: 9}\n"), env={})
    assert (config.consume.reclaim_idle, config.consume.max_deliveries,
            config.consume.batch) == (120.0, 3, 20)
    assert config.notifier.max_attempts == 9


def test_old_notifier_reclaim_idle_still_works(tmp_path: Path) -> None:
    """A config written before consume: existed keeps its reclaim_idle."""
    config = load_config(_write(tmp_path, "notifier: {reclaim_idle: 2s, timeout: 10}\n"), env={})
    assert config.consume.reclaim_idle == 2.0 and config.notifier.timeout == 10.0


def test_old_and_new_reclaim_idle_together_is_an_error(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Both keys set: check-config exits 2 naming the file and the moved key."""
    path = _write(tmp_path, "notifier: {reclaim_idle: 2s}\nconsume: {reclaim_idle: 5s}\n")
    assert main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "notifier.reclaim_idle: moved to consume.reclaim_idle" in err


def test_require_redis_url_names_the_file_and_the_need(tmp_path: Path) -> None:
    """Without redis.url a command that needs it fails with a line naming file, key and use."""
    config = load_config(_write(tmp_path, "feeds: []\n"), env={})
    with pytest.raises(ConfigError) as error:
        require_redis_url(config, "to read the poller's state")
    assert error.value.lines == [f"{tmp_path / 'config.yaml'}: redis.url: required to read the "
                                 "poller's state (set it, or NEWSALERT_REDIS__URL)"]
    url = "redis://127.0.0.1:1/0"
    with_url = config.model_copy(update={"redis": RedisSettings(url=url)})
    assert require_redis_url(with_url, "x") == url


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path
