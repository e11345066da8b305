"""Micro-batching: statements from concurrent requests share one model call.

Requests put their statements on a queue and await futures. One consumer task takes up
to `max_batch_size` statements and runs the model in a single worker thread, so the event
loop never blocks on torch and the model never runs twice at once (two CPU-bound calls on
2 cores only thrash). When the model was idle, the batch waits up to `max_wait_s` to fill;
when statements queued while the model was busy, the next batch starts at once with them.

>>> batcher = MicroBatcher(max_batch_size=32, max_wait_s=0.005, max_queue=1024)  # doctest: +SKIP
>>> await batcher.start()                                                         # doctest: +SKIP
>>> await batcher.predict(pipeline, ["Stop the guns."], ["a negotiated ceasefire"])  # doctest: +SKIP
[{'target': 'a negotiated ceasefire', 'label': 'FAVOR', 'scores': {...}, 'truncated': False}]
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from serve.metrics import ServeMetrics

logger = logging.getLogger(__name__)


class Predictor(Protocol):
    """What the batcher needs from a pipeline (StancePipeline satisfies it)."""

    default_target: str
    labels: tuple[str, ...]

    def predict(self, texts: Sequence[str], targets: Sequence[str | None] | str | None = None) -> list[dict[str, Any]]: ...


class QueueFull(Exception):
    """More statements are waiting than `max_queue` allows; the caller answers 429."""

    def __init__(self, pending: int, incoming: int, limit: int) -> None:
        super().__init__(f"{pending} statements are waiting and this request adds {incoming}; the queue holds {limit}")
        self.pending, self.incoming, self.limit = pending, incoming, limit


class ShuttingDown(Exception):
    """The batcher is draining for shutdown and takes no new work; the caller answers 503."""


class DeadlineExceeded(Exception):
    """The request's deadline passed before its statements were classified; the caller answers 504."""


@dataclass(eq=False)
class _Item:
    pipeline: Predictor
    text: str
    target: str
    future: asyncio.Future[dict[str, Any]] = field(repr=False)


class MicroBatcher:
    """Coalesce statements from concurrent requests into model calls of up to `max_batch_size`."""

    def __init__(self, *, max_batch_size: int, max_wait_s: float, max_queue: int,
                 metrics: ServeMetrics | None = None) -> None:
        self.max_batch_size = max_batch_size
        self.max_wait_s = max_wait_s
        self.max_queue = max_queue
        self.metrics = metrics
        # Held while the model runs; anything else touching the model (analyze helpers
        # calling it directly, a reload's smoke test on the same object) takes it too.
        self.model_lock = threading.Lock()
        self._queue: collections.deque[_Item] = collections.deque()
        self._pending = 0  # queued + inside the running batch
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._closing = False

    @property
    def pending(self) -> int:
        return self._pending

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        self._wakeup = asyncio.Event()
        self._closing = False
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="stance-infer")
        self._task = asyncio.create_task(self._run(), name="stance-batcher")

    async def stop(self) -> None:
        """Refuse new work, finish everything queued, then stop the worker thread."""
        self._closing = True
        if self._wakeup is not None:
            self._wakeup.set()
        if self._task is not None:
            await self._task
        if self._executor is not None:
            self._executor.shutdown(wait=True)

    async def predict(self, pipeline: Predictor, texts: Sequence[str], targets: Sequence[str]) -> list[dict[str, Any]]:
        """Classify `texts` (one target each) with `pipeline`; results in input order."""
        if self._closing or self._wakeup is None:
            raise ShuttingDown("the service is shutting down")
        if len(texts) != len(targets):
            raise ValueError(f"got {len(texts)} texts but {len(targets)} targets")
        if not texts:
            return []
        if self._pending + len(texts) > self.max_queue:
            raise QueueFull(self._pending, len(texts), self.max_queue)
        loop = asyncio.get_running_loop()
        items = [_Item(pipeline, text, target, loop.create_future()) for text, target in zip(texts, targets)]
        self._queue.extend(items)
        self._set_pending(self._pending + len(items))
        self._wakeup.set()
        try:
            return [await item.future for item in items]
        finally:
            # On timeout or disconnect, the consumer skips what is still queued.
            for item in items:
                if not item.future.done():
                    item.future.cancel()

    # -- consumer -------------------------------------------------------------------------

    def _set_pending(self, value: int) -> None:
        self._pending = value
        if self.metrics is not None:
            self.metrics.queue_depth.set(value)

    async def _run(self) -> None:
        assert self._wakeup is not None  # set by start(); not user input
        loop = asyncio.get_running_loop()
        while True:
            # Statements that queued while the model was busy have already waited a whole
            # model call; waiting longer for company only idles the model (measured: it cut
            # throughput at every concurrency). So the fill wait applies only from idle.
            backlog = bool(self._queue)
            # -- wait for work ------------------------------------------------------------
            while not self._queue:
                if self._closing:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
            # -- from idle, let the batch fill, unless it is full or we are draining -------
            fill_until = loop.time() + self.max_wait_s
            while not backlog and len(self._queue) < self.max_batch_size and not self._closing:
                remaining = fill_until - loop.time()
                if remaining <= 0:
                    break
                self._wakeup.clear()
                try:
                    await asyncio.wait_for(self._wakeup.wait(), remaining)
                except asyncio.TimeoutError:
                    break
            batch = self._take_batch()
            if not batch:
                continue
            # -- run the model off the event loop -----------------------------------------
            try:
                outcomes = await loop.run_in_executor(self._executor, self._infer, batch)
            except Exception as exc:  # noqa: BLE001 - delivered to the waiting requests
                outcomes = [exc] * len(batch)
            for item, outcome in zip(batch, outcomes):
                if item.future.done():
                    continue
                if isinstance(outcome, BaseException):
                    item.future.set_exception(outcome)
                else:
                    item.future.set_result(outcome)
            self._set_pending(self._pending - len(batch))

    def _take_batch(self) -> list[_Item]:
        """Up to max_batch_size live items that share the first live item's pipeline.

        Items for another pipeline (a request that began before a model swap) stay queued,
        in order, for the next batch: a request is answered by the model it started with.
        """
        batch: list[_Item] = []
        kept: collections.deque[_Item] = collections.deque()
        dropped = 0
        while self._queue:
            item = self._queue.popleft()
            if item.future.done():  # cancelled: deadline passed or client gone
                dropped += 1
            elif len(batch) < self.max_batch_size and (not batch or item.pipeline is batch[0].pipeline):
                batch.append(item)
            else:
                kept.append(item)
                if len(batch) >= self.max_batch_size:
                    break
        kept.extend(self._queue)
        self._queue = kept
        if dropped:
            self._set_pending(self._pending - dropped)
        return batch

    def _infer(self, batch: list[_Item]) -> list[dict[str, Any] | BaseException]:
        """Runs in the worker thread. One failing statement fails only itself."""
        pipeline = batch[0].pipeline
        texts = [item.text for item in batch]
        targets = [item.target for item in batch]
        start = time.perf_counter()
        try:
            with self.model_lock:
                results: list[dict[str, Any] | BaseException] = list(pipeline.predict(texts, targets))
        except Exception as exc:  # noqa: BLE001
            if len(batch) == 1:
                return [exc]
            logger.warning("batch of %d failed (%s); retrying statement by statement", len(batch), exc)
            results = []
            for item in batch:
                try:
                    with self.model_lock:
                        results.append(pipeline.predict([item.text], [item.target])[0])
                except Exception as one:  # noqa: BLE001
                    results.append(one)
        if self.metrics is not None:
            self.metrics.batch_size.observe(len(batch))
            self.metrics.inference_seconds.observe(time.perf_counter() - start)
        return results


