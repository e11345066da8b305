"""The shipped corpus passes its checker; the checker and the Perspectrum loader catch bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from model.errors import DataError
from training.datacheck import check, near_duplicate_pairs
from training.perspectrum import load_perspectrum

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"


def write_corpus(root: Path, rows: dict[str, list[dict]]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for split, split_rows in rows.items():
        (root / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in split_rows))
    return root


def row(i: str, text: str, label: str = "FAVOR", **extra) -> dict:
    return {"id": i, "text": text, "target": "a negotiated ceasefire", "label": label, "conflict": "invented:sarn",
            "speaker_role": "envoy", "tags": [], **extra}


def test_fixture_corpus_is_clean() -> None:
    summary, problems = check(FIXTURES / "stance")
    assert problems == []
    assert summary["rows"] == 24 and summary["conflicts_only_in_test"] == ["invented:valdoria-kestrel"]


def test_checker_finds_schema_label_id_and_leak_problems(tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "c", {
        "train": [row("a", "Both armies should stop and let the envoys in Geneva do their work."),
                  row("b", "Stop now.", label="MAYBE"), {"id": "c", "text": ""}],
        "dev": [row("a", "The envoys land in Oslo on Friday.", label="NEUTRAL")],
        "test": [row("d", "Both armies should stop and let the envoys in Geneva do their work now.")],
    })
    _, problems = check(root)
    text = "\n".join(problems)
    assert "train.jsonl:2: label 'MAYBE'; allowed: FAVOR, AGAINST, NEUTRAL" in text
    assert "train.jsonl:3: field 'text' is ''" in text
    assert "duplicate id 'a'" in text
    assert "near duplicates across splits" in text


def test_bad_json_line_is_reported_with_its_line(tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "c", {"train": [row("a", "One.")], "dev": [row("b", "Two.")], "test": [row("c", "Three.")]})
    with (root / "dev.jsonl").open("a") as handle:
        handle.write("{broken\n")
    _, problems = check(root)
    assert any("dev.jsonl:2: not valid JSON" in p for p in problems)


def test_near_duplicates_use_token_jaccard() -> None:
    pairs = near_duplicate_pairs(["a b c d e", "a b c d e f", "x y z", "a b c d e"])
    found = {(i, j) for i, j, _ in pairs}
    assert (0, 1) in found and (0, 3) in found and (1, 3) in found
    assert all(2 not in (i, j) for i, j, _ in pairs)


def test_stance_data_check_cli_exit_codes(tmp_path: Path) -> None:
    import subprocess
    import sys

    stance = str(Path(sys.executable).parent / "stance")
    ok = subprocess.run([stance, "data", "check", str(FIXTURES / "stance")], capture_output=True, text=True)
    assert ok.returncode == 0 and "ok: no violations" in ok.stderr and "conflicts only in test" in ok.stdout
    bad = write_corpus(tmp_path / "bad", {"train": [row("a", "One two.")], "dev": [row("a", "Three four.")],
                                          "test": [row("b", "Five six.")]})
    proc = subprocess.run([stance, "data", "check", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 1 and "duplicate id 'a'" in proc.stderr


def test_perspectrum_loader_maps_claims_to_targets() -> None:
    rows = load_perspectrum(FIXTURES / "perspectrum_format", split="train")
    assert len(rows) == 5
    first = rows[0]
    assert first["target"] == "Cities should ban cars from their centres"
    assert first["text"] == "Clean air matters more than parking."  # whitespace collapsed
    assert [r["label"] for r in rows] == ["FAVOR", "FAVOR", "AGAINST", "FAVOR", "AGAINST"]
    assert "CC BY-SA 4.0" in first["source"]
    assert [r["label"] for r in load_perspectrum(FIXTURES / "perspectrum_format", split="test")] == ["AGAINST"]


def test_perspectrum_loader_explains_a_wrong_directory(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not a Perspectrum directory: missing perspectrum_with_answers_v1.0.json"):
        load_perspectrum(tmp_path)


def test_shipped_corpus_passes_its_checks_and_meets_its_card() -> None:
    summary, problems = check(REPO / "data" / "stance")
    assert problems == []
    d = summary["default_target"]
    assert d["rows"] >= 3000
    assert min(d["by_label"].values()) / d["rows"] >= 0.28
    assert d["tagged_share"] >= 0.25
    assert d["by_split"]["dev"] / d["rows"] >= 0.12 and d["by_split"]["test"] / d["rows"] >= 0.12
    assert len([c for c in summary["by_conflict"] if c != "none"]) >= 15
    assert len(summary["conflicts_only_in_test"]) >= 2
    other = summary["other_targets"]
    assert other["rows"] >= 1000 and other["targets"] >= 30 and other["contrast_texts"] >= 200


def test_corpus_build_keeps_existing_splits_when_rows_are_added(tmp_path: Path) -> None:
    from training.corpus import build

    def record(i: int, conflict: str = "invented:sarn", a: str = "FAVOR", b: str = "FAVOR") -> dict:
        words = " ".join(f"w{i}x{k}" for k in range(6))
        return {"id": f"r{i:03d}", "text": f"Statement {words}.", "target": "a negotiated ceasefire",
                "conflict": conflict, "speaker_role": "envoy", "tags": [],
                "author_label": a, "annotator_a": a, "annotator_b": b}

    labels = ["FAVOR", "AGAINST", "NEUTRAL"]
    first = [record(i, a=labels[i % 3], b=labels[i % 3]) for i in range(60)] + [record(60, "invented:ostmark")]
    path = tmp_path / "annotations.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in first))
    out = tmp_path / "corpus"
    report = build(path, out, ["invented:ostmark"])
    assert report["kept"] == 61
    before = {name: (out / f"{name}.jsonl").read_text() for name in ("train", "dev", "test")}
    assert "r060" in before["test"]  # the held-out conflict goes to test

    more = first + [record(i, a=labels[i % 3], b=labels[i % 3]) for i in range(61, 90)] + [record(90, a="FAVOR", b="AGAINST")]
    path.write_text("".join(json.dumps(r) + "\n" for r in more))
    report = build(path, out, ["invented:ostmark"], keep_splits=True)
    assert report["dropped_disagreement"] == 1
    for name, text in before.items():
        old_ids = {json.loads(line)["id"] for line in text.splitlines()}
        new_ids = {json.loads(line)["id"] for line in (out / f"{name}.jsonl").read_text().splitlines()}
        assert old_ids <= new_ids  # nothing moved out of its split
    assert sum(len((out / f"{n}.jsonl").read_text().splitlines()) for n in ("train", "dev", "test")) == 90
