"""`stance data check`: validate a labelled corpus directory and print what it holds.

Schema of every row, ids unique across files, exact and near duplicates (token Jaccard
>= 0.8) within and across splits, and counts by split, label, conflict, target and tag.
Exits non-zero on any violation.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from model.labels import DEFAULT_TARGET, LABELS

SPLITS = ("train", "dev", "test")
FIELDS = {"id": str, "text": str, "target": str, "label": str, "conflict": str, "speaker_role": str, "tags": list}
TAGS = {"conditional", "conditional_refusal", "sarcasm", "negation", "skepticism", "no_keyword",
        "misleading_keyword", "hedged", "reported_view", "procedural", "mixed", "contrast", "reported_speech"}
NEAR_DUPLICATE = 0.8
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower().replace("’", "'")))


def read_split(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows of one split file and the schema violations found in it (file:line: what)."""
    rows, problems = [], []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{path}:{lineno}"
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(row, dict):
            problems.append(f"{where}: expected a JSON object")
            continue
        for name, kind in FIELDS.items():
            value = row.get(name)
            if not isinstance(value, kind) or (kind is str and not value.strip()):
                problems.append(f"{where}: field {name!r} is {value!r}; expected a non-empty {kind.__name__}")
        if row.get("label") not in LABELS:
            problems.append(f"{where}: label {row.get('label')!r}; allowed: {', '.join(LABELS)}")
        unknown = sorted(set(row.get("tags") or []) - TAGS)
        if unknown:
            problems.append(f"{where}: unknown tag(s) {', '.join(map(str, unknown))}; allowed: {', '.join(sorted(TAGS))}")
        row["_where"] = where
        rows.append(row)
    return rows, problems


def near_duplicate_pairs(texts: list[str], threshold: float = NEAR_DUPLICATE) -> list[tuple[int, int, float]]:
    """Index pairs whose word sets have Jaccard >= threshold, via one sparse matrix product."""
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    if len(texts) < 2:
        return []
    vec = CountVectorizer(binary=True, token_pattern=r"[a-z0-9]+(?:'[a-z]+)?", lowercase=True)
    x = vec.fit_transform([t.replace("’", "'") for t in texts]).astype(np.int32)
    sizes = np.asarray(x.sum(axis=1)).ravel()
    inter = sparse.triu(x @ x.T, k=1).tocoo()
    union = sizes[inter.row] + sizes[inter.col] - inter.data
    jaccard = np.where(union > 0, inter.data / np.maximum(union, 1), 0.0)
    keep = jaccard >= threshold
    return [(int(i), int(j), float(s)) for i, j, s in zip(inter.row[keep], inter.col[keep], jaccard[keep])]


def check(root: str | Path) -> tuple[dict[str, Any], list[str]]:
    root = Path(root)
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    for split in SPLITS:
        path = root / f"{split}.jsonl"
        if not path.is_file():
            problems.append(f"{path}: missing; a corpus directory holds train.jsonl, dev.jsonl and test.jsonl")
            continue
        split_rows, split_problems = read_split(path)
        problems += split_problems
        if not split_rows:
            problems.append(f"{path}: no rows")
        for row in split_rows:
            row["_split"] = split
        rows += split_rows
    ids = Counter(r.get("id") for r in rows)
    for row in rows:
        if ids[row.get("id")] > 1:
            problems.append(f"{row['_where']}: duplicate id {row.get('id')!r}")
    seen: dict[tuple[str, str], str] = {}
    for row in rows:
        key = (" ".join(str(row.get("text", "")).lower().split()), str(row.get("target", "")).lower())
        if key in seen:
            problems.append(f"{row['_where']}: exact duplicate of {seen[key]} (same text and target)")
        seen.setdefault(key, row["_where"])
    # The same statement toward two targets (a contrast pair) is fine inside a split;
    # any near duplicate across splits leaks test data into training.
    texts = [str(r.get("text", "")) for r in rows]
    cross = [(i, j, s) for i, j, s in near_duplicate_pairs(texts) if rows[i]["_split"] != rows[j]["_split"]]
    for i, j, s in cross[:50]:
        problems.append(f"{rows[i]['_where']} and {rows[j]['_where']}: near duplicates across splits (Jaccard {s:.2f})")
    if len(cross) > 50:
        problems.append(f"... and {len(cross) - 50} more near duplicates across splits")
    return summarise(rows), problems


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    default = [r for r in rows if r.get("target") == DEFAULT_TARGET]
    other = [r for r in rows if r.get("target") != DEFAULT_TARGET]
    by_text: dict[str, set[tuple[str, str]]] = {}
    for r in rows:
        by_text.setdefault(r.get("text", ""), set()).add((r.get("target"), r.get("label")))
    contrast = sum(1 for pairs in by_text.values() if len({t for t, _ in pairs}) > 1 and len({l for _, l in pairs}) > 1)
    train_conflicts = {r.get("conflict") for r in rows if r["_split"] == "train"}
    return {
        "rows": len(rows),
        "by_split": dict(Counter(r["_split"] for r in rows)),
        "default_target": {
            "rows": len(default),
            "by_split": dict(Counter(r["_split"] for r in default)),
            "by_label": dict(Counter(r.get("label") for r in default)),
            "tagged_share": round(sum(1 for r in default if set(r.get("tags") or []) - {"contrast"}) / max(len(default), 1), 3),
        },
        "other_targets": {"rows": len(other), "targets": len({r.get("target") for r in other}),
                          "by_label": dict(Counter(r.get("label") for r in other)), "contrast_texts": contrast},
        "by_label": {s: dict(Counter(r.get("label") for r in rows if r["_split"] == s)) for s in SPLITS},
        "by_conflict": dict(sorted(Counter(str(r.get("conflict")) for r in rows).items())),
        "conflicts_only_in_test": sorted({str(r.get("conflict")) for r in rows if r["_split"] == "test"} - {str(c) for c in train_conflicts}),
        "by_target": dict(Counter(r.get("target") for r in rows).most_common()),
        "by_tag": dict(Counter(t for r in rows for t in r.get("tags") or []).most_common()),
    }


def render(summary: dict[str, Any]) -> str:
    d = summary["default_target"]
    lines = [f"rows: {summary['rows']}  " + "  ".join(f"{k}: {v}" for k, v in summary["by_split"].items()),
             f"default target ({DEFAULT_TARGET!r}): {d['rows']} rows; by split {d['by_split']}",
             "  labels: " + ", ".join(f"{k} {v} ({v / max(d['rows'], 1):.1%})" for k, v in sorted(d["by_label"].items())),
             f"  rows with a hard-case tag: {d['tagged_share']:.1%}",
             f"other targets: {summary['other_targets']['rows']} rows toward {summary['other_targets']['targets']} targets; "
             f"contrast texts: {summary['other_targets']['contrast_texts']}",
             "labels by split: " + "; ".join(f"{s} {v}" for s, v in summary["by_label"].items()),
             f"conflicts ({len(summary['by_conflict'])}): " + ", ".join(f"{k} {v}" for k, v in summary["by_conflict"].items()),
             "conflicts only in test: " + (", ".join(summary["conflicts_only_in_test"]) or "none"),
             "tags: " + ", ".join(f"{k} {v}" for k, v in summary["by_tag"].items()),
             "targets: " + ", ".join(f"{k} {v}" for k, v in list(summary["by_target"].items())[:60])]
    return "\n".join(lines)
