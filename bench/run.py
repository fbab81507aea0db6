"""`make bench`: run every benchmark in turn; each prints its figures next to a baseline."""

import runpy
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ("bench_classifier.py", "bench_model.py", "bench_cluster.py", "bench_poller.py",
         "bench_growth.py", "bench_pipeline.py", "bench_redis_cluster.py", "bench_web.py",
         "bench_inputs.py", "bench_extraction.py")


def main() -> int:
    """Run the benchmarks that exist, in a fixed order; a failing one fails the run."""
    sys.path.insert(0, str(HERE.parent))
    failed = 0
    for name in ORDER:
        path = HERE / name
        if not path.exists():
            continue
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        try:
            runpy.run_path(str(path), run_name="__main__")
        except SystemExit as exc:
            failed += bool(exc.code)
        print(f"--- {name} took {time.perf_counter() - started:.1f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
