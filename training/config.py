"""Training configs: one YAML file with every hyperparameter written out, overrides by key."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from model.errors import StanceError


class ConfigError(StanceError):
    """A config file or override is malformed, incomplete or names an unknown key."""


@dataclass
class Source:
    path: str
    weight: float = 1.0


@dataclass
class DataConfig:
    train: list[Source]
    dev: str
    test: list[str]
    columns: dict[str, str] = field(default_factory=lambda: {"text": "text", "target": "target", "label": "label"})
    perspectrum: dict[str, Any] | None = None
    tag_weights: dict[str, float] = field(default_factory=dict)


@dataclass
class TrainConfig:
    name: str
    base_encoder: str
    default_target: str
    max_length: int
    learning_rate: float
    epochs: int
    batch_size: int
    eval_batch_size: int
    warmup_ratio: float
    weight_decay: float
    seed: int
    class_weighting: str
    early_stopping_patience: int
    freeze_embeddings: bool
    threads: int | None
    data: DataConfig

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_TYPES: dict[str, type | tuple[type, ...]] = {
    "name": str, "base_encoder": str, "default_target": str, "max_length": int,
    "learning_rate": (int, float), "epochs": int, "batch_size": int, "eval_batch_size": int,
    "warmup_ratio": (int, float), "weight_decay": (int, float), "seed": int, "class_weighting": str,
    "early_stopping_patience": int, "freeze_embeddings": bool, "threads": (int, type(None)), "data": dict,
}
_DATA_KEYS = {"train", "dev", "test", "columns", "perspectrum", "tag_weights"}


def load_config(path: str | Path, overrides: list[str] | None = None) -> TrainConfig:
    """Read a YAML config, apply `key=value` overrides (dotted keys reach into `data`), validate.

    >>> load_config("configs/default.yaml", ["epochs=1"]).epochs  # doctest: +SKIP
    1
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"config file {p} does not exist; the shipped ones are configs/default.yaml and configs/tiny.yaml")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{p} holds a {type(raw).__name__}; expected a mapping of hyperparameters")
    raw = apply_overrides(raw, overrides or [], str(p))
    return from_dict(raw, str(p))


def apply_overrides(raw: dict[str, Any], overrides: list[str], where: str) -> dict[str, Any]:
    raw = copy.deepcopy(raw)
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override {item!r} has no '='; write --set key=value, e.g. --set epochs=3")
        key, _, value = item.partition("=")
        parts = key.strip().split(".")
        node = raw
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                raise ConfigError(f"override {item!r}: {part!r} is not a section of {where}")
            node = node[part]
        if parts[-1] not in node:
            known = ", ".join(sorted(node))
            raise ConfigError(f"override {item!r}: unknown key {key!r} (known: {known})")
        node[parts[-1]] = yaml.safe_load(value)
    return raw


def from_dict(raw: dict[str, Any], where: str = "config") -> TrainConfig:
    expected = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(raw) - expected)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; expected only: {', '.join(sorted(expected))}")
    missing = sorted(expected - set(raw))
    if missing:
        raise ConfigError(f"{where}: missing key(s) {', '.join(missing)}; every hyperparameter must be written out")
    for key, kind in _TYPES.items():
        value = raw[key]
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            raise ConfigError(f"{where}: {key} is {value!r}; expected {_type_name(kind)}")
    if raw["class_weighting"] not in {"none", "balanced"}:
        raise ConfigError(f"{where}: class_weighting is {raw['class_weighting']!r}; expected 'none' or 'balanced'")
    for key in ("epochs", "batch_size", "eval_batch_size", "max_length"):
        if raw[key] < 1:
            raise ConfigError(f"{where}: {key} is {raw[key]}; expected a positive integer")
    data = raw["data"]
    unknown = sorted(set(data) - _DATA_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) in data: {', '.join(unknown)}; expected: {', '.join(sorted(_DATA_KEYS))}")
    for key in ("train", "dev", "test"):
        if key not in data:
            raise ConfigError(f"{where}: data.{key} is missing")
    train = []
    for item in data["train"] or []:
        item = {"path": item} if isinstance(item, str) else item
        if not isinstance(item, dict) or set(item) - {"path", "weight"} or "path" not in item:
            raise ConfigError(f"{where}: data.train entry {item!r}; expected {{path: FILE, weight: NUMBER}}")
        train.append(Source(str(item["path"]), float(item.get("weight", 1.0))))
    if not train:
        raise ConfigError(f"{where}: data.train is empty; name at least one labelled file")
    test = data["test"] or []
    test = [test] if isinstance(test, str) else [str(t) for t in test]
    columns = {"text": "text", "target": "target", "label": "label", **(data.get("columns") or {})}
    if set(columns) - {"text", "target", "label"}:
        raise ConfigError(f"{where}: data.columns maps {sorted(columns)}; expected keys text, target, label")
    perspectrum = data.get("perspectrum")
    if perspectrum is not None and (not isinstance(perspectrum, dict) or "path" not in perspectrum):
        raise ConfigError(f"{where}: data.perspectrum is {perspectrum!r}; expected null or {{path: DIR, weight: NUMBER}}")
    tag_weights = data.get("tag_weights") or {}
    if not isinstance(tag_weights, dict) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in tag_weights.values()):
        raise ConfigError(f"{where}: data.tag_weights is {tag_weights!r}; expected a mapping of tag to a weight >= 0, "
                          "e.g. {contrast: 2.0}")
    fields_ = {k: raw[k] for k in expected if k != "data"}
    return TrainConfig(**fields_, data=DataConfig(train=train, dev=str(data["dev"]), test=test, columns=columns,
                                                   perspectrum=perspectrum,
                                                   tag_weights={str(k): float(v) for k, v in tag_weights.items()}))


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join("null" if k is type(None) else k.__name__ for k in kinds)


def dump_config(config: TrainConfig) -> str:
    return yaml.safe_dump(config.to_dict(), sort_keys=False, allow_unicode=True)
