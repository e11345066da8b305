"""`stance predict`: classify statements from a JSONL or CSV file."""

from __future__ import annotations

import argparse
import json
import os

DEFAULT_MODEL = "models/default"


def default_threads() -> int:
    """STANCE_THREADS, else the cores this process may use (torch oversubscribes otherwise)."""
    if os.environ.get("STANCE_THREADS"):
        return int(os.environ["STANCE_THREADS"])
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def add_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"checkpoint directory (default: {DEFAULT_MODEL})")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: STANCE_THREADS or the usable cores)")


def configure_predict(parser: argparse.ArgumentParser) -> None:
    add_model_options(parser)
    parser.add_argument("--target", default=None, help="target for rows without one (default: the model's, 'a negotiated ceasefire')")
    parser.add_argument("--input", default="-", help="JSONL ({\"text\", \"target\"?, \"id\"?} a line) or CSV with a text column; - for stdin")
    parser.add_argument("--output", default="-", help="JSONL output path, written whole or not at all; - for stdout")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.set_defaults(func=run_predict)


def run_predict(args: argparse.Namespace) -> int:
    from model.io import read_statements, write_atomic
    from model.pipeline import StancePipeline

    rows = read_statements(args.input)
    pipe = StancePipeline.from_pretrained(args.model, num_threads=args.threads or default_threads(),
                                          batch_size=args.batch_size)
    target = args.target or pipe.default_target
    targets = [row.get("target") or target for row in rows]
    results = pipe.predict([row["text"] for row in rows], targets)
    lines = (
        json.dumps({"id": row.get("id", str(i)), "text": row["text"], **result}, ensure_ascii=False)
        for i, (row, result) in enumerate(zip(rows, results))
    )
    write_atomic(args.output, lines)
    return 0
