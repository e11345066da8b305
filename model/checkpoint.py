"""A checkpoint is a directory that stands alone; this module checks one before loading it.

Layout (files later stages add are optional here):
    config.json          transformers config, with id2label/label2id and a "stance" section
    tokenizer files      tokenizer.json / vocab.txt / tokenizer_config.json ...
    model.safetensors    the weights; pickle formats are refused
    calibration.json     {"temperature": float}; 1.0 until training fits one
    metrics.json, training_config.yaml, data_fingerprint.json, README.md (added by training)
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from model.errors import CheckpointError
from model.labels import LABELS

WEIGHTS_FILE = "model.safetensors"
CALIBRATION_FILE = "calibration.json"
# Unpickling runs arbitrary code, so a checkpoint carrying these is refused outright.
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")


def read_json(path: Path, what: str) -> Any:
    """Read a JSON file, naming the file and what it should hold when it is missing or corrupt."""
    if not path.is_file():
        raise CheckpointError(f"missing {path.name} in {path.parent}: expected {what}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{path} is not valid JSON ({exc}); expected {what}") from exc


def check_checkpoint(path: str | Path) -> dict[str, Any]:
    """Validate a checkpoint directory and return its config.json contents.

    Raises CheckpointError naming the file at fault and what was expected.
    """
    root = Path(path)
    if not root.exists():
        raise CheckpointError(
            f"model directory {root} does not exist; pass --model with a checkpoint directory, "
            "or build the default model with `stance train --config configs/default.yaml`")
    if not root.is_dir():
        raise CheckpointError(f"model path {root} is a file; expected a checkpoint directory")
    pickles = sorted(p.name for p in root.iterdir() if p.suffix in PICKLE_SUFFIXES)
    if pickles:
        raise CheckpointError(
            f"{root} holds pickle-format weights ({', '.join(pickles)}); loading them could run "
            f"arbitrary code, so only {WEIGHTS_FILE} is accepted. Convert the weights with "
            "safetensors (model.save_pretrained(dir, safe_serialization=True)) and remove the pickles.")
    config = read_json(root / "config.json", "a transformers config with id2label/label2id")
    id2label = config.get("id2label") or {}
    labels = [id2label.get(str(i), id2label.get(i)) for i in range(len(id2label))]
    if sorted(map(str, labels)) != sorted(LABELS):
        raise CheckpointError(
            f"{root / 'config.json'}: id2label is {labels}; expected the labels {list(LABELS)} "
            "in some order. Was this checkpoint trained by `stance train`?")
    if not (root / WEIGHTS_FILE).is_file():
        raise CheckpointError(f"missing {WEIGHTS_FILE} in {root}: expected the model weights in safetensors format")
    if not any((root / name).is_file() for name in ("tokenizer.json", "vocab.txt", "tokenizer_config.json")):
        raise CheckpointError(f"no tokenizer files in {root}: expected tokenizer.json or vocab.txt")
    read_temperature(root)
    return config


def read_temperature(root: Path) -> float:
    data = read_json(root / CALIBRATION_FILE, 'the calibration, e.g. {"temperature": 1.0}')
    temperature = data.get("temperature") if isinstance(data, dict) else None
    if not isinstance(temperature, (int, float)) or not math.isfinite(temperature) or temperature <= 0:
        raise CheckpointError(
            f"{root / CALIBRATION_FILE}: temperature is {temperature!r}; expected a positive number")
    return float(temperature)


def write_calibration(root: Path, temperature: float, **extra: Any) -> None:
    payload = {"temperature": float(temperature), "method": "temperature scaling", **extra}
    (root / CALIBRATION_FILE).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
