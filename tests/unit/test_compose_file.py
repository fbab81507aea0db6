"""Static checks of deploy/compose.yaml: there is no Docker engine to run it here."""

from pathlib import Path
from typing import Any

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
APPS = ("poller", "classifier", "notifier")


@pytest.fixture(name="compose")
def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return data


def test_services_present(compose: dict[str, Any]) -> None:
    """compose defines redis, the three services and the web dashboard, each a newsalert command."""
    assert set(compose["services"]) == {"redis", "web", *APPS}
    assert compose["services"]["web"]["command"] == ["newsalert", "web"]
    for name in APPS:
        assert compose["services"][name]["command"] == ["newsalert", name]


@pytest.mark.parametrize("name", APPS)
def test_app_policies(compose: dict[str, Any], name: str) -> None:
    """Each app waits for a healthy Redis, restarts, mounts the config read-only, is locked down."""
    svc = compose["services"][name]
    assert svc["depends_on"]["redis"]["condition"] == "service_healthy"
    assert svc["restart"] in ("unless-stopped", "always")
    assert any(v.endswith(":/etc/newsalert/config.yaml:ro") for v in svc["volumes"])
    assert "no-new-privileges:true" in svc["security_opt"]
    assert svc["read_only"] is True
    assert ".env" in svc["env_file"]
    assert svc["environment"]["NEWSALERT_CONFIG"] == "/etc/newsalert/config.yaml"
    assert "container_name" not in svc, "a fixed name would break --scale"
    assert "ports" not in svc


def test_web_service(compose: dict[str, Any]) -> None:
    """The web service is locked down like the others, needs a login, publishes loopback only."""
    web = compose["services"]["web"]
    assert web["read_only"] is True and "no-new-privileges:true" in web["security_opt"]
    assert web["environment"]["NEWSALERT_WEB__HOST"] == "0.0.0.0"
    assert "WEB_PASSWORD" in web["environment"]["NEWSALERT_WEB__USERS"]
    assert web["ports"] == ["127.0.0.1:8080:8080"]
    assert "8080/healthz" in " ".join(web["healthcheck"]["test"])


def test_redis_policies(compose: dict[str, Any]) -> None:
    """Redis persists with AOF, never evicts, needs a password, has a healthcheck, no port."""
    redis = compose["services"]["redis"]
    command = " ".join(redis["command"])
    for flag in ("--appendonly yes", "--appendfsync everysec", "--maxmemory-policy noeviction",
                 "--requirepass"):
        assert flag in command
    assert "healthcheck" in redis and redis["healthcheck"]["test"]
    assert "ports" not in redis
    assert any(v.endswith(":/data") for v in redis["volumes"])


def test_dockerfile_is_slim_multistage_nonroot() -> None:
    """The image is multi-stage, slim and runs as a non-root user."""
    text = (DEPLOY / "Dockerfile").read_text()
    assert text.count("FROM ") >= 2
    assert "slim" in text
    user_lines = [line for line in text.splitlines() if line.startswith("USER ")]
    assert user_lines and user_lines[-1].split()[1] not in ("root", "0")


def test_env_example_lists_redis_password() -> None:
    """The .env example documents every variable compose requires."""
    env = (DEPLOY / ".env.example").read_text()
    assert "REDIS_PASSWORD=" in env


@pytest.mark.parametrize(("name", "port"), [("poller", 9101), ("classifier", 9102),
                                            ("notifier", 9103)])
def test_app_healthchecks_use_ops_endpoint(compose: dict[str, Any], name: str, port: int) -> None:
    """Each app's healthcheck probes its own ops port, which compose enables."""
    svc = compose["services"][name]
    probe = " ".join(svc["healthcheck"]["test"])
    assert f"127.0.0.1:{port}/healthz" in probe
    assert svc["environment"]["NEWSALERT_METRICS__ENABLED"] == "true"
    assert svc["environment"]["NEWSALERT_METRICS__HOST"] == "0.0.0.0"
