"""Hostile inputs: CPU seconds of redaction and config loading, with the old quadratic
URL-userinfo pattern as the baseline run in the same process.

    python bench/bench_inputs.py
"""

import re
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import record, table
from shared import secrets
from shared.loading import ConfigError, load_config

# The pattern redact() used before issue 15: any letter could start a scheme.
OLD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@")
SHAPES: dict[str, Callable[[int], str]] = {
    "letters": lambda n: "a" * n,
    "password without @": lambda n: "a://x:" + "b" * n,
}


def cpu(action: Callable[[], object]) -> float:
    """CPU seconds of one call."""
    started = time.process_time()
    action()
    return time.process_time() - started


def redaction() -> tuple[list[list[str]], dict[str, float]]:
    """Old pattern vs redact() on adversarial text (the old one only up to 40k: it is slow)."""
    rows: list[list[str]] = []
    figures: dict[str, float] = {}
    for shape, make in SHAPES.items():
        for size in (10_000, 40_000, 1_000_000):
            text = make(size)
            old = cpu(partial(OLD.sub, "", text)) if size <= 40_000 else float("nan")
            new = cpu(partial(secrets.redact, text))
            rows.append([shape, f"{size:,}", f"{old:.4f}", f"{new:.4f}",
                         f"{old / new:,.0f}x" if new and old == old else "-"])
            figures[f"redact_{shape.replace(' ', '_')}_{size}_s"] = round(new, 5)
    return rows, figures


def config_files(tmp: Path) -> tuple[list[list[str]], dict[str, float]]:
    """CPU to refuse each hostile config file (and to load a valid 4 MB one)."""
    bomb = "l0: &l0 [a, a, a, a, a, a, a, a, a]\n" + "".join(
        f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 10))
    files = {"alias bomb (9^10)": bomb.encode(), "200k-deep nesting": b"[" * 200_000,
             "invalid UTF-8": b"feeds: \xff\n", "51 MB": b"#" * (51 << 20),
             "valid, 4 MB (100k feeds)": ("feeds:\n" + "".join(
                 f"  - {{url: 'https://example.org/{i}'}}\n" for i in range(100_000))).encode()}
    rows: list[list[str]] = []
    figures: dict[str, float] = {}
    for name, data in files.items():
        path = tmp / "config.yaml"
        path.write_bytes(data)

        def load(path: Path = path) -> str:
            try:
                return f"{len(load_config(path, env={}).feeds):,} feeds"
            except ConfigError as exc:
                return exc.lines[0].split(": ", 1)[1][:60]
        started = time.process_time()
        outcome = load()
        spent = time.process_time() - started
        rows.append([name, f"{spent:.3f}", outcome])
        figures[f"config_{name.split(' ')[0].lower()}_s"] = round(spent, 4)
    return rows, figures


def main() -> None:
    """Print both tables and record the figures."""
    rows, figures = redaction()
    print(table(["text", "chars", "old pattern s", "redact() s", "ratio"], rows))
    with tempfile.TemporaryDirectory() as tmp:
        more_rows, more = config_files(Path(tmp))
    print(table(["config file", "CPU s", "outcome"], more_rows))
    record("inputs", {**figures, **more})


if __name__ == "__main__":
    main()
