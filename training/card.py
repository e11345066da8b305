"""The model card (README.md) written into every trained checkpoint, in the Hugging Face style."""

from __future__ import annotations

from typing import Any

from model.labels import LABELS
from training.config import TrainConfig


def model_card(config: TrainConfig, metrics: dict[str, Any], fingerprint: dict[str, Any], version: str) -> str:
    def row(split: str) -> str:
        m = metrics.get(split)
        if not m:
            return f"| {split} | - | - | - | - | - |"
        return (f"| {split} | {m['n']} | {m['macro_f1']:.3f} | {m['f_avg']:.3f} | {m['accuracy']:.3f} | "
                f"{m['ece_before_calibration']:.3f} → {m['ece']:.3f} |")

    per_class = "\n".join(
        f"| {label} | {metrics['test']['per_class'][label]['precision']:.3f} | "
        f"{metrics['test']['per_class'][label]['recall']:.3f} | {metrics['test']['per_class'][label]['f1']:.3f} | "
        f"{metrics['test']['per_class'][label]['support']} |"
        for label in LABELS) if "test" in metrics else "| (no test set) | | | | |"
    files = "\n".join(f"- `{f['path']}` ({f['role']}, {f.get('rows')} rows"
                      + (f", sha256 `{f['sha256'][:12]}…`" if f.get("sha256") else "")
                      + (f", {f['licence']}" if f.get("licence") else "") + ")"
                      for f in fingerprint["files"])
    return f"""---
language: en
license: apache-2.0
library_name: transformers
pipeline_tag: text-classification
tags: [stance-detection, target-conditioned, news, ceasefire]
base_model: {config.base_encoder}
---

# {config.name} ({version})

Classifies the stance of a statement toward a target: **FAVOR**, **AGAINST** or **NEUTRAL**.
The input is the pair (target, statement), encoded as `[CLS] target [SEP] statement [SEP]`;
the default target is "{config.default_target}". Scores are softmax probabilities after
temperature scaling (T = {metrics['temperature']:.3f}, fitted on dev).

## Intended use

Quoted statements from news coverage of wars and conflicts: who favours or opposes a
negotiated ceasefire (or another target a user names). It is an aid to reading, not a
verdict on a person: check the statements that matter, and read the evaluation report for
the kind of text you feed it.

## Labels

{", ".join(f"{i}: {label}" for i, label in enumerate(LABELS))} (also in `config.json`, `id2label`).

## Training data

{files}

{fingerprint['train_rows']} training rows after mixing weights. The labelling guideline is
summarised in `data/stance/DATA_CARD.md` of the project.

## Metrics

| split | n | macro-F1 | F_avg | accuracy | ECE (before → after calibration) |
|---|---:|---:|---:|---:|---|
{row("dev")}
{row("test")}

Per class on test:

| label | precision | recall | F1 | support |
|---|---:|---:|---:|---:|
{per_class}

## Limitations

- Trained on statements written for the project in the style of news quotes; real quotes
  are longer, noisier and more allusive. Expect lower scores on them.
- Sarcasm, conditions that are refusals in disguise and reported views remain the hardest cases.
- Targets far from the training targets are read through the encoder's general knowledge only.
- English only. Statements longer than {config.max_length} tokens (with the target) are truncated,
  and results say so (`truncated`).

## How to reproduce

```bash
stance train --config configs/default.yaml --output models/{version}
```

Hyperparameters: see `training_config.yaml`; data files and their sha256 in `data_fingerprint.json`.
"""
