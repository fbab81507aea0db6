"""bench/results.json: each benchmark records its figures under its own section.

Sections are merged, so running one benchmark alone keeps the others' latest figures.
"""

import json
import os
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

from shared.redis_binaries import find_redis_binary

RESULTS = Path(__file__).resolve().parent / "results.json"


def machine() -> dict[str, Any]:
    """What the figures were measured on: they mean little without it."""
    try:
        server = find_redis_binary("redis-server") or "redis-server"
        redis = subprocess.run([server, "--version"], capture_output=True, text=True,
                               check=False, timeout=5).stdout.strip()
    except OSError:
        redis = "absent"
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "processor": platform.processor() or platform.machine(),
            "redis": redis}


def record(section: str, figures: dict[str, Any]) -> None:
    """Store ``figures`` as ``section`` in bench/results.json with the time and machine."""
    data: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data["machine"] = machine()
    data[section] = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                     **figures}
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A plain-text table: right-aligned numbers, one row per line."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
