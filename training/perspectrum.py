"""Perspectrum (Chen et al., NAACL 2019; CC BY-SA 4.0) as stance rows: claim = target, perspective = statement.

Not shipped with the project: a user points the loader (or `data.perspectrum.path` in a
training config) at a directory holding the upstream files
`perspectrum_with_answers_v1.0.json`, `perspective_pool_v1.0.json` and
`dataset_split_v1.0.json`. Rows derived from it stay under CC BY-SA 4.0 and carry that
attribution in the checkpoint's data fingerprint. Perspectrum has no NEUTRAL class:
SUPPORT maps to FAVOR and UNDERMINE to AGAINST.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from model.errors import DataError

ATTRIBUTION = ("Perspectrum, Sihao Chen, Daniel Khashabi, Wenpeng Yin, Chris Callison-Burch, Dan Roth (NAACL 2019), "
               "CC BY-SA 4.0")
FILES = ("perspectrum_with_answers_v1.0.json", "perspective_pool_v1.0.json", "dataset_split_v1.0.json")
_LABELS = {"SUPPORT": "FAVOR", "UNDERMINE": "AGAINST"}


def load_perspectrum(path: str | Path, split: str | None = "train") -> list[dict[str, Any]]:
    """Rows {"id", "text", "target", "label", "conflict", "tags", "source"} for one split (None: all)."""
    root = Path(path)
    missing = [name for name in FILES if not (root / name).is_file()]
    if missing:
        raise DataError(f"{root} is not a Perspectrum directory: missing {', '.join(missing)}; "
                        "point data.perspectrum.path at the folder with the upstream v1.0 JSON files")
    try:
        claims = json.loads((root / FILES[0]).read_text(encoding="utf-8"))
        pool = {p["pId"]: p["text"] for p in json.loads((root / FILES[1]).read_text(encoding="utf-8"))}
        splits = json.loads((root / FILES[2]).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise DataError(f"{root}: Perspectrum files are not in the v1.0 format ({exc})") from exc
    if split is not None and split not in {"train", "dev", "test"}:
        raise DataError(f"Perspectrum split {split!r}; expected train, dev, test or null for all")
    rows = []
    for claim in claims:
        claim_split = splits.get(str(claim["cId"]))
        if split is not None and claim_split != split:
            continue
        for cluster in claim.get("perspectives", []):
            label = _LABELS.get(cluster.get("stance_label_3"))
            if label is None:
                continue
            for pid in cluster.get("pids", []):
                if pid in pool:
                    rows.append({"id": f"perspectrum-{claim['cId']}-{pid}", "text": " ".join(pool[pid].split()),
                                 "target": " ".join(claim["text"].split()), "label": label, "conflict": "perspectrum",
                                 "tags": [], "source": f"{root} ({ATTRIBUTION})"})
    if not rows:
        raise DataError(f"{root}: no Perspectrum rows in split {split!r}")
    return rows
