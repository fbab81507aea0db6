"""Training the learned decision is deterministic (here, not in tests/unit: each fit over the
full hashed feature width takes most of a second)."""

from pathlib import Path

import numpy as np

from services.classifier.learned.features import TAGS
from services.classifier.learned.scorer import load, save
from services.classifier.learned.train import train

# A tiny self-written labelled set: (title, labels).
TINY = [
    ("Air force jets bomb rebel depot near the border", ["military_strike"]),
    ("Navy destroyer hits radar site on the coast", ["military_strike"]),
    ("Drones strike fuel refinery overnight, officials say", ["military_strike"]),
    ("Artillery shells army post in the north", ["military_strike"]),
    ("Missile strike destroys bridge used by the militia", ["military_strike"]),
    ("Rockets hit air base housing foreign troops", ["military_strike"]),
    ("Treasury sanctions shipping firms over oil smuggling", ["sanction"]),
    ("EU adopts new sanctions on steel exporters", ["sanction"]),
    ("Britain freezes assets of three bank owners", ["sanction"]),
    ("OFAC designates smuggling network leaders", ["sanction"]),
    ("Canada imposes sanctions on police commanders", ["sanction"]),
    ("US blacklists drone maker and its suppliers", ["sanction"]),
    ("Rail workers strike over pay for a second week", []),
    ("Striker scores twice as the home side wins", []),
    ("Medical board sanctions surgeon for negligence", []),
    ("Bakery wins prize for its sourdough loaf", []),
    ("Teachers plan a strike vote next month", []),
    ("Boxing commission sanctions the title bout", []),
    ("Museum opens a new wing for modern art", []),
    ("Book review: a history of the air war", []),
]


def _items() -> list[dict[str, object]]:
    return [{"id": f"tiny-{i:02d}", "title": t, "summary": "", "labels": labels}
            for i, (t, labels) in enumerate(TINY)]


def test_training_is_deterministic_and_round_trips(tmp_path: Path) -> None:
    """Two trainings on the same items give identical models, and save/load keeps them."""
    first, chosen = train(_items(), folds=2, grid=(1.0,))
    second, _ = train(list(reversed(_items())), folds=2, grid=(1.0,))
    for name in TAGS:
        assert np.array_equal(first[name].weights, second[name].weights)
        assert first[name].bias == second[name].bias and 0.0 <= chosen[name][2] <= 1.0
    save(tmp_path / "m.npz", first)
    loaded = load(tmp_path / "m.npz")
    for name in TAGS:
        assert np.allclose(loaded[name].weights, first[name].weights, atol=1e-6)
        assert loaded[name].threshold == first[name].threshold
