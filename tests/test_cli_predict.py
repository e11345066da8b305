"""`stance predict` end to end through the installed console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

STANCE = shutil.which("stance", path=str(Path(sys.executable).parent)) or "stance"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "STANCE_THREADS": "1"}
    return subprocess.run([STANCE, *args], input=stdin, capture_output=True, text=True, env=env, timeout=300)


def test_predict_jsonl_keeps_order_ids_and_targets(tiny_checkpoint: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "text": "Both armies should stop and let the envoys work."},
        {"text": "Every tank we send shortens the war.", "target": "sending more weapons to Ukraine"},
        {"id": "c", "text": "The envoys land in Oslo on Friday."},
    ]) + "\n")
    out = tmp_path / "out.jsonl"
    proc = run("predict", "--model", str(tiny_checkpoint), "--input", str(src), "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "1", "c"]
    assert [r["target"] for r in rows] == ["a negotiated ceasefire", "sending more weapons to Ukraine", "a negotiated ceasefire"]
    for row in rows:
        assert set(row) == {"id", "text", "target", "label", "scores", "truncated"}
        assert sum(row["scores"].values()) == pytest.approx(1.0, abs=1e-5)
        assert row["label"] == max(row["scores"], key=row["scores"].get)


def test_predict_csv_and_target_option(tiny_checkpoint: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text('id,text\n1,"We will sign once the hostages are home."\n2,"No truce before we retake the coast."\n')
    proc = run("predict", "--model", str(tiny_checkpoint), "--input", str(src), "--target", "a prisoner exchange")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["1", "2"]
    assert {r["target"] for r in rows} == {"a prisoner exchange"}


def test_predict_reads_stdin(tiny_checkpoint: Path) -> None:
    proc = run("predict", "--model", str(tiny_checkpoint), stdin='{"text": "Keep them talking."}\n')
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["text"] == "Keep them talking."


@pytest.mark.parametrize("content,suffix,message", [
    ('{"text": "fine"}\n{not json}\n', ".jsonl", "line 2: not valid JSON"),
    ('{"text": "fine"}\n{"statement": "no text key"}\n', ".jsonl", "line 2: missing or empty \"text\""),
    ("", ".jsonl", "holds no statements"),
    ("id,statement\n1,hello\n", ".csv", "no 'text' column \\(found: id, statement\\)"),
])
def test_bad_input_is_explained_and_writes_nothing(tiny_checkpoint: Path, tmp_path: Path,
                                                   content: str, suffix: str, message: str) -> None:
    src = tmp_path / f"in{suffix}"
    src.write_text(content)
    out = tmp_path / "out.jsonl"
    proc = run("predict", "--model", str(tiny_checkpoint), "--input", str(src), "--output", str(out))
    assert proc.returncode == 2
    assert proc.stderr.startswith("stance predict: error:")
    import re
    assert re.search(message, proc.stderr), proc.stderr
    assert not out.exists()
    assert list(tmp_path.glob(".out.jsonl*")) == []


def test_missing_model_is_explained(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "x"}\n')
    proc = run("predict", "--model", str(tmp_path / "absent"), "--input", str(src))
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "stance train" in proc.stderr
