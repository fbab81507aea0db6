"""``newsalert eval-clusters``: the label file and the pool come from the command line."""

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from services.cli import main

# Self-written reports: two outlets on one strike, one unrelated sanctions action.
REPORTS = [
    ("https://a.example/1", "2024-03-04T08:00:00+00:00", "Missiles hit Kharkiv power plant",
     "Russian missiles struck a power plant in Kharkiv overnight, officials said."),
    ("https://b.example/1", "2024-03-04T09:00:00+00:00", "Kharkiv power plant hit by missiles",
     "A power plant in Kharkiv was struck by Russian missiles overnight."),
    ("https://c.example/1", "2024-03-04T10:00:00+00:00", "EU sanctions three shipping firms",
     "The European Union imposed sanctions on three shipping firms on Monday."),
]


def _write(tmp_path: Path) -> tuple[Path, Path]:
    pool, labels = tmp_path / "pool.jsonl.gz", tmp_path / "labels.jsonl"
    rows = [{"link": link, "date_published": when, "title": title, "description": text,
             "feed": link.split("/")[2]} for link, when, title, text in REPORTS]
    with gzip.open(pool, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in rows)
    ids = [hashlib.sha1(r["link"].encode()).hexdigest()[:16] for r in rows]
    events = ["kharkiv", "kharkiv", "eu-ships"]
    splits = {"kharkiv": "frozen", "eu-ships": "tune"}
    labels.write_text("".join(json.dumps({"id": i, "event": e, "split": splits[e]}) + "\n"
                              for i, e in zip(ids, events, strict=True)))
    return pool, labels


def test_eval_clusters_reads_the_given_files(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The figures are computed over the pool and labels named by --pool and --labels, per
    split: the strike's two outlets fold into one alert, nothing is missed or duplicated."""
    pool, labels = _write(tmp_path)
    assert main(["eval-clusters", "--labels", str(labels), "--pool", str(pool), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert (figures["all"]["reports"], figures["all"]["events"]) == (3, 2)
    assert (figures["frozen"]["events"], figures["tune"]["events"]) == (1, 1)
    assert figures["all"]["precision"] == 1.0 and figures["all"]["recall"] == 1.0
    assert figures["all"]["missed_per_100"] == 0 and figures["all"]["duplicates_per_100"] == 0


def test_eval_clusters_missing_label_file_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An absent label file exits 2 naming the path, instead of a traceback."""
    pool, _ = _write(tmp_path)
    missing = tmp_path / "nope.jsonl"
    assert main(["eval-clusters", "--labels", str(missing), "--pool", str(pool)]) == 2
    assert str(missing) in capsys.readouterr().err
