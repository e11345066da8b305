"""Labelled data in: JSONL, CSV or Parquet through `datasets`, columns mapped, labels normalised.

Every problem is reported with the file and the row, and nothing is silently dropped.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from model.errors import DataError
from model.labels import LABELS, normalize_label

FORMATS = {".jsonl": "json", ".json": "json", ".csv": "csv", ".parquet": "parquet"}
DEFAULT_COLUMNS = {"text": "text", "target": "target", "label": "label"}


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(f"{path}: unknown file type {path.suffix!r}; expected .jsonl, .csv or .parquet")
    return fmt


def _read_table(path: Path) -> list[dict[str, Any]]:
    """Rows of a file as dicts, via the `datasets` loaders (arrow-backed, typed columns)."""
    import datasets

    fmt = file_format(path)
    if fmt == "json":
        _check_jsonl(path)
    if fmt != "parquet" and not path.read_text(encoding="utf-8", errors="replace").strip():
        return []
    datasets.disable_progress_bars()
    try:
        loaded = datasets.load_dataset(fmt, data_files=str(path), split="train", keep_in_memory=True)
    except Exception as exc:  # datasets wraps parser errors in several exception types
        raise DataError(f"{path}: could not be read as {fmt} ({type(exc).__name__}: {exc})") from exc
    finally:
        datasets.enable_progress_bars()
    return loaded.to_list()


def _check_jsonl(path: Path) -> None:
    """Find a bad line ourselves: the arrow JSON reader reports byte offsets, not line numbers."""
    with path.open(encoding="utf-8", errors="strict") as handle:
        try:
            for lineno, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataError(f"{path}, line {lineno}: not valid JSON ({exc.msg}); expected one JSON object per line") from exc
                if not isinstance(row, dict):
                    raise DataError(f"{path}, line {lineno}: found a JSON {type(row).__name__}; expected an object")
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}: not UTF-8 text ({exc}); save it as UTF-8") from exc


def load_labelled(
    path: str | Path,
    columns: dict[str, str] | None = None,
    default_target: str | None = None,
    require_label: bool = True,
) -> list[dict[str, Any]]:
    """Load rows as {"id", "text", "target", "label", "conflict", "tags", "source"}.

    A missing target column (or empty cell) takes `default_target`; with no default it is
    an error. Labels are normalised (favor/pro/support, against/con/oppose, none/neutral);
    anything else is rejected with the row numbers.
    """
    p = Path(path)
    if not p.is_file():
        raise DataError(f"data file {p} does not exist")
    cols = {**DEFAULT_COLUMNS, **(columns or {})}
    rows = _read_table(p)
    if not rows:
        raise DataError(f"{p} has no rows; expected labelled statements")
    found = list(rows[0].keys())
    text_col = cols["text"]
    if text_col not in found and text_col == "text" and "statement" in found:
        text_col = "statement"  # a common spelling; mapped without asking
    if text_col not in found:
        raise DataError(f"{p}: missing column {cols['text']!r}; found: {', '.join(found)}; "
                        "map yours with --text-column NAME (or data.columns.text in the config)")
    if require_label and cols["label"] not in found:
        raise DataError(f"{p}: missing column {cols['label']!r}; found: {', '.join(found)}; "
                        "map yours with --label-column NAME (or data.columns.label in the config)")
    has_target = cols["target"] in found
    if not has_target and default_target is None:
        raise DataError(f"{p}: missing column {cols['target']!r} and no default target; "
                        "pass --target TEXT or map a column with --target-column NAME")
    # Row numbers as a person counts them in the file: JSONL line = row, CSV adds a header line.
    offset = 2 if file_format(p) == "csv" else 1
    out, bad_labels, bad_text = [], [], []
    for i, row in enumerate(rows):
        n = i + offset
        text = row.get(text_col)
        if not isinstance(text, str) or not text.strip():
            bad_text.append(n)
            continue
        target = row.get(cols["target"]) if has_target else None
        if not isinstance(target, str) or not target.strip():
            if default_target is None:
                raise DataError(f"{p}, row {n}: empty target and no default target; pass --target TEXT")
            target = default_target
        label = None
        if require_label:
            label = normalize_label(row.get(cols["label"]))
            if label is None:
                bad_labels.append((n, row.get(cols["label"])))
                continue
        tags = row.get("tags") or []
        out.append({
            "id": str(row.get("id") if row.get("id") not in (None, "") else f"{p.stem}-{n}"),
            "text": text, "target": target.strip(), "label": label,
            "conflict": row.get("conflict") or None,
            "tags": list(tags) if isinstance(tags, (list, tuple)) else [t for t in str(tags).split("|") if t],
            "source": str(p),
        })
    if bad_text:
        raise DataError(f"{p}: empty or missing text in row(s) {_rows(bad_text)}; every row needs a statement")
    if bad_labels:
        shown = ", ".join(f"row {n}: {v!r}" for n, v in bad_labels[:10])
        more = f" and {len(bad_labels) - 10} more" if len(bad_labels) > 10 else ""
        raise DataError(f"{p}: unknown label(s) ({shown}{more}); allowed: {', '.join(LABELS)} "
                        "(also favor/pro/support, against/con/oppose, none/neutral)")
    return out


def _rows(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:10]))
    return shown + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")


def fingerprint(path: str | Path, rows: int | None = None) -> dict[str, Any]:
    """sha256 and row count of a data file, so a model says exactly what it was trained on."""
    p = Path(path)
    digest = hashlib.sha256(p.read_bytes()).hexdigest()
    return {"path": str(path), "sha256": digest, "rows": rows}
