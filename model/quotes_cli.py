"""`stance extract` and `stance analyze`: statements, speakers and stance of one article."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from model.errors import DataError

DEFAULT_MODEL = "models/default"


def read_article(path: str) -> str:
    """The article text from a file, or from standard input for "-"."""
    if path == "-":
        return sys.stdin.read()
    p = Path(path)
    if not p.is_file():
        raise DataError(f"article file {p} does not exist; expected a UTF-8 text file with one article "
                        "(paragraphs separated by newlines), or --input - to read standard input")
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"article file {p} is not UTF-8 text ({exc}); save it as UTF-8 and retry") from exc


def configure_extract(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", default="-", help="article text file; - for stdin (default)")
    parser.set_defaults(func=run_extract)


def run_extract(args: argparse.Namespace) -> int:
    from model.quotes import extract_quotes

    quotes = extract_quotes(read_article(args.input))
    print(json.dumps({"quotes": [q.to_dict() for q in quotes]}, ensure_ascii=False, indent=2))
    return 0


def configure_analyze(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help=f"checkpoint directory (default: {DEFAULT_MODEL})")
    parser.add_argument("--target", default=None, help="stance target (default: the model's, 'a negotiated ceasefire')")
    parser.add_argument("--input", default="-", help="article text file; - for stdin (default)")
    parser.set_defaults(func=run_analyze)


def run_analyze(args: argparse.Namespace) -> int:
    from model.pipeline import StancePipeline

    text = read_article(args.input)
    pipeline = StancePipeline.from_pretrained(args.model or DEFAULT_MODEL)
    print(json.dumps(pipeline.analyze(text, args.target), ensure_ascii=False, indent=2))
    return 0
