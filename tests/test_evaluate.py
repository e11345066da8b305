"""Evaluation reports: metrics against hand-computed values, valid HTML with plots, compare mode, bad input."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from model.errors import DataError
from training.metrics import classification_metrics, expected_calibration_error, fit_temperature

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "stance"


def test_metrics_match_hand_computed_values() -> None:
    # gold:      F F A A N N ; predicted: F A A A N F
    y_true = [0, 0, 1, 1, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 0]
    m = classification_metrics(y_true, y_pred)
    # FAVOR: P 1/2, R 1/2, F1 .5 ; AGAINST: P 2/3, R 1, F1 .8 ; NEUTRAL: P 1, R 1/2, F1 2/3
    assert m["per_class"]["FAVOR"]["f1"] == pytest.approx(0.5)
    assert m["per_class"]["AGAINST"]["precision"] == pytest.approx(2 / 3)
    assert m["per_class"]["AGAINST"]["f1"] == pytest.approx(0.8)
    assert m["per_class"]["NEUTRAL"]["f1"] == pytest.approx(2 / 3)
    assert m["macro_f1"] == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)
    assert m["f_avg"] == pytest.approx((0.5 + 0.8) / 2)
    assert m["accuracy"] == pytest.approx(4 / 6)
    assert m["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]


def test_ece_matches_hand_computed_value() -> None:
    # Two bins used: conf .9 (bin 13: (0.8667, 0.9333]) twice, one right one wrong -> |.5-.9| * 2/4;
    # conf .6 (bin 8: (0.5333, 0.6]) twice, both right -> |1-.6| * 2/4.  ECE = .2 + .2 = .4
    probs = np.array([[0.9, 0.05, 0.05], [0.9, 0.05, 0.05], [0.2, 0.6, 0.2], [0.2, 0.6, 0.2]])
    assert expected_calibration_error(probs, [0, 1, 1, 1]) == pytest.approx(0.4)
    assert expected_calibration_error(np.array([[1.0, 0, 0]]), [0]) == pytest.approx(0.0)


def test_temperature_fit_softens_overconfident_logits() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 400)
    logits = rng.normal(0, 1, (400, 3))
    logits[np.arange(400), y] += 1.0
    assert fit_temperature(logits * 8, y) > 4  # logits scaled up 8x need a large temperature back


@pytest.fixture(scope="module")
def trained_pair(tiny_checkpoint: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from training.config import load_config
    from training.train import train

    root = tmp_path_factory.mktemp("eval-models")
    repo = FIXTURES.parent.parent.parent
    base = [f"base_encoder={tiny_checkpoint}", f"data.dev={FIXTURES / 'dev.jsonl'}", f"data.test=[{FIXTURES / 'test.jsonl'}]",
            f"data.train=[{{path: {FIXTURES / 'train.jsonl'}, weight: 1.0}}]"]
    a = train(load_config(repo / "configs" / "tiny.yaml", base), root / "a", log=lambda m: None)
    b = train(load_config(repo / "configs" / "tiny.yaml", base + ["seed=8", "epochs=3"]), root / "b", log=lambda m: None)
    return a, b


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.images: list[str] = []
        self.external: list[str] = []
        self.void = {"meta", "img", "br", "hr", "link", "input"}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        for key in ("src", "href"):
            if str(attrs.get(key, "")).startswith(("http:", "https:", "//")):
                self.external.append(attrs[key])
        if tag not in self.void:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> after {self.stack[-3:]}"
        self.stack.pop()


def test_report_files_and_schema(trained_pair: tuple[Path, Path], tmp_path: Path) -> None:
    from training.evaluate import evaluate

    out = tmp_path / "report"
    evaluate([str(trained_pair[0])], [str(FIXTURES / "test.jsonl"), str(FIXTURES / "dev.jsonl")], out, log=lambda m: None)
    assert sorted(p.name for p in out.iterdir()) == ["errors.csv", "report.html", "report.json", "report.md"]
    report = json.loads((out / "report.json").read_text())
    for key in ("macro_f1", "f_avg", "per_class", "confusion_matrix", "ece", "ci", "baselines", "breakdowns", "accuracy",
                "throughput_statements_per_s", "schema_version"):
        assert key in report
    assert {"majority", "tfidf_lr"} <= set(report["baselines"])
    assert report["ci"]["macro_f1"][0] <= report["macro_f1"] <= report["ci"]["macro_f1"][1]
    assert {"conflict", "tags"} <= set(report["breakdowns"])
    assert report["n"] == 12
    # The majority baseline predicts one class: its macro-F1 is at most a third.
    assert report["baselines"]["majority"]["macro_f1"] <= 1 / 3 + 1e-9
    errors = (out / "errors.csv").read_text().splitlines()
    wrong = sum(report["confusion_matrix"][i][j] for i in range(3) for j in range(3) if i != j)
    assert len(errors) == wrong + 1
    checker = _Checker()
    checker.feed((out / "report.html").read_text())
    assert checker.stack == [] and checker.external == []
    assert len(checker.images) >= 4 and all(src.startswith("data:image/png;base64,") for src in checker.images)
    md = (out / "report.md").read_text()
    assert "| model |" in md and "baseline: tfidf_lr" in md


def test_compare_mode(trained_pair: tuple[Path, Path], tmp_path: Path) -> None:
    from training.evaluate import evaluate

    report = evaluate([str(p) for p in trained_pair], [str(FIXTURES / "test.jsonl")], tmp_path / "cmp", log=lambda m: None)
    c = report["comparison"]
    assert c["a"] == str(trained_pair[0]) and c["b"] == str(trained_pair[1])
    assert c["macro_f1_delta"] == pytest.approx(c["b_metrics"]["macro_f1"] - report["macro_f1"])
    assert 0.0 <= c["mcnemar"]["p_value"] <= 1.0
    assert "## Comparison" in (tmp_path / "cmp" / "report.md").read_text()


@pytest.mark.parametrize("content,suffix,message,kwargs", [
    ('{"text": "a", "target": "x", "label": "FAVOR"}\n{"text": "b", "target": "x", "label": "sideways"}\n', ".jsonl",
     "row 2: 'sideways'", {}),
    ("text,target\nhello,x\n", ".csv", "missing column 'label'.*--label-column", {}),
    ("", ".jsonl", "no rows", {}),
    ('{"text": "a", "label": "FAVOR"}\n', ".jsonl", "missing column 'target' and no default target.*--target", {"target": None}),
])
def test_bad_input_fails_cleanly(tiny_checkpoint: Path, tmp_path: Path, content: str, suffix: str, message: str,
                                 kwargs: dict) -> None:
    from training.evaluate import evaluate

    src = tmp_path / f"data{suffix}"
    src.write_text(content)
    out = tmp_path / "out"
    with pytest.raises(DataError, match=message):
        evaluate([str(tiny_checkpoint)], [str(src)], out, log=lambda m: None, **kwargs)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
