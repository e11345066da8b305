"""`stance evaluate`: score a model (or compare two) on labelled files and write reports.

load -> score (through the same StancePipeline the API serves) -> metrics -> baselines ->
error analysis -> report.json / report.md / report.html, written to a temporary directory
and renamed into place only when complete.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import numpy as np

from model.errors import DataError
from model.labels import LABEL2ID, LABELS
from training.metrics import classification_metrics, expected_calibration_error, f_avg, reliability_bins

SCHEMA_VERSION = 1
BOOTSTRAP = 1000
Log = Callable[[str], None]


def score_rows(pipe: Any, rows: list[dict[str, Any]], chunk: int = 256) -> tuple[np.ndarray, float]:
    """Calibrated probabilities for rows, with a progress bar; returns (probs, statements/second)."""
    from tqdm.auto import tqdm

    probs = []
    started = time.perf_counter()
    with tqdm(total=len(rows), desc="scoring", unit="stmt", leave=False) as bar:
        for i in range(0, len(rows), chunk):
            part = rows[i:i + chunk]
            probs.append(pipe.predict_proba([r["text"] for r in part], [r["target"] for r in part]))
            bar.update(len(part))
    seconds = time.perf_counter() - started
    return np.vstack(probs), len(rows) / max(seconds, 1e-9)


def bootstrap_ci(y: np.ndarray, pred: np.ndarray, metric: Callable, n: int = BOOTSTRAP, seed: int = 0) -> list[float]:
    """95% percentile bootstrap interval over rows (resampled with replacement)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(y), size=(n, len(y)))
    values = [metric(y[i], pred[i]) for i in idx]
    return [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]


def macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, pred, labels=list(range(len(LABELS))), average="macro", zero_division=0))


def macro_f1_present(y: np.ndarray, pred: np.ndarray) -> float:
    """Macro-F1 over the gold labels present in a slice: a slice of NEUTRAL-only rows
    (e.g. tag `procedural`) must not be pulled down by two empty classes."""
    from sklearn.metrics import f1_score

    return float(f1_score(y, pred, labels=sorted(set(y.tolist())), average="macro", zero_division=0))


def metrics_for(y: np.ndarray, probs: np.ndarray, ci: bool = True) -> dict[str, Any]:
    pred = probs.argmax(axis=1)
    out = classification_metrics(y.tolist(), pred.tolist())
    out["ece"] = expected_calibration_error(probs, y)
    if ci and len(y) > 1:
        out["ci"] = {"macro_f1": bootstrap_ci(y, pred, macro_f1), "f_avg": bootstrap_ci(y, pred, f_avg),
                     "level": 0.95, "resamples": BOOTSTRAP}
    return out


def breakdowns(rows: list[dict[str, Any]], y: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("target", "conflict", "tags"):
        groups: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            values = row.get(key) if key == "tags" else [row.get(key)]
            for value in values or []:
                if value:
                    groups.setdefault(str(value), []).append(i)
        if len(groups) > (0 if key == "tags" else 1):
            out[key] = {name: {"n": len(ix), "accuracy": float((y[ix] == pred[ix]).mean()),
                               "macro_f1": macro_f1_present(y[ix], pred[ix])}
                        for name, ix in sorted(groups.items(), key=lambda kv: -len(kv[1]))}
    return out


def training_rows(model_dir: Path, log: Log) -> list[dict[str, Any]] | None:
    """The rows the model was trained on, found through its training_config.yaml."""
    from training.config import from_dict
    from training.train import load_training_data

    config_file = model_dir / "training_config.yaml"
    if not config_file.is_file():
        log(f"note: {model_dir} has no training_config.yaml; baselines are skipped")
        return None
    import yaml

    try:
        config = from_dict(yaml.safe_load(config_file.read_text(encoding="utf-8")), str(config_file))
        return load_training_data(config, log=lambda m: None).train
    except (DataError, OSError) as exc:
        log(f"note: the training data named in {config_file} could not be read ({exc}); baselines are skipped")
        return None


def baselines(train: list[dict[str, Any]], rows: list[dict[str, Any]], y: np.ndarray) -> dict[str, Any]:
    """Majority class and TF-IDF + logistic regression, trained on the model's training rows."""
    from sklearn.dummy import DummyClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    def joined(rs: list[dict[str, Any]]) -> list[str]:
        # The target is prefixed so the bag of words can at least see which target is asked about.
        return [f"[{r['target']}] {r['text']}" for r in rs]

    y_train = np.array([LABEL2ID[r["label"]] for r in train])
    out = {}
    majority = DummyClassifier(strategy="most_frequent").fit(joined(train), y_train)
    tfidf = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True),
                          LogisticRegression(max_iter=2000, C=4.0, class_weight="balanced"))
    tfidf.fit(joined(train), y_train)
    for name, clf in (("majority", majority), ("tfidf_lr", tfidf)):
        probs = np.zeros((len(rows), len(LABELS)))
        probs[:, clf.classes_] = clf.predict_proba(joined(rows))
        m = metrics_for(y, probs, ci=False)
        out[name] = {k: m[k] for k in ("accuracy", "macro_f1", "f_avg", "ece", "per_class")}
    out["trained_on_rows"] = len(train)
    return out


