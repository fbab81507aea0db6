"""The classify and eval subcommands, driven through a parser built with add_commands."""

import argparse
import io
import json
from pathlib import Path

import pytest

from services.classifier.commands import add_commands, classify_stream


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="newsalert")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


def test_classify_text_prints_tags_fields_and_evidence(capsys: pytest.CaptureFixture[str]) -> None:
    """A headline prints each tag with modality, confidence, fields and evidence."""
    assert _run(["classify", "US", "jets", "strike", "militia", "depots", "in", "Iraq"]) == 0
    out = capsys.readouterr().out
    assert "military_strike [event] modality=occurred" in out
    assert "evidence: US jets strike militia depots in Iraq" in out
    assert "country: Iraq" in out


def test_classify_text_without_tags(capsys: pytest.CaptureFixture[str]) -> None:
    """A headline without events says so and still exits 0."""
    assert _run(["classify", "Bakery wins a prize"]) == 0
    assert "no tags" in capsys.readouterr().out


def test_classify_jsonl_streams_tags_events_and_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each input line gives one output line; bad lines give an error record, exit 0."""
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([
        json.dumps({"id": "a", "title": "EU weighs new sanctions on the regime"}),
        "{not json",
        json.dumps({"id": "c", "title": 5}),
        json.dumps({"id": "d", "title": "Drone strike kills two commanders", "summary": ""}),
    ]) + "\n", encoding="utf-8")
    assert _run(["classify", "--jsonl", str(src)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["id"] for x in lines] == ["a", None, "c", "d"]
    assert lines[0]["tags"] == [] and lines[0]["events"][0]["modality"] == "considered"
    assert "error" in lines[1] and "error" in lines[2]
    assert lines[3]["tags"] == ["military_strike"]
    assert lines[3]["events"][0]["evidence"][0]["cues"]


def test_classify_stream_reads_any_iterable() -> None:
    """The streaming core works on stdin-like iterables and skips blank lines."""
    out = io.StringIO()
    classify_stream(['{"id": 1, "title": "Canada imposes sanctions on five officials"}', ""],
                    out, None)
    record = json.loads(out.getvalue())
    assert record["id"] == 1 and record["tags"] == ["sanction"]


def test_config_watch_topics_and_config_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--config loads watch topics; an unusable config prints its lines and returns 2."""
    good = tmp_path / "good.yaml"
    good.write_text("watch:\n  - name: iraq\n    any: [Iraq]\n", encoding="utf-8")
    assert _run(["classify", "--config", str(good), "Quiet day in Iraq"]) == 0
    assert "iraq [watch]" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("watch:\n  - name: x\n    regex: ['(oops']\n", encoding="utf-8")
    assert _run(["classify", "--config", str(bad), "anything"]) == 2
    assert "'(oops'" in capsys.readouterr().err
    assert _run(["classify", "--config", str(tmp_path / "missing.yaml"), "x"]) == 2


def test_eval_prints_scores_and_misclassified(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """eval prints per-tag precision/recall/F1/support and lists the misclassified items."""
    src = tmp_path / "dev.jsonl"
    rows = [
        {"id": "1", "title": "Drone strike kills two commanders", "labels": ["military_strike"]},
        {"id": "2", "title": "Nurses strike over pay", "labels": []},
        {"id": "3", "title": "Bakery wins a prize", "labels": ["sanction"]},
        {"id": "4", "title": "Unsure item", "labels": None},
    ]
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert _run(["eval", str(src), "--show-errors", "5"]) == 0
    out = capsys.readouterr().out
    assert "3 labelled items" in out
    assert "military_strike        1.000     1.000     1.000        1" in out
    assert "3: expected=['sanction'] got=[] | Bakery wins a prize" in out
