"""Docker secrets: ``${VAR}`` is filled from the file ``VAR_FILE`` names, and masked."""

from pathlib import Path

import pytest

from shared import secrets
from shared.loading import ConfigError, load_config

URL_OVERRIDE = "redis://:${REDIS_PASSWORD}@redis:6379/0"  # what compose passes


def test_file_named_by_var_file_fills_the_placeholder(tmp_path: Path) -> None:
    """The file's content (final newline dropped) fills ${VAR} and is masked afterwards."""
    secret = tmp_path / "redis_password"
    secret.write_text("s3cret-from-a-file\n")
    config_file = tmp_path / "config.yaml"
    config_file.write_text("feeds: []\n")
    config = load_config(config_file, env={"NEWSALERT_REDIS__URL": URL_OVERRIDE,
                                           "REDIS_PASSWORD_FILE": str(secret)})
    assert config.redis.url == "redis://:s3cret-from-a-file@redis:6379/0"
    assert secrets.redact(f"connecting to {config.redis.url}") == \
        "connecting to redis://:****@redis:6379/0"
    assert secrets.redact("token s3cret-from-a-file") == "token ****"


@pytest.mark.parametrize(("env", "needle"), [
    ({}, "environment variable REDIS_PASSWORD is not set (nor REDIS_PASSWORD_FILE)"),
    ({"REDIS_PASSWORD_FILE": "/nonexistent/pw"},
     "REDIS_PASSWORD_FILE names /nonexistent/pw, which cannot be read: No such file"),
    ({"REDIS_PASSWORD": "x-inline-value", "REDIS_PASSWORD_FILE": "/run/secrets/pw"},
     "both REDIS_PASSWORD and REDIS_PASSWORD_FILE are set"),
])
def test_unusable_secret_names_the_field_and_the_reason(tmp_path: Path, env: dict[str, str],
                                                        needle: str) -> None:
    """Unset, unreadable or doubly set secrets are one config error naming field and cause."""
    config_file = tmp_path / "config.yaml"
    config_file.write_text(f"redis: {{url: '{URL_OVERRIDE}'}}\n")
    with pytest.raises(ConfigError) as info:
        load_config(config_file, env=env)
    assert len(info.value.lines) == 1
    assert "redis.url" in info.value.lines[0] and needle in info.value.lines[0]
    assert "x-inline-value" not in info.value.lines[0]
