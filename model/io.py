"""Reading statements to classify and writing results whole or not at all."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterable

from model.errors import DataError


def read_text(path: str) -> tuple[str, str]:
    """Return (text, name) of a file, or of standard input for "-"."""
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    p = Path(path)
    if not p.is_file():
        raise DataError(f"input file {p} does not exist; expected a JSONL or CSV file (or - for standard input)")
    try:
        return p.read_text(encoding="utf-8"), str(p)
    except UnicodeDecodeError as exc:
        raise DataError(f"{p} is not UTF-8 text ({exc}); save it as UTF-8") from exc


def read_statements(path: str) -> list[dict[str, Any]]:
    """Rows with "text" and optional "target"/"id" from JSONL, or CSV with a `text` column.

    The format is taken from the suffix (.csv is CSV, anything else JSONL); every
    error names the file and the line.
    """
    text, name = read_text(path)
    if name.lower().endswith(".csv"):
        rows = _read_csv(text, name)
    else:
        rows = _read_jsonl(text, name)
    if not rows:
        raise DataError(f"{name} holds no statements; expected one JSON object per line with a \"text\" field")
    return rows


def _read_jsonl(text: str, name: str) -> list[dict[str, Any]]:
    rows = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(
                f"{name}, line {lineno}: not valid JSON ({exc.msg}); expected one JSON object per line, "
                'e.g. {"text": "..."}') from exc
        if not isinstance(row, dict):
            raise DataError(f"{name}, line {lineno}: found a JSON {type(row).__name__}; expected an object with a \"text\" field")
        rows.append(_check_row(row, f"{name}, line {lineno}"))
    return rows


def _read_csv(text: str, name: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "text" not in reader.fieldnames:
        found = ", ".join(reader.fieldnames or []) or "no header"
        raise DataError(f"{name}: no 'text' column (found: {found}); the CSV needs a header row with a text column")
    # Line numbers count the header as line 1, as a spreadsheet shows them.
    return [_check_row({k: v for k, v in row.items() if v not in (None, "")}, f"{name}, line {i}")
            for i, row in enumerate(reader, start=2)]


def _check_row(row: dict[str, Any], where: str) -> dict[str, Any]:
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DataError(f"{where}: missing or empty \"text\" (found keys: {', '.join(row) or 'none'}); every row needs the statement in \"text\"")
    target = row.get("target")
    if target is not None and (not isinstance(target, str) or not target.strip()):
        raise DataError(f"{where}: \"target\" must be a non-empty string when given, found {target!r}")
    return row


def write_atomic(path: str, lines: Iterable[str]) -> None:
    """Write lines to path via a temporary file and a rename: the file appears whole or not at all."""
    if path == "-":
        for line in lines:
            sys.stdout.write(line + "\n")
        sys.stdout.flush()
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for line in lines:
                out.write(line + "\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
