"""The quote scorer against hand-computed numbers, and the extract/analyze/evaluate-quotes CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import stance_cli
from model.errors import DataError
from model.quotes import Quote
from training.quote_eval import (
    evaluate_quotes,
    load_gold,
    match_statements,
    words_match,
)

GOLD: dict[str, Any] = {
    "version": 1, "target": "a negotiated ceasefire",
    "articles": [{"id": "t1", "conflict": "test", "text": "unused", "quotes": [
        {"text": "the war must end now", "type": "direct", "speaker": "Anna Kovac", "fragment": False, "stance": "FAVOR"},
        {"text": "talks will resume next week", "type": "indirect", "speaker": "Institute for the Study of War",
         "fragment": False, "stance": "NEUTRAL"},
        {"text": "sell-out", "type": "direct", "speaker": None, "fragment": True, "stance": "AGAINST"},
    ]}],
}


def fake_extractor(_text: str) -> list[Quote]:
    def q(text: str, type_: str, speaker: str | None, fragment: bool = False) -> Quote:
        who = {"text": speaker, "start": 0, "end": 0, "resolved": speaker} if speaker else None
        return Quote(text, 0, 0, [(0, 0)], type_, who, None, fragment, [0])

    return [
        q("the war must end now please", "direct", "Ms Kovac"),  # Jaccard 5/6: match, surname speaker
        q("talks resume", "indirect", "ISW"),  # Jaccard 2/5 < 0.5: no match
        q("sell-out", "direct", None, fragment=True),  # match, null speaker on both sides
        q("completely unrelated words here", "direct", "Someone"),  # spurious
    ]


def test_scores_match_hand_computed_values() -> None:
    report = evaluate_quotes(GOLD, extractor=fake_extractor)
    overall = report["all"]["overall"]
    assert (overall["precision"], overall["recall"]) == (0.5, pytest.approx(2 / 3))
    assert overall["f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert report["all"]["direct"]["precision"] == pytest.approx(2 / 3)
    assert report["all"]["direct"]["recall"] == 1.0
    assert report["all"]["indirect"]["precision"] == 0.0 and report["all"]["indirect"]["recall"] == 0.0
    assert report["all"]["speaker_accuracy"] == 1.0 and report["all"]["speaker_matched"] == 2
    no_frag = report["no_fragments"]["overall"]
    assert (no_frag["precision"], no_frag["recall"]) == (pytest.approx(1 / 3), 0.5)


def test_greedy_matching_is_one_to_one_by_best_jaccard() -> None:
    pairs = match_statements(["a b c", "a b c d"], ["a b c d"])
    assert [(i, j) for i, j, _ in pairs] == [(1, 0)]


@pytest.mark.parametrize("predicted, gold, same", [
    ("Tatiana Stanovaya", "Tatiana Stanovaya", True),
    ("Ms Stanovaya", "Tatiana Stanovaya", True),
    ("Defence Minister Aldo Perrin", "Aldo Perrin", True),
    ("ISW", "The Institute for the Study of War", True),
    ("Institute for the Study of War (ISW)", "ISW", True),
    ("Kremlin", "The Kremlin", True),
    ("Aldo Perrin", "Mara Ilves", False),
    (None, None, True),
    ("Aldo Perrin", None, False),
])
def test_speaker_names_match_across_titles_surnames_and_acronyms(predicted: str | None, gold: str | None, same: bool) -> None:
    assert words_match(predicted, gold) is same


def test_stance_accuracy_through_analyze_article() -> None:
    class AlwaysFavor:
        default_target = "a negotiated ceasefire"

        def predict(self, texts, targets):
            return [{"label": "FAVOR", "scores": {"FAVOR": 1.0, "AGAINST": 0.0, "NEUTRAL": 0.0}, "truncated": False}
                    for _ in texts]

    gold = {"version": 1, "articles": [{"id": "s", "text": "Ms Anna Kovac said: “The war must end now.”", "quotes": [
        {"text": "The war must end now.", "type": "direct", "speaker": "Anna Kovac", "fragment": False, "stance": "FAVOR"}]}]}
    report = evaluate_quotes(gold, pipeline=AlwaysFavor())
    assert report["all"]["stance_accuracy"] == 1.0
    assert report["all"]["overall"]["f1"] == 1.0


def test_bad_gold_files_say_what_was_expected(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        load_gold(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"items": []}', encoding="utf-8")
    with pytest.raises(DataError, match="expected an object with an \"articles\" list; found items"):
        load_gold(bad)


# -- command line ---------------------------------------------------------------------------


def test_extract_prints_quotes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "article.txt"
    article.write_text("Mr Tom Reed said: “We will keep fighting.”\n", encoding="utf-8")
    assert stance_cli.main(["extract", "--input", str(article)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["quotes"][0]["text"] == "We will keep fighting."
    assert out["quotes"][0]["speaker"]["resolved"] == "Tom Reed"


def test_extract_missing_file_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert stance_cli.main(["extract", "--input", str(tmp_path / "nope.txt")]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "--input -" in err


def test_analyze_prints_the_pipeline_analysis(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import model.pipeline

    seen: dict[str, Any] = {}

    class Fake:
        @classmethod
        def from_pretrained(cls, path: str, **_: Any) -> Fake:
            seen["path"] = path
            return cls()

        def analyze(self, text: str, target: str | None = None) -> dict[str, Any]:
            return {"target": target, "quotes": [], "speakers": [], "chars": len(text)}

    monkeypatch.setattr(model.pipeline, "StancePipeline", Fake)
    article = tmp_path / "a.txt"
    article.write_text("Hello.", encoding="utf-8")
    assert stance_cli.main(["analyze", "--input", str(article), "--target", "a truce", "--model", "m"]) == 0
    assert json.loads(capsys.readouterr().out) == {"target": "a truce", "quotes": [], "speakers": [], "chars": 6}
    assert seen["path"] == "m"


def test_evaluate_quotes_prints_a_table_and_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps({"version": 1, "articles": [{"id": "x", "text": "Mr Tom Reed said: “No deal.”", "quotes": [
        {"text": "No deal.", "type": "direct", "speaker": "Tom Reed", "fragment": False, "stance": "AGAINST"}]}]}),
        encoding="utf-8")
    out = tmp_path / "report.json"
    assert stance_cli.main(["evaluate-quotes", "--gold", str(gold), "--out", str(out)]) == 0
    table = capsys.readouterr().out
    assert "speaker accuracy 1.000" in table and "overall" in table
    assert json.loads(out.read_text())["all"]["overall"]["f1"] == 1.0
