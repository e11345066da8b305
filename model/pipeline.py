"""The one object that the CLI, the API and evaluation all call: text in, calibrated stance out."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer, PreTrainedModel
from transformers.utils import logging as hf_logging

from model.checkpoint import WEIGHTS_FILE, check_checkpoint, read_temperature, write_calibration
from model.encoder import resolve_base_encoder
from model.errors import CheckpointError, StanceError
from model.labels import DEFAULT_TARGET, ID2LABEL, LABEL2ID, LABELS

logger = logging.getLogger(__name__)
# Weight-loading progress bars are noise in a service log and a CLI's output.
hf_logging.disable_progress_bar()

DEFAULT_MAX_LENGTH = 256
DEFAULT_BATCH_SIZE = 32


def set_threads(num_threads: int | None) -> None:
    """Pin torch's intra-op threads: on 2 cores, oversubscription slows inference badly."""
    if num_threads is not None and num_threads > 0 and torch.get_num_threads() != num_threads:
        torch.set_num_threads(num_threads)


class StancePipeline:
    """Target-conditioned stance classifier over (target, statement) pairs.

    >>> pipe = StancePipeline.from_pretrained("models/default")  # doctest: +SKIP
    >>> pipe.predict(["Both armies should stop and let the envoys work."])[0]["label"]  # doctest: +SKIP
    'FAVOR'
    """

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: Any,
        *,
        temperature: float = 1.0,
        default_target: str = DEFAULT_TARGET,
        max_length: int = DEFAULT_MAX_LENGTH,
        batch_size: int = DEFAULT_BATCH_SIZE,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.temperature = float(temperature)
        self.default_target = default_target
        self.max_length = int(max_length)
        self.batch_size = int(batch_size)
        self.info = dict(info or {})
        self.labels: tuple[str, ...] = tuple(model.config.id2label[i] for i in range(model.config.num_labels))

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_pretrained(
        cls,
        path: str | Path,
        *,
        num_threads: int | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_length: int | None = None,
        device: str | None = None,
    ) -> "StancePipeline":
        """Load a checkpoint directory written by `save_pretrained` or `stance train`."""
        set_threads(num_threads)
        root = Path(path)
        config = check_checkpoint(root)
        try:
            model = AutoModelForSequenceClassification.from_pretrained(root, use_safetensors=True)
        except Exception as exc:  # safetensors/transformers raise several types for a bad file
            raise CheckpointError(
                f"could not load {root / WEIGHTS_FILE}: {exc}. Expected safetensors weights matching "
                f"{root / 'config.json'}; retrain or copy the checkpoint again.") from exc
        try:
            tokenizer = AutoTokenizer.from_pretrained(root)
        except Exception as exc:
            raise CheckpointError(f"could not load the tokenizer in {root}: {exc}") from exc
        if device:
            model.to(device)
        stance = config.get("stance") or {}
        info = {
            "name": stance.get("name", root.resolve().name),
            "version": stance.get("version", "unversioned"),
            "base_encoder": stance.get("base_encoder"),
            "trained": bool(stance.get("trained", False)),
            "path": str(root),
        }
        fingerprint = root / "data_fingerprint.json"
        if fingerprint.is_file():
            info["data_fingerprint"] = json.loads(fingerprint.read_text(encoding="utf-8"))
        metrics = root / "metrics.json"
        if metrics.is_file():
            info["metrics"] = json.loads(metrics.read_text(encoding="utf-8"))
        return cls(
            model,
            tokenizer,
            temperature=read_temperature(root),
            default_target=stance.get("default_target", DEFAULT_TARGET),
            max_length=max_length or int(stance.get("max_length", DEFAULT_MAX_LENGTH)),
            batch_size=batch_size,
            info=info,
        )

    @classmethod
    def from_base_encoder(
        cls,
        base_encoder: str,
        *,
        default_target: str = DEFAULT_TARGET,
        max_length: int = DEFAULT_MAX_LENGTH,
        seed: int = 0,
    ) -> "StancePipeline":
        """A pipeline whose classification head is freshly initialised (untrained)."""
        source = resolve_base_encoder(base_encoder)
        torch.manual_seed(seed)
        # A fresh head is the point here: the load report's "newly initialized" notice is noise.
        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()
        try:
            model = AutoModelForSequenceClassification.from_pretrained(
                source, num_labels=len(LABELS), id2label=dict(ID2LABEL), label2id=dict(LABEL2ID))
        finally:
            hf_logging.set_verbosity(verbosity)
        tokenizer = AutoTokenizer.from_pretrained(source)
        info = {"name": "ceasefire-stance", "version": "untrained", "base_encoder": base_encoder, "trained": False}
        return cls(model, tokenizer, default_target=default_target, max_length=max_length, info=info)

    def save_pretrained(self, path: str | Path) -> None:
        """Write a checkpoint that stands alone (config with label map, tokenizer, safetensors, calibration)."""
        root = Path(path)
        root.mkdir(parents=True, exist_ok=True)
        self.model.config.stance = {
            "name": self.info.get("name", "ceasefire-stance"),
            "version": self.info.get("version", "unversioned"),
            "base_encoder": self.info.get("base_encoder"),
            "trained": bool(self.info.get("trained", False)),
            "default_target": self.default_target,
            "max_length": self.max_length,
            "input_format": "[CLS] target [SEP] statement [SEP]",
        }
        self.model.save_pretrained(root, safe_serialization=True)
        self.tokenizer.save_pretrained(root)
        write_calibration(root, self.temperature)

    # -- inference -----------------------------------------------------------------------

    def _targets(self, n: int, targets: str | Sequence[str | None] | None) -> list[str]:
        if targets is None or isinstance(targets, str):
            return [targets or self.default_target] * n
        if len(targets) != n:
            raise StanceError(f"got {n} statements but {len(targets)} targets; pass one target per statement or a single target")
        return [t or self.default_target for t in targets]

    def predict_logits(
        self, texts: Sequence[str], targets: str | Sequence[str | None] | None = None
    ) -> tuple[np.ndarray, list[bool]]:
        """Raw (uncalibrated) logits of shape (n, 3) and, per statement, whether it was truncated."""
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise StanceError(f"statement {i} is {type(text).__name__}; expected a string")
        pair_targets = self._targets(len(texts), targets)
        if not texts:
            return np.zeros((0, len(self.labels)), dtype=np.float32), []
        # Lengths without truncation: they give the truncated flag and the length sort
        # that keeps padding (and so wasted compute) small inside each batch.
        full = self.tokenizer(pair_targets, list(texts), truncation=False, verbose=False)["input_ids"]
        lengths = np.array([len(ids) for ids in full])
        truncated = [bool(n > self.max_length) for n in lengths]
        order = np.argsort(-lengths, kind="stable")
        logits = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        device = self.model.device
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start:start + self.batch_size]
                batch = self.tokenizer(
                    [pair_targets[i] for i in idx], [texts[i] for i in idx],
                    truncation="longest_first", max_length=self.max_length,
                    padding=True, return_tensors="pt")
                out = self.model(**{k: v.to(device) for k, v in batch.items()}).logits
                logits[idx] = out.float().cpu().numpy()
        return logits, truncated

    def predict_proba(self, texts: Sequence[str], targets: str | Sequence[str | None] | None = None) -> np.ndarray:
        """Calibrated probabilities, shape (n, 3), columns in `self.labels` order."""
        logits, _ = self.predict_logits(texts, targets)
        return softmax(logits / self.temperature)

    def predict(
        self, texts: Sequence[str], targets: str | Sequence[str | None] | None = None
    ) -> list[dict[str, Any]]:
        """One result per statement, in input order: label, calibrated scores, truncated flag."""
        pair_targets = self._targets(len(texts), targets)
        logits, truncated = self.predict_logits(texts, pair_targets)
        probs = softmax(logits / self.temperature)
        results = []
        for target, row, cut in zip(pair_targets, probs, truncated):
            scores = {label: float(p) for label, p in zip(self.labels, row)}
            results.append({"target": target, "label": self.labels[int(row.argmax())],
                            "scores": scores, "truncated": cut})
        return results

    def analyze(self, text: str, target: str | None = None) -> dict[str, Any]:
        """Find every quoted statement in an article, its speaker, and its stance."""
        from model.analyze import analyze_article

        return analyze_article(self, text, target)

    def describe(self) -> dict[str, Any]:
        """What the API's /v1/model and reports say about this model."""
        return {
            **{k: v for k, v in self.info.items() if k != "path"},
            "labels": list(self.labels),
            "default_target": self.default_target,
            "max_length": self.max_length,
            "temperature": self.temperature,
        }


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)
