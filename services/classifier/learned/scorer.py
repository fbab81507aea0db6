"""The trained model file: per tag, sparse coefficients, a bias and the decision threshold
chosen by cross-validation on the training split. Stored as .npz (no pickle: loading runs
no code from the file)."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from services.classifier.learned.features import N_FEATURES, TAGS, WIDTH, cue_vector, row
from shared.schemas import Tag

MODEL_PATH = Path(__file__).resolve().parent / "data" / "model.npz"


@dataclass(frozen=True)
class TagModel:
    """One tag's linear decision: P(alert) = sigmoid(x . weights + bias) >= threshold."""

    weights: np.ndarray
    bias: float
    threshold: float


def save(path: Path, models: dict[str, TagModel]) -> None:
    """Write the models compactly: only non-zero coefficients, as float32."""
    arrays: dict[str, np.ndarray] = {"width": np.array([WIDTH])}
    for name, m in sorted(models.items()):
        nz = np.flatnonzero(m.weights)
        arrays[f"{name}.idx"] = nz.astype(np.int32)
        arrays[f"{name}.val"] = m.weights[nz].astype(np.float32)
        arrays[f"{name}.bias_threshold"] = np.array([m.bias, m.threshold])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        # numpy's stub types **kwds against its allow_pickle flag; all values are arrays.
        np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]


def load(path: Path = MODEL_PATH) -> dict[str, TagModel]:
    """The models of a file; a file built for other features is refused by name."""
    with np.load(path, allow_pickle=False) as data:
        if int(data["width"][0]) != WIDTH:
            raise ValueError(f"{path}: built for {int(data['width'][0])} features, not {WIDTH}")
        models = {}
        for name in TAGS:
            weights = np.zeros(WIDTH, dtype=np.float64)
            weights[data[f"{name}.idx"]] = data[f"{name}.val"]
            bias, threshold = (float(v) for v in data[f"{name}.bias_threshold"])
            models[name] = TagModel(weights, bias, threshold)
    return models


@cache
def default_models() -> dict[str, TagModel]:
    """The shipped model, loaded once per process."""
    return load()


def scores(title: str, summary: str, rule_tags: list[Tag],
           models: dict[str, TagModel]) -> dict[str, float]:
    """P(alert) per event tag for one article, given the rules' tags for it."""
    columns, values = row(title, summary)
    cues = cue_vector(rule_tags)
    out = {}
    for name, m in models.items():
        z = float(m.weights[columns] @ values) + float(m.weights[3 * N_FEATURES:] @ cues)
        out[name] = _sigmoid(z + m.bias)
    return out


def _sigmoid(z: float) -> float:
    return float(1.0 / (1.0 + np.exp(-z)))
