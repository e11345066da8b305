"""`stance train`, `stance retrain`, `stance models`: argument parsing only; work happens lazily."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def configure_train(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, help="YAML config, e.g. configs/default.yaml")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config key (dotted keys reach into data:, e.g. data.dev=...)")
    parser.add_argument("--data", action="append", default=[], metavar="PATH", help="extra labelled training file")
    parser.add_argument("--output", default=None,
                        help="checkpoint directory (default: models/<version>, promoted to models/default if none is)")
    parser.add_argument("--models-dir", default="models", help="registry directory (default: models)")
    parser.add_argument("--promote", action="store_true", help="point models/default at the new version")
    parser.add_argument("--force", action="store_true", help="replace --output if it exists (atomically)")
    parser.set_defaults(func=run_train)


def run_train(args: argparse.Namespace) -> int:
    import os
    import time

    from training import registry
    from training.config import load_config
    from training.train import train

    config = load_config(args.config, args.overrides)
    version = time.strftime("%Y%m%d-%H%M%S")
    output = Path(args.output) if args.output else Path(args.models_dir) / version
    path = train(config, output, extra_data=args.data, force=args.force, version=version, log=_log)
    if int(os.environ.get("RANK", "0")) != 0:
        return 0  # other ranks of a distributed run only train; rank 0 writes and registers
    in_registry = path.resolve().parent == Path(args.models_dir).resolve()
    if in_registry and (args.promote or registry.current(args.models_dir) is None):
        registry.promote(args.models_dir, path.name)
        _log(f"models/{registry.DEFAULT} -> {path.name}")
    return 0


def configure_retrain(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", action="append", required=True, metavar="PATH", help="new labelled rows (JSONL/CSV/Parquet)")
    parser.add_argument("--model", default="models/default", help="the champion (default: models/default)")
    parser.add_argument("--models-dir", default="models")
    parser.add_argument("--on-conflict", choices=["new-wins", "stop"], default="stop",
                        help="same text and target with a different label: let the new row win, or stop (default)")
    parser.add_argument("--tolerance", type=float, default=0.01,
                        help="promote unless the challenger's macro-F1 is worse by more than this (default 0.01)")
    parser.add_argument("--holdout", type=float, default=0.2, help="share of the new rows held out to compare on (default 0.2)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.set_defaults(func=run_retrain)


def run_retrain(args: argparse.Namespace) -> int:
    from training.retrain import retrain

    result = retrain(args.model, args.data, models_dir=args.models_dir, on_conflict=args.on_conflict,
                     tolerance=args.tolerance, holdout=args.holdout, overrides=args.overrides, log=_log)
    return 0 if result["promoted"] or result["decision"] == "kept champion" else 1


def configure_models(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="versions with their metrics")
    listing.add_argument("--models-dir", default="models")
    listing.set_defaults(func=run_models_list)
    promote = sub.add_parser("promote", help="point models/default at VERSION (roll back or forward)")
    promote.add_argument("version")
    promote.add_argument("--models-dir", default="models")
    promote.set_defaults(func=run_models_promote)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def run_models_list(args: argparse.Namespace) -> int:
    from training.registry import summary

    rows = summary(args.models_dir)
    if not rows:
        print(f"no model versions in {args.models_dir}; train one with: stance train --config configs/default.yaml")
        return 0
    print(f"{'':2}{'version':<20} {'dev F1':>7} {'test F1':>7} {'test ECE':>8} {'rows':>6}")
    for r in rows:
        print(f"{'*' if r['default'] else ' ':2}{r['version']:<20} {_fmt(r['dev_macro_f1']):>7} "
              f"{_fmt(r['test_macro_f1']):>7} {_fmt(r['test_ece']):>8} {r['train_rows'] or '-':>6}")
    return 0


def run_models_promote(args: argparse.Namespace) -> int:
    from training.registry import promote

    target = promote(args.models_dir, args.version)
    print(f"{args.models_dir}/default -> {target.name}")
    return 0


def configure_data(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    check = sub.add_parser("check", help="validate a corpus directory and print its counts")
    check.add_argument("path", nargs="?", default="data/stance")
    check.add_argument("--json", action="store_true", help="print the counts as JSON")
    check.set_defaults(func=run_data_check)


def run_data_check(args: argparse.Namespace) -> int:
    import json

    from training.datacheck import check, render

    summary, problems = check(args.path)
    print(json.dumps(summary, indent=2) if args.json else render(summary))
    for problem in problems:
        print(f"violation: {problem}", file=sys.stderr)
    print(f"{len(problems)} violation(s)" if problems else "ok: no violations", file=sys.stderr)
    return 1 if problems else 0


def configure_evaluate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", action="append", required=True, metavar="DIR",
                        help="checkpoint directory; give it twice to compare two models")
    parser.add_argument("--data", action="append", required=True, metavar="PATH", help="labelled JSONL/CSV/Parquet file")
    parser.add_argument("--target", default=None, help="target for rows without one (required if the data has no target column)")
    parser.add_argument("--out", default="reports/latest", help="report directory (default: reports/latest)")
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--target-column", default="target")
    parser.add_argument("--label-column", default="label")
    parser.add_argument("--threads", type=int, default=None)
    parser.set_defaults(func=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    from model.errors import StanceError
    from training.evaluate import evaluate

    if len(args.model) > 2:
        raise StanceError(f"got {len(args.model)} --model options; give one to evaluate or two to compare")
    evaluate(args.model, args.data, args.out, target=args.target, threads=args.threads, log=_log,
             columns={"text": args.text_column, "target": args.target_column, "label": args.label_column})
    return 0
