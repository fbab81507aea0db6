"""Helpers to run newsalert's services as separate processes, the way compose runs them."""

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "deploy" / "compose.yaml"


def compose_command(service: str) -> list[str]:
    """The exact ``command:`` of a compose service, with ``newsalert`` resolved locally."""
    spec = yaml.safe_load(COMPOSE.read_text())["services"][service]
    command = [str(c) for c in spec["command"]]
    assert command[0] == "newsalert"
    local = Path(sys.executable).parent / "newsalert"
    head = [str(local)] if local.exists() else [sys.executable, "-m", "services.cli"]
    return head + command[1:]


def write_config(path: Path, data: dict[str, Any]) -> Path:
    """Write a YAML config file."""
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def start(command: list[str], config: Path, log: Path, extra_env: dict[str, str] | None = None,
          ) -> "subprocess.Popen[bytes]":
    """Start a service process with its config; output goes to ``log``."""
    env = {**os.environ, "NEWSALERT_CONFIG": str(config), **(extra_env or {})}
    with log.open("ab") as handle:  # the child keeps its own descriptor
        return subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                cwd=ROOT)


def stop(process: "subprocess.Popen[bytes]", timeout: float = 30) -> int:
    """SIGTERM, wait for a graceful exit, return the exit code (kill if it hangs)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return -9
    return int(process.returncode)


SERVICES = ("classifier", "notifier", "poller")


@contextlib.contextmanager
def compose_services(config: Path, logs: Path, extra_env: dict[str, str] | None = None,
                     ) -> Iterator[dict[str, int]]:
    """Run the three compose services as processes (logs in ``logs/<name>.log``); on leaving,
    stop them and fill the yielded dict with their exit codes."""
    procs = {name: start(compose_command(name), config, logs / f"{name}.log", extra_env)
             for name in SERVICES}
    codes: dict[str, int] = {}
    try:
        yield codes
    finally:
        codes.update({name: stop(proc) for name, proc in procs.items()})
