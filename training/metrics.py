"""Classification metrics (scikit-learn), expected calibration error, temperature fitting."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from model.labels import LABELS

ECE_BINS = 15


def classification_metrics(y_true: Sequence[int], y_pred: Sequence[int], labels: Sequence[str] = LABELS) -> dict[str, Any]:
    """Accuracy, macro-F1, F_avg (mean F1 of FAVOR and AGAINST, SemEval-2016), per-class P/R/F1."""
    ids = list(range(len(labels)))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=ids, zero_division=0)
    per_class = {label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
                 for i, label in enumerate(labels)}
    return {
        "n": int(len(y_true)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=ids, average="macro", zero_division=0)),
        "f_avg": f_avg(y_true, y_pred, labels),
        "per_class": per_class,
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=ids).tolist(),
    }


def f_avg(y_true: Sequence[int], y_pred: Sequence[int], labels: Sequence[str] = LABELS) -> float:
    ids = [labels.index("FAVOR"), labels.index("AGAINST")]
    return float(f1_score(y_true, y_pred, labels=ids, average="macro", zero_division=0))


def reliability_bins(probs: np.ndarray, y_true: Sequence[int], bins: int = ECE_BINS) -> list[dict[str, float]]:
    """Per-bin counts, accuracy and mean confidence of the predicted (top) label.

    Equal-width bins; bin i holds confidences in (edges[i], edges[i+1]], the first also takes 0.
    """
    probs = np.asarray(probs, dtype=np.float64)
    y = np.asarray(y_true)
    confidence = probs.max(axis=1) if len(y) else np.zeros(0)
    correct = (probs.argmax(axis=1) == y).astype(np.float64) if len(y) else np.zeros(0)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    out = []
    for b in range(bins):
        mask = which == b
        out.append({"lo": float(edges[b]), "hi": float(edges[b + 1]), "count": int(mask.sum()),
                    "accuracy": float(correct[mask].mean()) if mask.any() else 0.0,
                    "confidence": float(confidence[mask].mean()) if mask.any() else 0.0})
    return out


def expected_calibration_error(probs: np.ndarray, y_true: Sequence[int], bins: int = ECE_BINS) -> float:
    """Top-label ECE: the count-weighted mean over bins of |accuracy - mean confidence|.

    Written here because scikit-learn only offers a binary calibration curve.
    """
    table = reliability_bins(probs, y_true, bins)
    total = sum(b["count"] for b in table)
    if total == 0:
        return 0.0
    return float(sum(b["count"] / total * abs(b["accuracy"] - b["confidence"]) for b in table))


def fit_temperature(logits: np.ndarray, y_true: Sequence[int]) -> float:
    """The temperature T minimising dev NLL of softmax(logits / T) (Guo et al., 2017).

    One scalar, fitted with L-BFGS on log T so T stays positive.
    """
    import torch

    x = torch.as_tensor(np.asarray(logits), dtype=torch.float64)
    y = torch.as_tensor(np.asarray(y_true), dtype=torch.long)
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200, line_search_fn="strong_wolfe")
    loss_fn = torch.nn.CrossEntropyLoss()

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = loss_fn(x / log_t.exp(), y)
        loss.backward()
        return loss

    optimizer.step(closure)
    temperature = float(log_t.exp().item())
    return float(np.clip(temperature, 0.05, 20.0))


def nll(probs: np.ndarray, y_true: Sequence[int]) -> float:
    probs = np.asarray(probs, dtype=np.float64)
    y = np.asarray(y_true)
    return float(-np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, 1.0)).mean()) if len(y) else 0.0
