"""Hostile config files: every one is refused with one line and exit 2, fast and bounded."""

import os
import resource
from collections.abc import Callable
from pathlib import Path

import pytest

from services.cli import main
from shared import safeyaml
from shared.loading import ConfigError, load_config


def _bomb(levels: int = 9) -> bytes:
    """The "billion laughs" in YAML: each anchor lists the previous one nine times."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


def _write(data: bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / "config.yaml"
        path.write_bytes(data)
        return path
    return make


def _fifo(tmp: Path) -> Path:
    path = tmp / "config.yaml"
    os.mkfifo(path)
    return path


def _directory(tmp: Path) -> Path:
    path = tmp / "config.yaml"
    path.mkdir()
    return path


def _too_large(tmp: Path) -> Path:
    path = tmp / "config.yaml"
    with path.open("wb") as handle:  # sparse: 50 MB without writing them
        handle.truncate(50 << 20)
    return path


# (how to make the file, what the one error line must say)
HOSTILE: list[tuple[Callable[[Path], Path], str]] = [
    (_write(b"feeds: []\nwatch:\n  - name: caf\xe9\n"), "line 3, column 14: not valid UTF-8"),
    (_write(b"\xff\xfe" + "feeds: []\n".encode("utf-16-le")), "not valid UTF-8"),
    (_write(b"a: " + b"[" * 200_000 + b"]" * 200_000 + b"\n"), "nesting depth"),
    (_write(b"".join(b"  " * i + f"k{i}:\n".encode() for i in range(500))), "deeper than 50"),
    (_write(_bomb()), "alias bomb"),
    (_write(b"a: &a [*a]\n"), "recursive structure"),
    (_write(b"log_level: " + b"9" * 10_000 + b"\n"), "unusable value"),
    (_write(b"- just\n- a list\n"), "top level must be a mapping"),
    (_write(b"feeds: [\x00]\n"), "line 1"),
    (_fifo, "is a FIFO (named pipe), not a regular file"),
    (_directory, "is a directory, not a regular file"),
    (_too_large, "larger than the 5 MB limit"),
    (lambda _tmp: Path("/dev/zero"), "is a character device"),
    (lambda _tmp: Path("/dev/null"), "is a character device"),
    (lambda tmp: tmp / "missing.yaml", "No such file or directory"),
]


@pytest.mark.parametrize(("make", "needle"), HOSTILE)
def test_hostile_file_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            make: Callable[[Path], Path], needle: str) -> None:
    """check-config refuses each hostile file with exit 2 and one line naming file and problem."""
    path = make(tmp_path)
    code = main(["check-config", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1, err
    assert str(path) in err[0] and needle in err[0], err[0]


def test_service_start_refuses_hostile_file_with_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A service started on an alias bomb exits 2 with one line before touching Redis."""
    path = _write(_bomb())(tmp_path)
    code = main(["classifier", "--config", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "alias bomb" in err[0]


def test_alias_bomb_is_refused_without_expanding_it(tmp_path: Path) -> None:
    """Refusing a 10-level alias bomb costs well under a second of CPU and no memory growth."""
    path = _write(_bomb(10))(tmp_path)
    before_cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ConfigError):
        load_config(path)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_utime - before_cpu < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_rss < 50_000  # KiB


def test_aliases_within_the_cap_still_work(tmp_path: Path) -> None:
    """Ordinary anchors and merge keys keep working: only expansion past the cap is refused."""
    text = """
defaults: &hook {urls: ["json://127.0.0.1:9/hook"], tags: [military_strike]}
subscriptions:
  - {<<: *hook, name: desk-a}
  - {<<: *hook, name: desk-b}
"""
    data = safeyaml.load(text)
    data.pop("defaults")
    assert [s["name"] for s in data["subscriptions"]] == ["desk-a", "desk-b"]
    assert data["subscriptions"][1]["urls"] == ["json://127.0.0.1:9/hook"]


def test_bad_env_override_names_the_variable(tmp_path: Path) -> None:
    """An env override holding an alias bomb names the variable, not a traceback."""
    path = _write(b"feeds: []\n")(tmp_path)
    bomb = _bomb().decode().replace("\n", ", ").rstrip(", ")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={"NEWSALERT_WATCH": "{" + bomb + "}"})
    assert caught.value.lines[0].startswith("environment variable NEWSALERT_WATCH:")
