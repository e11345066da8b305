"""analyze_article with a fake classifier: shapes, fragments in context, speaker summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from model.analyze import analyze_article

ARTICLE = ("Ms Lena Marsh said: “The talks must start now.”\n"
           "The leaders had a “productive” call on Tuesday.\n"
           "Mr Tom Reed said the war would go on.")


class FakePipeline:
    """FAVOR for anything mentioning talks, AGAINST otherwise; records what it was asked."""

    default_target = "a negotiated ceasefire"

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], list[str]]] = []

    def predict(self, texts: Sequence[str], targets: Sequence[str]) -> list[dict[str, Any]]:
        self.calls.append((list(texts), list(targets)))
        out = []
        for text in texts:
            label = "FAVOR" if "talks" in text or "productive" in text else "AGAINST"
            scores = {"FAVOR": 0.1, "AGAINST": 0.1, "NEUTRAL": 0.1}
            scores[label] = 0.8
            out.append({"label": label, "scores": scores, "truncated": False})
        return out


def test_every_statement_gets_a_stance_and_speakers_are_summarised() -> None:
    pipe = FakePipeline()
    result = analyze_article(pipe, ARTICLE)
    assert result["target"] == "a negotiated ceasefire"
    texts = [q["text"] for q in result["quotes"]]
    assert texts == ["The talks must start now.", "productive", "the war would go on"]
    assert [q["stance"]["label"] for q in result["quotes"]] == ["FAVOR", "FAVOR", "AGAINST"]
    assert set(result["quotes"][0]["stance"]) == {"label", "scores"}
    speakers = {s["speaker"]: s for s in result["speakers"]}
    assert speakers["Lena Marsh"]["statements"] == 1
    assert speakers["Lena Marsh"]["labels"] == {"FAVOR": 1, "AGAINST": 0, "NEUTRAL": 0}
    assert speakers["Tom Reed"]["mean_scores"]["AGAINST"] == 0.8
    assert len(pipe.calls) == 1  # one batch per article


def test_fragments_are_classified_in_the_context_of_their_sentence() -> None:
    pipe = FakePipeline()
    analyze_article(pipe, ARTICLE, target="a truce")
    texts, targets = pipe.calls[0]
    assert "The leaders had a “productive” call on Tuesday." in texts
    assert targets == ["a truce"] * len(texts)


def test_an_article_without_statements_does_not_call_the_model() -> None:
    pipe = FakePipeline()
    assert analyze_article(pipe, "Nothing was said today.") == {
        "target": "a negotiated ceasefire", "quotes": [], "speakers": []}
    assert pipe.calls == []


def test_the_real_pipeline_analyzes_an_article(tiny_pipeline) -> None:
    """End to end through StancePipeline.analyze with the tiny random checkpoint."""
    result = tiny_pipeline.analyze(ARTICLE)
    assert [q["text"] for q in result["quotes"]] == ["The talks must start now.", "productive", "the war would go on"]
    for quote in result["quotes"]:
        assert quote["stance"]["label"] in ("FAVOR", "AGAINST", "NEUTRAL")
        assert abs(sum(quote["stance"]["scores"].values()) - 1.0) < 1e-5
    assert {s["speaker"] for s in result["speakers"]} == {"Lena Marsh", "Tom Reed"}
