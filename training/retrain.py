"""`stance retrain`: merge new labelled rows with the champion's data, train a challenger,
compare both on the same fixed test sets plus a held-out slice of the new rows, and
promote the challenger only if it is not worse beyond a tolerance.

load -> merge -> train challenger -> compare -> promote or keep.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any, Callable

import yaml

from model.errors import DataError
from training import registry
from training.config import TrainConfig, apply_overrides, from_dict

Log = Callable[[str], None]


def find_conflicts(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with the same text and target (case and spacing folded) but a different label."""
    def key(row: dict[str, Any]) -> tuple[str, str]:
        return " ".join(row["text"].lower().split()), " ".join(row["target"].lower().split())

    old_by_key = {key(r): r for r in old}
    return [{"text": r["text"], "target": r["target"], "old_label": old_by_key[key(r)]["label"], "new_label": r["label"],
             "old_source": old_by_key[key(r)]["source"], "new_source": r["source"]}
            for r in new if key(r) in old_by_key and old_by_key[key(r)]["label"] != r["label"]]


def decide(champion: dict[str, float], challenger: dict[str, float], tolerance: float) -> tuple[bool, list[str]]:
    """Promote only if, on every evaluation set, challenger macro-F1 >= champion macro-F1 - tolerance.

    >>> decide({"test": 0.80}, {"test": 0.795}, 0.01)[0], decide({"test": 0.80}, {"test": 0.70}, 0.01)[0]
    (True, False)
    """
    reasons, ok = [], True
    for name in champion:
        delta = challenger[name] - champion[name]
        worse = delta < -tolerance
        ok &= not worse
        reasons.append(f"{name}: champion {champion[name]:.3f}, challenger {challenger[name]:.3f} "
                       f"({delta:+.3f}{', worse than the tolerance ' + format(tolerance, '.3f') if worse else ''})")
    return ok, reasons


