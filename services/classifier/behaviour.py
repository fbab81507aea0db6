"""The behavioural suite (CheckList style): pass rate of the classifier per capability.

A case is one JSONL line ``{"id", "capability", "title", "summary"?, "expect"}`` where
``expect`` maps each event type the text reports to its modality; an event type missing from
``expect`` must get no tag at all (not even a non-alerting one), because a rail strike
tagged ``military_strike: historical`` is still a wrong reading. "alerts right" is the looser
figure: the alerting tags are right, whatever the non-alerting readings.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.classifier.classify import classify_article
from shared.schemas import ALERTING_MODALITIES, EventType

DEFAULT_SUITE = Path("tests/behaviour/cases.jsonl")
EVENT_TYPES = [t.value for t in EventType]
ALERTING = {m.value for m in ALERTING_MODALITIES}


@dataclass
class CapabilityResult:
    """How many cases of one capability passed, and the ones that did not."""

    passed: int = 0
    total: int = 0
    alert_passed: int = 0  # cases whose alerting tags are right, whatever the modality
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def load_cases(path: Path | str) -> list[dict[str, Any]]:
    """The cases of a suite file; a malformed line raises ValueError naming its line number."""
    cases = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            case = json.loads(line)
            if not (isinstance(case, dict) and isinstance(case.get("title"), str)
                    and isinstance(case.get("capability"), str)
                    and isinstance(case.get("expect"), dict)
                    and set(case["expect"]) <= set(EVENT_TYPES)):
                raise ValueError(f"{path}:{number}: a case needs title, capability and "
                                 f"expect (a map of {', '.join(EVENT_TYPES)} to a modality)")
            cases.append(case)
    return cases


def is_suite(item: dict[str, Any]) -> bool:
    """True for a behavioural case (as opposed to a labelled corpus item)."""
    return "capability" in item and isinstance(item.get("expect"), dict)


def readings(title: str, summary: str = "") -> dict[str, str]:
    """Each built-in event type the classifier tags, with the modality it gives."""
    found: dict[str, str] = {}
    for tag in classify_article(title, summary):
        if tag.kind == "event" and tag.name not in found:
            found[tag.name] = tag.modality.value
    return found


def run_suite(cases: list[dict[str, Any]], progress: Callable[[int, int], None] | None = None
              ) -> dict[str, CapabilityResult]:
    """Per capability (in order of first appearance): passes, total and failing cases."""
    results: dict[str, CapabilityResult] = {}
    for done, case in enumerate(cases, 1):
        got = readings(case["title"], case.get("summary") or "")
        result = results.setdefault(case["capability"], CapabilityResult())
        result.total += 1
        result.alert_passed += _alerting(got) == _alerting(case["expect"])
        if got == case["expect"]:
            result.passed += 1
        else:
            result.failures.append({"id": case.get("id"), "title": case["title"],
                                    "expected": case["expect"], "got": got})
        if progress is not None:
            progress(done, len(cases))
    return results


def pairs_right(cases: list[dict[str, Any]], results: dict[str, CapabilityResult]
                ) -> tuple[int, int]:
    """Minimal pairs (cases sharing a ``pair`` id) read right on both sides, and all pairs."""
    failing = {f["id"] for r in results.values() for f in r.failures}
    pairs: dict[str, list[Any]] = {}
    for case in cases:
        if case.get("pair"):
            pairs.setdefault(case["pair"], []).append(case.get("id"))
    right = sum(not failing & set(ids) for ids in pairs.values())
    return right, len(pairs)


def _alerting(readings: dict[str, str]) -> set[str]:
    return {name for name, modality in readings.items() if modality in ALERTING}


def report_lines(results: dict[str, CapabilityResult], show_failures: int) -> list[str]:
    """The per-capability table, then up to ``show_failures`` failing cases."""
    lines = [f"{'capability':<24}{'cases':>7}{'passed':>8}{'rate':>8}{'alerts right':>14}"]
    for name, r in results.items():
        lines.append(f"{name:<24}{r.total:>7}{r.passed:>8}{r.rate:>8.3f}"
                     f"{r.alert_passed / max(r.total, 1):>14.3f}")
    total = sum(r.total for r in results.values())
    passed = sum(r.passed for r in results.values())
    alerts = sum(r.alert_passed for r in results.values())
    lines.append(f"{'all':<24}{total:>7}{passed:>8}{passed / max(total, 1):>8.3f}"
                 f"{alerts / max(total, 1):>14.3f}")
    failures = [f for r in results.values() for f in r.failures][: max(show_failures, 0)]
    if failures:
        lines.append(f"\nfailing cases (showing {len(failures)}):")
    lines += [f"  {f['id']}: expected={f['expected']} got={f['got']} | {f['title']}"
              for f in failures]
    return lines


def as_json(results: dict[str, CapabilityResult]) -> dict[str, Any]:
    """The machine-readable form of a suite run."""
    return {"capabilities": {name: {"cases": r.total, "passed": r.passed, "rate": r.rate,
                                    "alerts_right": r.alert_passed, "failures": r.failures}
                             for name, r in results.items()}}
