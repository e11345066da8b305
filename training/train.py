"""`stance train`: a config and labelled files in, a calibrated, self-describing checkpoint out.

load -> check -> tokenize -> train -> calibrate -> evaluate -> save, each phase marked below.
The checkpoint is assembled in a temporary directory beside its destination and renamed
into place only when complete, so an interrupted run never leaves a half model behind.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from model.errors import DataError
from model.labels import LABEL2ID, LABELS
from training.config import TrainConfig, dump_config
from training.data import fingerprint, load_labelled
from training.metrics import classification_metrics, expected_calibration_error, fit_temperature, nll

Log = Callable[[str], None]


@dataclass
class TrainData:
    train: list[dict[str, Any]]
    dev: list[dict[str, Any]]
    tests: dict[str, list[dict[str, Any]]]
    fingerprint: dict[str, Any]


def load_training_data(config: TrainConfig, extra: list[str] | None = None, log: Log = print) -> TrainData:
    """Read every source the config names (plus `extra` files) with their mixing weights."""
    cols, target = config.data.columns, config.default_target
    rng = random.Random(config.seed)
    train: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    sources = [(s.path, s.weight) for s in config.data.train] + [(p, 1.0) for p in extra or []]
    for path, weight in sources:
        rows = load_labelled(path, cols, target)
        files.append({**fingerprint(path, len(rows)), "role": "train", "weight": weight})
        train.extend(mix(rows, weight, rng))
    if config.data.perspectrum:
        from training.perspectrum import load_perspectrum

        spec = config.data.perspectrum
        rows = load_perspectrum(spec["path"], split=spec.get("split", "train"))
        weight = float(spec.get("weight", 1.0))
        files.append({"path": str(spec["path"]), "role": "train", "weight": weight, "rows": len(rows),
                      "licence": "CC BY-SA 4.0 (Perspectrum, Chen et al. 2019)"})
        train.extend(mix(rows, weight, rng))
    if config.data.tag_weights:
        train = mix_by_tag(train, config.data.tag_weights, rng)
    dev = load_labelled(config.data.dev, cols, target)
    files.append({**fingerprint(config.data.dev, len(dev)), "role": "dev"})
    tests = {}
    for path in config.data.test:
        tests[path] = load_labelled(path, cols, target)
        files.append({**fingerprint(path, len(tests[path])), "role": "test"})
    log(f"data: {len(train)} train rows, {len(dev)} dev rows, "
        + ", ".join(f"{len(v)} test rows ({Path(k).name})" for k, v in tests.items()))
    return TrainData(train, dev, tests, {"files": files, "train_rows": len(train)})


def mix(rows: list[dict[str, Any]], weight: float, rng: random.Random) -> list[dict[str, Any]]:
    """Apply a mixing weight by repetition (whole part) and seeded sampling (fraction)."""
    if weight <= 0:
        return []
    whole, frac = int(weight), weight - int(weight)
    return rows * whole + rng.sample(rows, round(len(rows) * frac))


def mix_by_tag(rows: list[dict[str, Any]], weights: dict[str, float], rng: random.Random) -> list[dict[str, Any]]:
    """Re-weight rows carrying a tag (e.g. contrast pairs, which teach the model to read the
    target); a row with several weighted tags takes the largest weight."""
    out = []
    for row in rows:
        weight = max((weights[t] for t in row.get("tags") or [] if t in weights), default=1.0)
        out.extend(mix([row], weight, rng) if weight != int(weight) else [row] * int(weight))
    return out


def train(
    config: TrainConfig,
    output: str | Path,
    *,
    extra_data: list[str] | None = None,
    force: bool = False,
    version: str | None = None,
    log: Log = print,
) -> Path:
    """Train, calibrate, evaluate and write a checkpoint at `output`. Returns its path."""
    import torch
    import datasets
    from datasets import Dataset
    from transformers import DataCollatorWithPadding, EarlyStoppingCallback, TrainingArguments
    from transformers.trainer_callback import ProgressCallback

    from model.cli import default_threads
    from model.pipeline import StancePipeline, set_threads

    WeightedTrainer, EpochLine, QuietProgress = _make_trainer_classes()

    output = Path(output)
    if output.exists() and not force:
        raise DataError(f"output {output} already exists; pass --force to replace it or choose another --output")
    set_threads(config.threads or default_threads())
    started = time.time()

    # load
    data = load_training_data(config, extra_data, log)

    # check
    counts = Counter(row["label"] for row in data.train)
    missing = [label for label in LABELS if counts[label] == 0]
    if missing:
        raise DataError(f"training data has no {', '.join(missing)} rows; every label needs examples "
                        f"(found {dict(counts)})")
    if not data.dev:
        raise DataError(f"dev file {config.data.dev} is empty; early stopping and calibration need dev rows")

    # tokenize
    version = version or time.strftime("%Y%m%d-%H%M%S")
    pipe = StancePipeline.from_base_encoder(config.base_encoder, default_target=config.default_target,
                                            max_length=config.max_length, seed=config.seed)
    pipe.info.update({"name": config.name, "version": version, "trained": True})
    if config.freeze_embeddings:
        # The word-embedding matrix is half of MiniLM's parameters; its dense gradient and
        # AdamW update dominate a CPU step, and fine-tuning it buys little on 4k rows.
        pipe.model.get_input_embeddings().weight.requires_grad_(False)
    tokenizer = pipe.tokenizer

    def encode(rows: list[dict[str, Any]]) -> Dataset:
        ds = Dataset.from_dict({"target": [r["target"] for r in rows], "text": [r["text"] for r in rows],
                                "labels": [LABEL2ID[r["label"]] for r in rows]})
        return ds.map(lambda b: tokenizer(b["target"], b["text"], truncation="longest_first",
                                          max_length=config.max_length),
                      batched=True, remove_columns=["target", "text"])

    datasets.disable_progress_bars()
    train_ds, dev_ds = encode(data.train), encode(data.dev)

    # train
    # Under torchrun / accelerate launch every rank trains; they share one scratch
    # directory, and only rank 0 calibrates, evaluates and writes the checkpoint.
    rank, world = int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))
    tmp = output.parent / f".{output.name}.tmp-{'dist' if world > 1 else os.getpid()}"
    if world == 1:
        shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        weights = None
        if config.class_weighting == "balanced":
            total = sum(counts.values())
            weights = torch.tensor([total / (len(LABELS) * counts[label]) for label in LABELS], dtype=torch.float32)
        args = TrainingArguments(
            output_dir=str(tmp / "trainer"), learning_rate=config.learning_rate,
            num_train_epochs=config.epochs, per_device_train_batch_size=config.batch_size,
            per_device_eval_batch_size=config.eval_batch_size,
            # A ratio of the total steps, computed here: TrainingArguments renamed its ratio option.
            warmup_steps=int(math.ceil(len(train_ds) / config.batch_size) * config.epochs * config.warmup_ratio),
            weight_decay=config.weight_decay, seed=config.seed, data_seed=config.seed,
            eval_strategy="epoch", save_strategy="epoch", logging_strategy="epoch",
            load_best_model_at_end=True, metric_for_best_model="macro_f1", greater_is_better=True,
            save_total_limit=2, save_only_model=True, report_to=[], log_level="error",
            disable_tqdm=rank != 0, dataloader_num_workers=0,
            # torchrun on CPU-only machines needs gloo; on GPUs accelerate picks NCCL itself.
            ddp_backend="gloo" if world > 1 and not torch.cuda.is_available() else None, dataloader_pin_memory=torch.cuda.is_available(),
        )
        trainer = WeightedTrainer(
            model=pipe.model, args=args, train_dataset=train_ds, eval_dataset=dev_ds,
            data_collator=DataCollatorWithPadding(tokenizer), processing_class=tokenizer,
            compute_metrics=_compute_metrics,
            callbacks=[EarlyStoppingCallback(config.early_stopping_patience), EpochLine(log)],
            class_weights=weights,
        )
        trainer.remove_callback(ProgressCallback)
        trainer.add_callback(QuietProgress())
        trainer.train()
        if rank != 0:
            return output
        pipe.model = trainer.model.eval()
        train_seconds = time.time() - started
        shutil.rmtree(tmp / "trainer", ignore_errors=True)

        # calibrate
        y_dev = [LABEL2ID[r["label"]] for r in data.dev]
        dev_logits, _ = pipe.predict_logits([r["text"] for r in data.dev], [r["target"] for r in data.dev])
        temperature = fit_temperature(dev_logits, y_dev)
        pipe.temperature = temperature
        log(f"calibration: temperature {temperature:.3f}")

        # evaluate
        metrics: dict[str, Any] = {"dev": score(pipe, data.dev, dev_logits)}
        all_test: list[dict[str, Any]] = [row for rows in data.tests.values() for row in rows]
        if all_test:
            metrics["test"] = score(pipe, all_test)
            metrics["test_sets"] = {path: score(pipe, rows) for path, rows in data.tests.items()} if len(data.tests) > 1 else {}
        metrics.update({"temperature": temperature, "train_rows": len(data.train),
                        "epochs_run": float(trainer.state.epoch or 0), "train_seconds": round(train_seconds, 1),
                        "best_dev_macro_f1_uncalibrated": trainer.state.best_metric})
        for split in ("dev", "test"):
            if split in metrics:
                m = metrics[split]
                log(f"{split}: macro-F1 {m['macro_f1']:.3f}  F_avg {m['f_avg']:.3f}  accuracy {m['accuracy']:.3f}  "
                    f"ECE {m['ece_before_calibration']:.3f} -> {m['ece']:.3f}")

        # save
        pipe.save_pretrained(tmp)
        (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
        (tmp / "training_config.yaml").write_text(dump_config(config), encoding="utf-8")
        (tmp / "data_fingerprint.json").write_text(json.dumps(data.fingerprint, indent=2) + "\n", encoding="utf-8")
        from training.card import model_card

        (tmp / "README.md").write_text(model_card(config, metrics, data.fingerprint, version), encoding="utf-8")
        replace_dir(tmp, output)
    except BaseException as exc:
        if rank == 0:
            shutil.rmtree(tmp, ignore_errors=True)
        what = "interrupted" if isinstance(exc, KeyboardInterrupt) else f"failed ({type(exc).__name__}: {exc})"
        where = f" (rank {rank})" if world > 1 else ""
        log(f"training {what}{where}; nothing was written to {output}, existing models are untouched")
        raise
    log(f"saved {output} in {time.time() - started:.0f}s")
    return output


def score(pipe: Any, rows: list[dict[str, Any]], logits: np.ndarray | None = None) -> dict[str, Any]:
    """Metrics of the pipeline on labelled rows, with ECE before and after calibration."""
    from model.pipeline import softmax

    if logits is None:
        logits, _ = pipe.predict_logits([r["text"] for r in rows], [r["target"] for r in rows])
    y = [LABEL2ID[r["label"]] for r in rows]
    raw, calibrated = softmax(logits), softmax(logits / pipe.temperature)
    out = classification_metrics(y, calibrated.argmax(axis=1).tolist())
    out.update({"ece": expected_calibration_error(calibrated, y), "ece_before_calibration": expected_calibration_error(raw, y),
                "nll": nll(calibrated, y), "nll_before_calibration": nll(raw, y)})
    return out


def replace_dir(new: Path, dest: Path) -> None:
    """Move a finished directory into place; an existing one is swapped out, then removed."""
    if dest.is_symlink() or dest.is_file():
        dest.unlink()
    if dest.exists():
        old = dest.parent / f".{dest.name}.old-{os.getpid()}"
        os.rename(dest, old)
        os.rename(new, dest)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(new, dest)


def _compute_metrics(eval_pred: Any) -> dict[str, float]:
    logits, labels = eval_pred
    m = classification_metrics(labels.tolist(), np.asarray(logits).argmax(axis=-1).tolist())
    return {"macro_f1": m["macro_f1"], "f_avg": m["f_avg"], "accuracy": m["accuracy"]}


def _make_trainer_classes() -> tuple[type, type, type]:
    from transformers import Trainer, TrainerCallback
    from transformers.trainer_callback import ProgressCallback

    class WeightedTrainer(Trainer):
        """Trainer whose loss weights classes by inverse frequency when asked."""

        def __init__(self, *args: Any, class_weights: Any = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.class_weights = class_weights

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):  # noqa: ANN001
            import torch

            labels = inputs.pop("labels")
            outputs = model(**inputs)
            weight = self.class_weights.to(outputs.logits.device) if self.class_weights is not None else None
            loss = torch.nn.functional.cross_entropy(outputs.logits, labels, weight=weight)
            return (loss, outputs) if return_outputs else loss

    class EpochLine(TrainerCallback):
        """One readable line per epoch instead of raw log dictionaries."""

        def __init__(self, log: Log) -> None:
            self.log = log

        def on_evaluate(self, args, state, control, metrics=None, **kwargs):  # noqa: ANN001
            losses = [h["loss"] for h in state.log_history if "loss" in h]
            metrics = metrics or {}
            self.log(f"epoch {state.epoch:.0f}/{args.num_train_epochs:.0f}  "
                     f"train loss {losses[-1] if losses else float('nan'):.4f}  "
                     f"dev loss {metrics.get('eval_loss', float('nan')):.4f}  "
                     f"dev macro-F1 {metrics.get('eval_macro_f1', float('nan')):.4f}  "
                     f"dev F_avg {metrics.get('eval_f_avg', float('nan')):.4f}")

    class QuietProgress(ProgressCallback):
        """The progress bar, without printing every log dictionary under it."""

        def on_log(self, args, state, control, logs=None, **kwargs):  # noqa: ANN001
            return None

    return WeightedTrainer, EpochLine, QuietProgress