def compare(y: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray, seed: int = 0) -> dict[str, Any]:
    """Paired bootstrap of the macro-F1 difference (B - A) and McNemar's exact test on correctness."""
    from scipy.stats import binomtest

    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(y), size=(BOOTSTRAP, len(y)))
    diffs = np.array([macro_f1(y[i], pred_b[i]) - macro_f1(y[i], pred_a[i]) for i in idx])
    a_ok, b_ok = pred_a == y, pred_b == y
    only_a, only_b = int((a_ok & ~b_ok).sum()), int((~a_ok & b_ok).sum())
    p = float(binomtest(only_a, only_a + only_b, 0.5).pvalue) if only_a + only_b else 1.0
    delta = macro_f1(y, pred_b) - macro_f1(y, pred_a)
    return {"macro_f1_delta": float(delta), "ci": [float(np.percentile(diffs, 2.5)), float(np.percentile(diffs, 97.5))],
            "p_bootstrap_b_not_better": float((diffs <= 0).mean()),
            "mcnemar": {"only_a_correct": only_a, "only_b_correct": only_b, "p_value": p}}


def errors_table(rows: list[dict[str, Any]], y: np.ndarray, probs: np.ndarray) -> list[dict[str, Any]]:
    """Misclassified rows, most confident mistakes first."""
    pred = probs.argmax(axis=1)
    wrong = np.where(pred != y)[0]
    order = wrong[np.argsort(-probs[wrong].max(axis=1), kind="stable")]
    return [{"id": rows[i].get("id"), "text": rows[i]["text"], "target": rows[i]["target"], "gold": LABELS[y[i]],
             "predicted": LABELS[pred[i]], "confidence": round(float(probs[i].max()), 4),
             **{f"p_{label}": round(float(probs[i][j]), 4) for j, label in enumerate(LABELS)},
             "conflict": rows[i].get("conflict"), "tags": "|".join(rows[i].get("tags") or [])} for i in order]


def load_eval_rows(paths: list[str], columns: dict[str, str], target: str | None) -> list[dict[str, Any]]:
    from training.data import load_labelled

    rows = []
    for path in paths:
        rows.extend(load_labelled(path, columns, default_target=target))
    if not rows:
        raise DataError(f"{', '.join(paths)}: zero rows to evaluate")
    return rows


def evaluate(
    models: list[str],
    data: list[str],
    out: str | Path,
    *,
    target: str | None = None,
    columns: dict[str, str] | None = None,
    threads: int | None = None,
    log: Log = print,
) -> dict[str, Any]:
    from model.cli import default_threads
    from model.pipeline import StancePipeline

    # load: data first, so bad input fails before any model is loaded or any file written
    rows = load_eval_rows(data, columns or {}, target)
    y = np.array([LABEL2ID[r["label"]] for r in rows])
    out = Path(out)

    # score
    results = []
    for model_path in models:
        pipe = StancePipeline.from_pretrained(model_path, num_threads=threads or default_threads())
        probs, throughput = score_rows(pipe, rows)
        m = metrics_for(y, probs)
        pred = probs.argmax(axis=1)
        entry = {"model": pipe.describe(), "model_path": str(model_path), **m,
                 "reliability": reliability_bins(probs, y), "breakdowns": breakdowns(rows, y, pred),
                 "throughput_statements_per_s": round(throughput, 1), "_probs": probs}
        # baselines, trained on the data this model was trained on
        train = training_rows(Path(model_path), log)
        entry["baselines"] = baselines(train, rows, y) if train else {}
        if entry["baselines"]:
            entry["gain_over"] = {name: {"macro_f1": m["macro_f1"] - b["macro_f1"], "f_avg": m["f_avg"] - b["f_avg"]}
                                  for name, b in entry["baselines"].items() if isinstance(b, dict)}
        results.append(entry)
        log(f"{model_path}: macro-F1 {m['macro_f1']:.3f} [{m['ci']['macro_f1'][0]:.3f}, {m['ci']['macro_f1'][1]:.3f}]  "
            f"F_avg {m['f_avg']:.3f}  ECE {m['ece']:.3f}  ({throughput:.0f} statements/s)")

    # report
    first = results[0]
    report = {k: v for k, v in first.items() if not k.startswith("_")}
    report.update({"schema_version": SCHEMA_VERSION, "data": [str(p) for p in data], "n": len(rows),
                   "label_distribution": dict(Counter(r["label"] for r in rows)),
                   "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
    if len(results) == 2:
        report["comparison"] = {
            "a": results[0]["model_path"], "b": results[1]["model_path"],
            "b_metrics": {k: v for k, v in results[1].items() if not k.startswith("_")},
            **compare(y, results[0]["_probs"].argmax(axis=1), results[1]["_probs"].argmax(axis=1))}
    errors = errors_table(rows, y, first["_probs"])
    write_report(out, report, errors)
    log(f"wrote {out}/report.json, report.md, report.html, errors.csv")
    return report


def write_report(out: Path, report: dict[str, Any], errors: list[dict[str, Any]]) -> None:
    from training.report import render_html, render_markdown

    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        (tmp / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        with (tmp / "errors.csv").open("w", newline="", encoding="utf-8") as handle:
            fields = ["id", "text", "target", "gold", "predicted", "confidence"] + [f"p_{l}" for l in LABELS] + ["conflict", "tags"]
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(errors)
        (tmp / "report.md").write_text(render_markdown(report, errors), encoding="utf-8")
        (tmp / "report.html").write_text(render_html(report, errors), encoding="utf-8")
        from training.train import replace_dir

        replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
