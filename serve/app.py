"""The FastAPI application: `create_app()` wires settings, model, batcher, routes, limits.

    uvicorn --factory serve.app:create_app          # or: stance serve --model models/default

The model is loaded once, in the lifespan; routes receive it through `get_pipeline`.
Tests build the app with `create_app(settings, pipeline=tiny_pipeline)`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from model.pipeline import set_threads
from serve.batching import MicroBatcher
from serve.errors import install_error_handlers
from serve.metrics import ServeMetrics
from serve.middleware import BodyLimitMiddleware, RequestContextMiddleware
from serve.routes import STATIC, admin, api, ops
from serve.settings import Settings
from serve.state import ServiceState, load_checked, model_name, model_version

logger = logging.getLogger("serve")

DESCRIPTION = """\
Stance of quoted statements toward **a negotiated ceasefire** (or any target you name):
FAVOR, AGAINST or NEUTRAL, with calibrated scores.

* `POST /v1/stance` classifies statements you already have.
* `POST /v1/analyze` finds the quoted statements in an article, who said them, and their stance.

Every error has the shape `{"error": {"code", "message", "details"}}`. Limits (status when
exceeded): body 1 MB (413), 64 statements (413), 10,000 characters per statement (422),
200,000 characters per article (413), queue full (429 + Retry-After), deadline 30 s (504);
all configurable through `STANCE_*` environment variables.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    service: ServiceState = app.state.service
    settings = service.settings
    # -- load ------------------------------------------------------------------------------
    set_threads(settings.torch_threads())
    if service.pipeline is None:
        service.pipeline = await asyncio.to_thread(load_checked, settings.model_path, settings)
        service.model_path = str(settings.model_path)
    service.metrics.set_model(model_name(service.pipeline), model_version(service.pipeline))
    # -- start -----------------------------------------------------------------------------
    service.reload_lock = asyncio.Lock()
    await service.batcher.start()
    service.analyze_pool = concurrent.futures.ThreadPoolExecutor(
        max_workers=settings.analyze_workers, thread_name_prefix="stance-analyze")
    service.ready = True
    logger.info("ready", extra={"fields": {"model_version": service.model_version(), "model_path": service.model_path,
                                           "threads": settings.torch_threads(), "pid": os.getpid()}})
    try:
        yield
    finally:
        # -- drain: uvicorn has stopped accepting and finished in-flight requests ---------
        service.ready = False
        await service.batcher.stop()
        service.analyze_pool.shutdown(wait=False, cancel_futures=True)
        logger.info("stopped", extra={"fields": {"pid": os.getpid()}})


def create_app(settings: Settings | None = None, pipeline: Any = None) -> FastAPI:
    """Build the service. `pipeline` skips loading (tests pass the tiny one)."""
    # Serving never reaches a model hub: a stray hub id fails fast instead of hanging.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    settings = settings or Settings()
    metrics = ServeMetrics()
    batcher = MicroBatcher(max_batch_size=settings.max_batch_size, max_wait_s=settings.max_wait_s,
                           max_queue=settings.max_queue, metrics=metrics)
    service = ServiceState(settings=settings, metrics=metrics, batcher=batcher, pipeline=pipeline,
                           model_path=str(getattr(pipeline, "info", {}).get("path", "")) or None)

    app = FastAPI(title="Stance API", version="1", description=DESCRIPTION, lifespan=lifespan)
    app.state.service = service
    install_error_handlers(app)
    app.include_router(api)
    app.include_router(ops)
    app.include_router(admin)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # Added last = runs first: the context middleware wraps even the body checks' answers.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, metrics=metrics, model_version=service.model_version)
    _document_limits(app, settings)
    return app


def _document_limits(app: FastAPI, settings: Settings) -> None:
    """Write this app's configured limits into its OpenAPI schema (maxLength, maxItems), so the
    schema states what the service accepts and schema-driven clients stay inside it."""
    base = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = base()
        components = schema.get("components", {}).get("schemas", {})

        def string_limit(model: str, prop: str, limit: int) -> None:
            node = components.get(model, {}).get("properties", {}).get(prop)
            if node is None:
                return
            for branch in node.get("anyOf", [node]):
                if branch.get("type") == "string":
                    branch["maxLength"] = limit

        string_limit("Statement", "text", settings.max_statement_chars)
        string_limit("Statement", "target", settings.max_target_chars)
        string_limit("StanceRequest", "target", settings.max_target_chars)
        string_limit("AnalyzeRequest", "text", settings.max_article_chars)
        string_limit("AnalyzeRequest", "target", settings.max_target_chars)
        statements = components.get("StanceRequest", {}).get("properties", {}).get("statements")
        if statements is not None:
            statements["maxItems"] = settings.max_statements
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


