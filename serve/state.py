"""What the running service holds: the model (swappable), the batcher, metrics, settings."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.errors import CheckpointError
from model.pipeline import StancePipeline
from serve.batching import MicroBatcher
from serve.errors import ApiError
from serve.metrics import ServeMetrics
from serve.settings import Settings

logger = logging.getLogger(__name__)

SMOKE_STATEMENT = "The envoys land in Oslo on Friday."


def model_name(pipeline: Any) -> str:
    return str(getattr(pipeline, "info", {}).get("name") or "unnamed")


def model_version(pipeline: Any) -> str:
    return str(getattr(pipeline, "info", {}).get("version") or "unversioned")


@dataclass
class ServiceState:
    """Shared by the routes through `request.app.state.service`."""

    settings: Settings
    metrics: ServeMetrics
    batcher: MicroBatcher
    pipeline: Any = None  # StancePipeline, or a test's stand-in with the same methods
    model_path: str | None = None
    ready: bool = False
    swapping: bool = False
    analyze_pool: concurrent.futures.ThreadPoolExecutor | None = None
    analyze_jobs: int = 0
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def model_version(self) -> str:
        return model_version(self.pipeline) if self.pipeline is not None else "none"

    def swap(self, pipeline: Any, path: str | None) -> None:
        """Point new requests at `pipeline`. One assignment, so it is atomic for the event
        loop; requests already running finish on the model they started with."""
        self.swapping = True
        try:
            self.pipeline = pipeline
            self.model_path = path
            self.metrics.set_model(model_name(pipeline), model_version(pipeline))
        finally:
            self.swapping = False


def load_checked(path: Path, settings: Settings) -> StancePipeline:
    """Load a checkpoint and prove it answers, before anything serves it.

    Runs in a thread (it takes seconds). Raises CheckpointError with the reason.
    """
    pipeline = StancePipeline.from_pretrained(
        path, num_threads=settings.torch_threads(), batch_size=settings.max_batch_size)
    result = pipeline.predict([SMOKE_STATEMENT])
    scores = list(result[0]["scores"].values()) if result else []
    if len(result) != 1 or result[0]["label"] not in pipeline.labels or not all(math.isfinite(p) for p in scores) \
            or abs(sum(scores) - 1.0) > 1e-3:
        raise CheckpointError(
            f"{path} loaded but its smoke prediction is not a calibrated distribution ({result!r}); "
            "expected three finite probabilities summing to 1. Check calibration.json and the weights.")
    return pipeline


def resolve_reload_path(name: str | None, settings: Settings) -> Path:
    """The checkpoint a reload asks for: a version name or a path, inside the models directory.

    No name means the startup model again. Anything resolving outside STANCE_MODELS_DIR is
    refused, so an admin token cannot be used to read arbitrary directories.
    """
    if name is None:
        return settings.model_path
    root = settings.models_dir.resolve()
    candidate = Path(name)
    resolved = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if resolved != root and root not in resolved.parents:
        raise ApiError(400, "model_outside_models_dir",
                       f"model {name!r} resolves outside the models directory {root}; pass a version name "
                       "under it (see STANCE_MODELS_DIR)", {"models_dir": str(root)})
    if not resolved.is_dir():
        available = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
        raise ApiError(404, "model_not_found",
                       f"no checkpoint directory {name!r} under {root}; available: {', '.join(available) or 'none'}",
                       {"available": available})
    return resolved
