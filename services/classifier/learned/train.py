"""Training: one logistic regression per event tag, its C and decision threshold chosen by
stratified cross-validation on the training items only. Deterministic: items sorted by id,
fixed fold seed, a deterministic solver (liblinear on a fixed row order)."""

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from services.classifier.learned.features import TAGS, cue_vector, featurize
from services.classifier.learned.scorer import TagModel
from services.classifier.rules.classify import classify_text

C_GRID = (4.0, 16.0, 64.0)
THRESHOLDS = tuple(np.round(np.arange(0.2, 0.81, 0.05), 2))
SEED = 13


def matrix(items: Sequence[dict[str, Any]]) -> sparse.csr_matrix:
    """Features of labelled items (title, summary), the rules run on each for its cues."""
    titles = [str(i.get("title") or "") for i in items]
    summaries = [str(i.get("summary") or "") for i in items]
    cues = np.vstack([cue_vector(classify_text(t, s)) for t, s in zip(titles, summaries,
                                                                        strict=True)])
    return featurize(titles, summaries, cues)


def _fit(x: sparse.csr_matrix, y: np.ndarray, c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=SEED)
    return model.fit(x, y)


def _f1(y: np.ndarray, predicted: np.ndarray) -> float:
    tp = float(np.sum(predicted & (y == 1)))
    fp, fn = float(np.sum(predicted & (y == 0))), float(np.sum(~predicted & (y == 1)))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def cross_validate(x: sparse.csr_matrix, y: np.ndarray, folds: int = 5,
                   grid: Sequence[float] = C_GRID) -> tuple[float, float, float]:
    """(C, threshold, out-of-fold F1) of the best pair on the grid."""
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=SEED).split(x, y))
    best = (grid[0], 0.5, -1.0)
    for c in grid:
        oof = np.zeros(len(y))
        for fit_rows, held in splits:
            oof[held] = _fit(x[fit_rows], y[fit_rows], c).predict_proba(x[held])[:, 1]
        for t in THRESHOLDS:
            f1 = _f1(y, oof >= t)
            if f1 > best[2]:
                best = (c, float(t), f1)
    return best


def train(items: Sequence[dict[str, Any]], folds: int = 5, grid: Sequence[float] = C_GRID
          ) -> tuple[dict[str, TagModel], dict[str, tuple[float, float, float]]]:
    """Models for both tags from items with a ``labels`` list, and the CV choice per tag."""
    rows = sorted((i for i in items if isinstance(i.get("labels"), list)), key=lambda i: i["id"])
    x = matrix(rows)
    models, chosen = {}, {}
    for name in TAGS:
        y = np.array([int(name in r["labels"]) for r in rows])
        chosen[name] = cross_validate(x, y, folds, grid)
        fitted = _fit(x, y, chosen[name][0])
        models[name] = TagModel(fitted.coef_[0].astype(np.float64),
                                float(fitted.intercept_[0]), chosen[name][1])
    return models, chosen
