"""``newsalert eval``/``classify`` through the real entry point: config sources, progress, JSON."""

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from services.cli import main

WATCH = "watch:\n  - name: iraq\n    any: [Iraq]\n"


def _labelled(tmp_path: Path) -> Path:
    rows = [
        {"id": "1", "title": "Drone strike kills two commanders", "labels": ["military_strike"]},
        {"id": "2", "title": "Nurses strike over pay", "labels": []},
        {"id": "u1", "title": "Unsure item", "labels": None},
        {"id": "u2", "title": "No labels at all"},
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n[1, 2]\n", encoding="utf-8")
    return path


def test_top_level_config_reaches_classify(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """``newsalert --config X classify`` uses X's watch topics, as ``classify --config X`` does."""
    config = tmp_path / "c.yaml"
    config.write_text(WATCH, encoding="utf-8")
    assert main(["--config", str(config), "classify", "Quiet day in Iraq"]) == 0
    assert "iraq [watch]" in capsys.readouterr().out
    assert main(["classify", "--config", str(config), "Quiet day in Iraq"]) == 0
    assert "iraq [watch]" in capsys.readouterr().out


def test_environment_config_is_honoured_and_a_bad_one_is_an_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """$NEWSALERT_CONFIG names the config of classify and eval; a missing file exits 2."""
    config = tmp_path / "c.yaml"
    config.write_text(WATCH, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSALERT_CONFIG", str(config))
    assert main(["classify", "Quiet day in Iraq"]) == 0
    assert "iraq [watch]" in capsys.readouterr().out
    monkeypatch.setenv("NEWSALERT_CONFIG", str(tmp_path / "missing.yaml"))
    assert main(["eval", str(_labelled(tmp_path))]) == 2
    assert "missing.yaml" in capsys.readouterr().err


def test_classify_without_any_config_still_works(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """With no --config, no $NEWSALERT_CONFIG and no ./config.yaml, classify runs unconfigured."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSALERT_CONFIG", raising=False)
    assert main(["classify", "Quiet day in Iraq"]) == 0
    assert capsys.readouterr().out.strip() == "no tags"


def test_eval_reports_lines_without_labels(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Unlabelled lines are counted with their first ids, unreadable ones counted too."""
    assert main(["eval", str(_labelled(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "2 labelled items" in out
    assert "2 lines without labels left out (ids: u1, u2)" in out
    assert "1 unreadable lines skipped" in out


def test_eval_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints one object: scores per tag, the unlabelled count and ids, the errors."""
    assert main(["eval", "--json", str(_labelled(tmp_path))]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["items"] == 2 and report["unreadable"] == 1
    assert report["unlabelled"] == {"count": 2, "ids": ["u1", "u2"]}
    assert report["scores"]["military_strike"]["f1"] == 1.0
    assert report["errors"] == []


def test_eval_progress_only_when_asked_or_on_a_terminal(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Progress goes to stderr with --progress; without it, a non-terminal stderr stays empty."""
    path = str(_labelled(tmp_path))
    assert main(["eval", path]) == 0
    assert capsys.readouterr().err == ""
    assert main(["eval", "--progress", "--json", path]) == 0
    captured = capsys.readouterr()
    assert "eval: 2/2 items (100%)" in captured.err
    assert json.loads(captured.out)["items"] == 2


def test_eval_progress_on_a_real_terminal(tmp_path: Path) -> None:
    """When stderr is a terminal (a pty), eval shows progress there without being asked."""
    leader, follower = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "services.cli", "eval",
                           str(_labelled(tmp_path))], stderr=follower,
                          stdout=subprocess.PIPE, timeout=60, check=False)
    os.close(follower)
    seen = os.read(leader, 4096).decode()
    os.close(leader)
    assert proc.returncode == 0 and "eval: 2/2 items (100%)" in seen


def test_eval_behaviour_prints_rates_per_capability(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """eval on a suite file (or --behaviour) prints each capability's pass rate; --json too."""
    suite = tmp_path / "cases.jsonl"
    suite.write_text(json.dumps({"id": "a", "capability": "voice", "expect": {"sanction":
                     "occurred"}, "title": "Canada imposes sanctions on five officials"}) + "\n",
                     encoding="utf-8")
    assert main(["eval", str(suite)]) == 0
    assert capsys.readouterr().out.splitlines()[1].split() == ["voice", "1", "1", "1.000",
                                                              "1.000"]
    assert main(["eval", "--behaviour", "--json", str(suite)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["capabilities"]["voice"]["rate"] == 1.0
    assert report["minimal_pairs"] == {"pairs": 0, "both_right": 0}


def test_eval_behaviour_defaults_to_the_checkout_suite(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """--behaviour without a file runs tests/behaviour/cases.jsonl; no file and no flag is 2."""
    monkeypatch.chdir(Path(__file__).parents[3])
    assert main(["eval", "--behaviour", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["file"] == "tests/behaviour/cases.jsonl"
    assert sum(c["cases"] for c in report["capabilities"].values()) >= 300
    assert main(["eval"]) == 2
    assert "--behaviour" in capsys.readouterr().err
