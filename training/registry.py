"""A model registry: `models/<version>/` directories and a `models/default` pointer.

Versions are timestamps (YYYYmmdd-HHMMSS), so sorting names sorts them by time.
`default` is a relative symlink swapped atomically (a new link renamed over the old),
so a reader sees the old model or the new one, never neither.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from model.errors import StanceError

DEFAULT = "default"


class RegistryError(StanceError):
    """A version is unknown, incomplete or the registry is in an unexpected state."""


def versions(root: str | Path) -> list[Path]:
    base = Path(root)
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir()
                  if p.is_dir() and not p.is_symlink() and not p.name.startswith(".") and (p / "config.json").is_file())


def current(root: str | Path) -> Path | None:
    link = Path(root) / DEFAULT
    if link.is_symlink():
        return (link.parent / os.readlink(link)).resolve()
    if link.is_dir():
        return link.resolve()
    return None


def resolve_version(root: str | Path, name: str) -> Path:
    base = Path(root)
    for candidate in (Path(name), base / name):
        if candidate.is_dir() and (candidate / "config.json").is_file():
            return candidate.resolve()
    known = ", ".join(p.name for p in versions(base)) or "none"
    raise RegistryError(f"no model version {name!r} in {base}; known versions: {known}")


def promote(root: str | Path, version: str) -> Path:
    """Point `default` at a version (roll forward or back)."""
    from model.checkpoint import check_checkpoint

    base = Path(root)
    target = resolve_version(base, version)
    check_checkpoint(target)
    link = base / DEFAULT
    if link.exists() and not link.is_symlink():
        raise RegistryError(f"{link} is a real directory, not a pointer; move it to {base}/<version> "
                            "and promote that version")
    tmp = base / f".{DEFAULT}.tmp-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(target, base), tmp)
    os.replace(tmp, link)
    return target


def summary(root: str | Path) -> list[dict[str, Any]]:
    """Each version with its headline metrics, newest last, and which one is the default."""
    active = current(root)
    rows = []
    for path in versions(root):
        metrics_file = path / "metrics.json"
        metrics = json.loads(metrics_file.read_text()) if metrics_file.is_file() else {}
        rows.append({
            "version": path.name, "default": active is not None and path.resolve() == active,
            "dev_macro_f1": metrics.get("dev", {}).get("macro_f1"),
            "test_macro_f1": metrics.get("test", {}).get("macro_f1"),
            "test_ece": metrics.get("test", {}).get("ece"),
            "train_rows": metrics.get("train_rows"),
        })
    return rows
