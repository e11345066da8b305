"""Whole-article analysis: every statement, who said it, and its stance toward a target.

`StancePipeline.analyze` calls `analyze_article`; evaluation calls it too, so what we
evaluate is what we serve.

>>> class Fixed:  # any object with default_target and predict(texts, targets)
...     default_target = "a negotiated ceasefire"
...     def predict(self, texts, targets):
...         return [{"label": "FAVOR", "scores": {"FAVOR": .8, "AGAINST": .1, "NEUTRAL": .1},
...                  "truncated": False} for _ in texts]
>>> out = analyze_article(Fixed(), 'Ms Lena Marsh said: “Talk now.”')
>>> out["speakers"][0]["speaker"], out["speakers"][0]["labels"]["FAVOR"]
('Lena Marsh', 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from model.labels import LABELS
from model.quotes import Quote, extract_quotes


class Classifier(Protocol):
    """What analyze_article needs from a pipeline."""

    default_target: str

    def predict(self, texts: Sequence[str], targets: Sequence[str]) -> list[dict[str, Any]]: ...


def statement_input(article: str, quote: Quote) -> str:
    """The text the classifier reads: fragments in the context of their sentence.

    A scare quote such as “flattering” carries no stance alone; its sentence does.
    """
    if quote.fragment and quote.context is not None:
        start, end = quote.context
        sentence = article[start:end].strip()
        if sentence:
            return sentence
    return quote.text


def analyze_article(pipeline: Classifier, text: str, target: str | None = None) -> dict[str, Any]:
    """Extract statements from `text`, classify each, and summarise by speaker."""
    # extract
    target = target or pipeline.default_target
    quotes = extract_quotes(text)

    # classify, one batch for the whole article
    inputs = [statement_input(text, q) for q in quotes]
    results = pipeline.predict(inputs, [target] * len(inputs)) if inputs else []

    # summarise
    rows: list[dict[str, Any]] = []
    by_speaker: dict[str, dict[str, Any]] = {}
    for quote, result in zip(quotes, results):
        scores = {label: float(result["scores"].get(label, 0.0)) for label in LABELS}
        row = quote.to_dict()
        row["stance"] = {"label": result["label"], "scores": scores}
        rows.append(row)
        name = (quote.speaker or {}).get("resolved")
        if not name:
            continue
        entry = by_speaker.setdefault(name, {
            "speaker": name, "statements": 0,
            "labels": {label: 0 for label in LABELS},
            "mean_scores": {label: 0.0 for label in LABELS},
        })
        entry["statements"] += 1
        if result["label"] in entry["labels"]:
            entry["labels"][result["label"]] += 1
        for label in LABELS:
            entry["mean_scores"][label] += scores[label]
    for entry in by_speaker.values():
        entry["mean_scores"] = {k: v / entry["statements"] for k, v in entry["mean_scores"].items()}
    return {"target": target, "quotes": rows, "speakers": list(by_speaker.values())}
