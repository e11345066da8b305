"""Training: tiny smoke run, complete checkpoint, determinism, atomicity, config and label errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from model.errors import DataError
from model.pipeline import StancePipeline
from training.config import ConfigError, load_config
from training.data import load_labelled
from training.retrain import decide, find_conflicts

REPO = Path(__file__).resolve().parent.parent
TINY = REPO / "configs" / "tiny.yaml"


def tiny_config(encoder: Path, *extra: str):
    fixtures = REPO / "tests" / "fixtures" / "stance"
    return load_config(TINY, [f"base_encoder={encoder}", f"data.dev={fixtures / 'dev.jsonl'}",
                              f"data.test=[{fixtures / 'test.jsonl'}]",
                              f"data.train=[{{path: {fixtures / 'train.jsonl'}, weight: 1.0}}]", *extra])


@pytest.fixture(scope="module")
def trained(tiny_checkpoint: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from training.train import train

    out = tmp_path_factory.mktemp("train") / "model"
    return train(tiny_config(tiny_checkpoint), out, version="v-test", log=lambda m: None)


def test_tiny_training_writes_a_complete_checkpoint(trained: Path) -> None:
    names = {p.name for p in trained.iterdir()}
    assert {"config.json", "model.safetensors", "calibration.json", "metrics.json", "training_config.yaml",
            "data_fingerprint.json", "README.md"} <= names
    assert not any(n.endswith((".bin", ".pt")) for n in names)
    metrics = json.loads((trained / "metrics.json").read_text())
    for split in ("dev", "test"):
        m = metrics[split]
        assert {"macro_f1", "f_avg", "per_class", "ece", "ece_before_calibration"} <= set(m)
        assert set(m["per_class"]) == {"FAVOR", "AGAINST", "NEUTRAL"}
    calibration = json.loads((trained / "calibration.json").read_text())
    assert calibration["temperature"] == pytest.approx(metrics["temperature"])
    fingerprint = json.loads((trained / "data_fingerprint.json").read_text())
    assert {f["role"] for f in fingerprint["files"]} == {"train", "dev", "test"}
    assert all(len(f["sha256"]) == 64 for f in fingerprint["files"])
    card = (trained / "README.md").read_text()
    assert "## Intended use" in card and "## Limitations" in card and "macro-F1" in card
    pipe = StancePipeline.from_pretrained(trained)
    assert pipe.info["version"] == "v-test" and pipe.info["trained"] is True
    assert len(pipe.predict(["Keep them talking."])) == 1


def test_same_seed_same_dev_metrics(trained: Path, tiny_checkpoint: Path, tmp_path: Path) -> None:
    from training.train import train

    again = train(tiny_config(tiny_checkpoint), tmp_path / "again", version="v-test", log=lambda m: None)
    first = json.loads((trained / "metrics.json").read_text())["dev"]
    second = json.loads((again / "metrics.json").read_text())["dev"]
    assert first["macro_f1"] == second["macro_f1"]
    assert first["nll"] == pytest.approx(second["nll"], abs=1e-6)


def test_interrupted_training_leaves_the_champion_untouched(tiny_checkpoint: Path, trained: Path,
                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from training import train as train_module

    champion = tmp_path / "models" / "champion"
    shutil.copytree(trained, champion)
    before = {p.name: p.read_bytes() for p in champion.iterdir()}

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(train_module, "fit_temperature", boom)
    with pytest.raises(KeyboardInterrupt):
        train_module.train(tiny_config(tiny_checkpoint), champion, force=True, log=lambda m: None)
    assert {p.name: p.read_bytes() for p in champion.iterdir()} == before
    assert sorted(p.name for p in champion.parent.iterdir()) == ["champion"]  # no temporary directory left


def test_existing_output_is_not_overwritten_without_force(trained: Path, tiny_checkpoint: Path) -> None:
    from training.train import train

    with pytest.raises(DataError, match="already exists; pass --force"):
        train(tiny_config(tiny_checkpoint), trained, log=lambda m: None)


def test_unknown_config_key_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.read_text() + "learning_rat: 0.1\n")
    with pytest.raises(ConfigError, match="unknown key\\(s\\) learning_rat"):
        load_config(bad)
    with pytest.raises(ConfigError, match="unknown key 'epoch'"):
        load_config(TINY, ["epoch=3"])
    with pytest.raises(ConfigError, match="epochs is 'three'; expected int"):
        load_config(TINY, ["epochs=three"])


def test_config_overrides_reach_nested_keys() -> None:
    config = load_config(TINY, ["epochs=5", "data.dev=other.jsonl"])
    assert config.epochs == 5 and config.data.dev == "other.jsonl"


def test_label_normalisation_and_default_target(tmp_path: Path) -> None:
    src = tmp_path / "rows.csv"
    src.write_text("statement,stance\nKeep talking,support\nNever,CON\nNo comment,none\n")
    rows = load_labelled(src, {"label": "stance"}, default_target="a prisoner exchange")
    assert [r["label"] for r in rows] == ["FAVOR", "AGAINST", "NEUTRAL"]
    assert {r["target"] for r in rows} == {"a prisoner exchange"}


def test_unknown_labels_are_listed_with_row_numbers(tmp_path: Path) -> None:
    src = tmp_path / "rows.jsonl"
    src.write_text('{"text": "a", "label": "FAVOR"}\n{"text": "b", "label": "maybe"}\n{"text": "c", "label": "??"}\n')
    with pytest.raises(DataError, match=r"row 2: 'maybe', row 3: '\?\?'.*allowed: FAVOR, AGAINST, NEUTRAL"):
        load_labelled(src, default_target="x")


def test_missing_label_column_explains_mapping(tmp_path: Path) -> None:
    src = tmp_path / "rows.csv"
    src.write_text("text,stance\nhello,FAVOR\n")
    with pytest.raises(DataError, match="missing column 'label'; found: text, stance; map yours with --label-column"):
        load_labelled(src, default_target="x")


def test_bad_json_line_is_named(tmp_path: Path) -> None:
    src = tmp_path / "rows.jsonl"
    src.write_text('{"text": "a", "label": "FAVOR"}\n{oops\n')
    with pytest.raises(DataError, match="line 2: not valid JSON"):
        load_labelled(src, default_target="x")


def test_promotion_decision() -> None:
    ok, reasons = decide({"test": 0.80, "new-holdout": 0.70}, {"test": 0.81, "new-holdout": 0.75}, 0.01)
    assert ok and len(reasons) == 2
    ok, reasons = decide({"test": 0.80, "new-holdout": 0.70}, {"test": 0.75, "new-holdout": 0.90}, 0.01)
    assert not ok and "worse than the tolerance" in reasons[0]
    assert decide({"test": 0.80}, {"test": 0.795}, 0.01)[0]


def test_conflicts_are_found_case_and_space_insensitively() -> None:
    old = [{"text": "Stop the guns.", "target": "a negotiated ceasefire", "label": "FAVOR", "source": "old"}]
    new = [{"text": "stop  the guns.", "target": "A negotiated ceasefire", "label": "AGAINST", "source": "new"},
           {"text": "Other.", "target": "a negotiated ceasefire", "label": "AGAINST", "source": "new"}]
    conflicts = find_conflicts(old, new)
    assert len(conflicts) == 1 and conflicts[0]["old_label"] == "FAVOR" and conflicts[0]["new_label"] == "AGAINST"


@pytest.mark.slow
def test_retrain_end_to_end_promotes_or_keeps_by_the_rule(trained: Path, tiny_checkpoint: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from training import registry
    from training.retrain import retrain

    models = tmp_path / "models"
    shutil.copytree(trained, models / "20200101-000000")
    # The champion's config names the fixture files by absolute path and the tiny encoder.
    registry.promote(models, "20200101-000000")
    new = tmp_path / "new.jsonl"
    new.write_text("".join(json.dumps({"text": t, "label": l}) + "\n" for t, l in [
        ("Hold the line and sign the truce this week.", "FAVOR"), ("Never stop until the coast is ours.", "AGAINST"),
        ("The delegation met on Monday.", "NEUTRAL"), ("Talk, talk and talk again.", "FAVOR"),
        ("They will cheat as they always do.", "AGAINST"), ("Buses left at noon.", "NEUTRAL")]))
    report = retrain(models / "default", [str(new)], models_dir=models, tolerance=1.0, log=lambda m: None)
    assert report["promoted"] and registry.current(models).name == report["challenger"]
    assert (models / report["challenger"] / "retrain_report.json").is_file()
    # With a negative tolerance nothing can be promoted: the champion stays.
    before = registry.current(models)
    report2 = retrain(models / "default", [str(new)], models_dir=models, tolerance=-1.0, log=lambda m: None)
    assert not report2["promoted"] and registry.current(models) == before
    assert [p.name for p in models.iterdir() if p.name.startswith(".")] == []


def test_conflicting_new_rows_stop_by_default(trained: Path, tmp_path: Path) -> None:
    from training.retrain import retrain

    fixtures = REPO / "tests" / "fixtures" / "stance"
    first = json.loads((fixtures / "train.jsonl").read_text().splitlines()[0])
    new = tmp_path / "new.jsonl"
    flipped = "AGAINST" if first["label"] != "AGAINST" else "FAVOR"
    new.write_text(json.dumps({"text": first["text"], "target": first["target"], "label": flipped}) + "\n")
    with pytest.raises(DataError, match="contradict the training data.*--on-conflict new-wins"):
        retrain(trained, [str(new)], models_dir=tmp_path / "models", log=lambda m: None)


@pytest.mark.slow
def test_the_same_config_runs_under_torchrun(tiny_checkpoint: Path, tmp_path: Path) -> None:
    """Two CPU processes (gloo) train one model; only rank 0 writes the checkpoint."""
    import os
    import subprocess
    import sys

    fixtures = REPO / "tests" / "fixtures" / "stance"
    out = tmp_path / "ddp"
    torchrun = Path(sys.executable).parent / "torchrun"
    proc = subprocess.run(
        [str(torchrun), "--nproc_per_node", "2", "--master_port", "29533", "-m", "stance_cli", "train",
         "--config", str(TINY), "--set", f"base_encoder={tiny_checkpoint}", "--set", f"data.dev={fixtures / 'dev.jsonl'}",
         "--set", f"data.test=[{fixtures / 'test.jsonl'}]",
         "--set", f"data.train=[{{path: {fixtures / 'train.jsonl'}, weight: 1.0}}]", "--output", str(out)],
        capture_output=True, text=True, timeout=300, cwd=REPO,
        env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "model.safetensors").is_file() and (out / "metrics.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ddp"]  # the shared scratch directory is gone
    assert proc.stderr.count("saved ") == 1


@pytest.mark.slow
def test_sigterm_mid_training_leaves_nothing_behind(tiny_checkpoint: Path, tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    fixtures = REPO / "tests" / "fixtures" / "stance"
    out = tmp_path / "models" / "v1"
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "stance"), "train", "--config", str(TINY),
         "--set", f"base_encoder={tiny_checkpoint}", "--set", "epochs=500", "--set", "early_stopping_patience=500",
         "--set", f"data.dev={fixtures / 'dev.jsonl'}", "--set", f"data.test=[{fixtures / 'test.jsonl'}]",
         "--set", f"data.train=[{{path: {fixtures / 'train.jsonl'}, weight: 1.0}}]", "--output", str(out)],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "STANCE_THREADS": "1"})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until the training loop has started
        line = proc.stderr.readline()
        if "epoch 1/" in line or not line:
            break
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "interrupted; nothing was written" in err
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_tag_weights_repeat_tagged_rows() -> None:
    import random

    from training.train import mix_by_tag

    rows = [{"id": "a", "tags": ["contrast"]}, {"id": "b", "tags": []}, {"id": "c", "tags": ["contrast", "sarcasm"]}]
    out = mix_by_tag(rows, {"contrast": 3.0, "sarcasm": 2.0}, random.Random(0))
    assert [r["id"] for r in out].count("a") == 3 and [r["id"] for r in out].count("b") == 1
    assert [r["id"] for r in out].count("c") == 3
    with pytest.raises(ConfigError, match="tag_weights"):
        load_config(TINY, ["data.tag_weights={contrast: -1}"])
