"""The quote extractor against the project's gold articles: the development set and a held-out set.

The development set (gold.json) is what the rules were tuned on; the held-out set
(heldout.json) was written separately and never used for tuning, so it is the honest score.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from training.quote_eval import evaluate_quotes, load_gold

DATA = Path(__file__).resolve().parent.parent / "data" / "quotes"


@pytest.fixture(scope="module")
def scores() -> dict[str, dict]:
    return {name: evaluate_quotes(load_gold(DATA / f"{name}.json"))["all"] for name in ("gold", "heldout")}


def test_development_set_meets_the_goals(scores: dict[str, dict]) -> None:
    gold = scores["gold"]
    assert gold["overall"]["f1"] >= 0.90
    assert gold["speaker_accuracy"] >= 0.90
    for kind in ("direct", "indirect", "mixed"):
        assert gold[kind]["f1"] >= 0.85, kind


def test_held_out_set(scores: dict[str, dict]) -> None:
    held = scores["heldout"]
    assert held["overall"]["f1"] >= 0.90
    assert held["overall"]["gold"] == 163
    # Speaker accuracy on the held-out set is 0.86 today, short of the 0.90 goal; this floor
    # catches regressions, and the README reports the gap.
    assert held["speaker_accuracy"] >= 0.85


def test_second_development_set() -> None:
    # dev2.json is a development set (the speaker rules were improved on it), not a held-out
    # score; the floor is what the rules reach today (0.876) minus 0.02.
    dev2 = evaluate_quotes(load_gold(DATA / "dev2.json"))["all"]
    assert dev2["overall"]["f1"] >= 0.95
    assert dev2["speaker_accuracy"] >= 0.85
