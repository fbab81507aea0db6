"""`make train`: fit the learned decision on the corpus's training split and write the model
file kept in the repo. The frozen split is never read here. Skips (exit 0) without the data.

Run: ``python bench/train_model.py [--out PATH]``.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval_corpus import CORPUS
from eval_pool import data_dir, load_items

from services.classifier.learned.scorer import MODEL_PATH, save
from services.classifier.learned.train import train


def main(argv: list[str] | None = None) -> int:
    """Train on split == train only, print the CV choice per tag, write the model."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    items = [i for i in load_items(CORPUS) if i["split"] == "train"]
    if not items:
        print(f"skipped training: shared data not found under {data_dir()}")
        return 0
    started = time.perf_counter()
    models, chosen = train(items)
    for name, (c, threshold, f1) in chosen.items():
        print(f"{name:<18} C={c:<5} threshold={threshold:.2f}  5-fold CV F1 on train {f1:.3f}")
    save(args.out, models)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB) from {len(items)} "
          f"training items in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