class BatchedPipeline:
    """A view of a pipeline, for worker threads, whose predictions go through the batcher.

    `/v1/analyze` runs the pipeline's own `analyze` in a thread with this view standing in
    for the pipeline, so the quotes it finds are classified in the same micro-batches as
    `/v1/stance` statements. Everything else is delegated to the real pipeline.
    """

    def __init__(self, pipeline: Predictor, batcher: MicroBatcher, loop: asyncio.AbstractEventLoop,
                 deadline: float) -> None:
        self._pipeline = pipeline
        self._batcher = batcher
        self._loop = loop
        self._deadline = deadline  # time.monotonic() value

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pipeline, name)

    def _resolve_targets(self, n: int, targets: Sequence[str | None] | str | None) -> list[str]:
        if targets is None or isinstance(targets, str):
            return [targets or self._pipeline.default_target] * n
        targets = list(targets)
        if len(targets) != n:
            raise ValueError(f"got {n} statements but {len(targets)} targets")
        return [t or self._pipeline.default_target for t in targets]

    def predict(self, texts: Sequence[str], targets: Sequence[str | None] | str | None = None) -> list[dict[str, Any]]:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise DeadlineExceeded("the request's deadline passed")
        future = asyncio.run_coroutine_threadsafe(
            self._batcher.predict(self._pipeline, list(texts), self._resolve_targets(len(texts), targets)), self._loop)
        try:
            return future.result(timeout=remaining)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise DeadlineExceeded("the request's deadline passed") from None

    def predict_proba(self, texts: Sequence[str], targets: Sequence[str | None] | str | None = None) -> np.ndarray:
        results = self.predict(texts, targets)
        labels = self._pipeline.labels
        return np.array([[r["scores"][label] for label in labels] for r in results], dtype=np.float64).reshape(-1, len(labels))

    def predict_logits(self, *args: Any, **kwargs: Any) -> Any:
        # Raw logits bypass the batcher; the lock still keeps the model single-threaded.
        with self._batcher.model_lock:
            return self._pipeline.predict_logits(*args, **kwargs)

    def analyze(self, text: str, target: str | None = None) -> dict[str, Any]:
        # The pipeline class's analyze, with this view as `self`: its predict() calls batch.
        return type(self._pipeline).analyze(self, text, target)  # type: ignore[attr-defined]