def retrain(
    model: str | Path,
    new_files: list[str],
    *,
    models_dir: str | Path = "models",
    on_conflict: str = "stop",
    tolerance: float = 0.01,
    holdout: float = 0.2,
    overrides: list[str] | None = None,
    log: Log = print,
) -> dict[str, Any]:
    from model.pipeline import StancePipeline
    from training.data import load_labelled
    from training.train import load_training_data, score, train

    # load: the champion and the config and data it was trained with
    champion_dir = Path(model).resolve()
    config_file = champion_dir / "training_config.yaml"
    if not config_file.is_file():
        raise DataError(f"{champion_dir} has no training_config.yaml, so the data it was trained on is unknown; "
                        "retrain needs a model written by `stance train`")
    raw = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config: TrainConfig = from_dict(apply_overrides(raw, overrides or [], str(config_file)), str(config_file))
    _check_fingerprint(champion_dir, log)
    old = load_training_data(config, log=log)
    new_rows = [row for path in new_files for row in load_labelled(path, config.data.columns, config.default_target)]
    log(f"new data: {len(new_rows)} rows from {', '.join(new_files)}")

    # merge: conflicts first, then a held-out slice of the new rows to compare on
    conflicts = find_conflicts(old.train, new_rows)
    if conflicts:
        for c in conflicts[:10]:
            log(f"conflict: {c['text'][:70]!r} toward {c['target']!r}: old {c['old_label']} ({c['old_source']}), "
                f"new {c['new_label']}")
        if on_conflict == "stop":
            raise DataError(f"{len(conflicts)} new row(s) contradict the training data (same text and target, "
                            "different label); fix them, or pass --on-conflict new-wins to let the new labels win")
        log(f"{len(conflicts)} conflict(s): the new labels win")
    rng = random.Random(config.seed)
    shuffled = new_rows[:]
    rng.shuffle(shuffled)
    n_hold = int(round(len(shuffled) * holdout)) if len(shuffled) >= 5 else 0
    held, fresh = shuffled[:n_hold], shuffled[n_hold:]

    version_dir = Path(models_dir) / _new_version(models_dir)
    staging = Path(models_dir) / f".retrain-{version_dir.name}"
    staging.mkdir(parents=True, exist_ok=True)
    conflict_keys = {(c["text"], c["target"]) for c in conflicts}
    merged_new = staging / "new_train.jsonl"
    merged_new.write_text("".join(json.dumps(_plain(r), ensure_ascii=False) + "\n" for r in fresh), encoding="utf-8")
    # The old rows that lose a conflict are written out too, so the challenger's config names files that exist.
    dropped = [r for r in old.train if (r["text"], r["target"]) in conflict_keys]
    if dropped:
        config = _without_conflicts(config, old.train, conflict_keys, staging)

    # train the challenger
    try:
        challenger_dir = train(config, version_dir, extra_data=[str(merged_new)], version=version_dir.name, log=log)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    kept = challenger_dir / "retrain_data"
    kept.mkdir(exist_ok=True)
    for f in staging.iterdir():
        f.rename(kept / f.name)
    staging.rmdir()
    if held:
        (kept / "new_holdout.jsonl").write_text("".join(json.dumps(_plain(r), ensure_ascii=False) + "\n" for r in held),
                                                encoding="utf-8")

    # compare on the same sets
    champion = StancePipeline.from_pretrained(champion_dir)
    challenger = StancePipeline.from_pretrained(challenger_dir)
    sets = {f"test:{Path(p).name}": rows for p, rows in old.tests.items()}
    if held:
        sets["new-holdout"] = held
    champion_scores = {name: score(champion, rows)["macro_f1"] for name, rows in sets.items()}
    challenger_scores = {name: score(challenger, rows)["macro_f1"] for name, rows in sets.items()}
    promoted, reasons = decide(champion_scores, challenger_scores, tolerance)
    for line in reasons:
        log(line)

    # promote or keep
    if promoted:
        registry.promote(models_dir, challenger_dir.name)
        log(f"promoted {challenger_dir.name}: {models_dir}/default now points at it")
    else:
        log(f"kept the champion {champion_dir.name}; the challenger stays in {challenger_dir} for inspection")
    report = {"champion": champion_dir.name, "challenger": challenger_dir.name, "promoted": promoted,
              "decision": "promoted" if promoted else "kept champion", "tolerance": tolerance,
              "champion_macro_f1": champion_scores, "challenger_macro_f1": challenger_scores,
              "conflicts": conflicts, "new_rows": len(new_rows), "held_out": len(held)}
    (challenger_dir / "retrain_report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("id", "text", "target", "label", "conflict", "tags") if row.get(k) is not None}


def _new_version(models_dir: str | Path) -> str:
    import time

    name = time.strftime("%Y%m%d-%H%M%S")
    while (Path(models_dir) / name).exists():
        time.sleep(1)
        name = time.strftime("%Y%m%d-%H%M%S")
    return name


def _without_conflicts(config: TrainConfig, old_rows: list[dict[str, Any]], keys: set, staging: Path) -> TrainConfig:
    """Rewrite the old training sources without the rows the new labels overrule."""
    from training.config import Source

    kept = [r for r in old_rows if (r["text"], r["target"]) not in keys]
    path = staging / "old_train_without_conflicts.jsonl"
    path.write_text("".join(json.dumps(_plain(r), ensure_ascii=False) + "\n" for r in kept), encoding="utf-8")
    config.data.train = [Source(str(path), 1.0)]
    config.data.perspectrum = None  # already mixed into old_rows
    return config


def _check_fingerprint(champion_dir: Path, log: Log) -> None:
    from training.data import fingerprint

    fp_file = champion_dir / "data_fingerprint.json"
    if not fp_file.is_file():
        return
    for f in json.loads(fp_file.read_text()).get("files", []):
        if f.get("sha256") and Path(f["path"]).is_file() and fingerprint(f["path"])["sha256"] != f["sha256"]:
            log(f"note: {f['path']} changed since the champion was trained (sha256 differs); "
                "the champion is compared on the files as they are now")
