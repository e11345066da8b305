"""The `stance` command: a thin dispatcher over the three rooms.

Each subcommand lives beside the code it drives and is named here as
"module:function". The function receives an argparse sub-parser, adds its
options and sets `func`; heavy imports (torch, spaCy) happen only inside `func`,
so `stance --help` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    # name: ("module:configure", one-line help)
    "predict": ("model.cli:configure_predict", "classify statements from JSONL/CSV"),
    "serve": ("serve.cli:configure_serve", "run the HTTP API and the analysis page"),
    "train": ("training.cli:configure_train", "train a checkpoint from a YAML config"),
    "retrain": ("training.cli:configure_retrain", "retrain on new labelled rows; promote only if not worse"),
    "models": ("training.cli:configure_models", "list model versions or promote one"),
    "data": ("training.cli:configure_data", "check a labelled corpus directory"),
    "evaluate": ("training.cli:configure_evaluate", "evaluation report (JSON, Markdown, HTML) for one model or two"),
    "extract": ("model.quotes_cli:configure_extract", "find quoted and reported statements and their speakers in an article"),
    "analyze": ("model.quotes_cli:configure_analyze", "statements, speakers and stance of a whole article"),
    "evaluate-quotes": ("training.quote_eval:configure_evaluate_quotes", "score quote extraction against a gold file"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stance",
        description="Stance toward a negotiated ceasefire (or any target) in news statements.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (target, help_text) in COMMANDS.items():
        module_name, func_name = target.split(":")
        configure = getattr(importlib.import_module(module_name), func_name)
        configure(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class CommandError(Exception):
    """An error the user can fix; printed without a traceback, exit status 2."""


def main(argv: list[str] | None = None) -> int:
    # No model hub here or in CI: a stray hub id fails fast instead of hanging.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    args = build_parser().parse_args(argv)
    if args.command != "serve":
        # SIGTERM (a container stop, a kill) unwinds like Ctrl-C, so training and report
        # writers remove their temporary directories instead of leaving them behind.
        signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("stance: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - errors users can act on carry user_facing
        if getattr(exc, "user_facing", False) or isinstance(exc, CommandError):
            print(f"stance {args.command}: error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
