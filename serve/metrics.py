"""Prometheus metrics, on a registry owned by one app (so that tests' apps never collide)."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


class ServeMetrics:
    """The service's metrics; `render()` gives the Prometheus text exposition."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "stance_http_requests", "HTTP requests answered, by route template and status",
            ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram(
            "stance_http_request_duration_seconds", "Time from request start to response end",
            ["method", "route", "status"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.batch_size = Histogram(
            "stance_batch_size", "Statements per model call after micro-batching",
            buckets=BATCH_BUCKETS, registry=self.registry)
        self.queue_depth = Gauge(
            "stance_queue_depth", "Statements waiting for or inside the model", registry=self.registry)
        self.inference_seconds = Histogram(
            "stance_inference_seconds", "Wall time of one model call (one micro-batch)",
            buckets=LATENCY_BUCKETS, registry=self.registry)
        self.model = Info("stance_model", "The model being served", registry=self.registry)
        self.reloads = Counter(
            "stance_model_reloads", "Admin reloads, by outcome", ["outcome"], registry=self.registry)

    def set_model(self, name: str, version: str) -> None:
        self.model.info({"name": name, "version": version})

    def render(self) -> bytes:
        return generate_latest(self.registry)
