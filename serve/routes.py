"""Thin routes: check limits, hand statements to the batcher, shape the answer."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response

from model.errors import StanceError
from serve.batching import (
    BatchedPipeline,
    DeadlineExceeded,
    Predictor,
    QueueFull,
    ShuttingDown,
)
from serve.errors import ApiError, error_response
from serve.schemas import (
    AnalyzeRequest,
    AnalyzeResponse,
    ErrorResponse,
    Health,
    ModelInfo,
    ModelRef,
    ReloadRequest,
    ReloadResponse,
    StanceRequest,
    StanceResponse,
    StanceResult,
)
from serve.state import (
    ServiceState,
    load_checked,
    model_name,
    model_version,
    resolve_reload_path,
)

logger = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
T = TypeVar("T")


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries in the error schema, so clients and checks know them."""
    text = {
        400: "Malformed JSON, bad encoding or a refused model path",
        401: "Missing or wrong API key / admin token",
        404: "Unknown model (reload), or admin routes disabled",
        409: "A reload is already running",
        413: "Body, statement count or article over its limit",
        415: "Content-Type is not application/json (UTF-8)",
        422: "Body does not match the schema, or a statement/target is too long",
        429: "Too much work queued; retry after Retry-After seconds",
        500: "A bug on our side (logged)",
        503: "No model loaded, or shutting down",
        504: "The request's deadline passed",
    }
    return {code: {"model": ErrorResponse, "description": text[code]} for code in codes}


INFERENCE_ERRORS = _errors(400, 401, 413, 415, 422, 429, 500, 503, 504)

STANCE_EXAMPLES = {
    "one statement": {"summary": "One statement, the default target",
                      "value": {"statements": [{"text": "Both armies should stop and let the envoys do their work."}]}},
    "several targets": {"summary": "A request target, one statement with its own", "value": {
        "target": "the hostage deal",
        "statements": [{"id": "q1", "text": "We will sign once the hostages are home."},
                       {"id": "q2", "text": "The envoys land in Oslo on Friday.", "target": "peace talks in Oslo"}]}},
}
ANALYZE_EXAMPLES = {
    "article": {"summary": "Two speakers, default target", "value": {
        "text": "“Both armies should stop and let the envoys do their work,” said Amira Haddad, the mediator. "
                "General Tomas Berg disagreed: “A pause would just give their gunners a rest.”"}},
    "other target": {"summary": "Another target", "value": {
        "text": "“Ukraine belongs in the alliance,” the minister said on Tuesday.",
        "target": "NATO membership for Ukraine"}},
}

# -- dependencies -------------------------------------------------------------------------------


def get_service(request: Request) -> ServiceState:
    return request.app.state.service  # type: ignore[no-any-return]


ServiceDep = Annotated[ServiceState, Depends(get_service)]


def get_pipeline(request: Request) -> Predictor:
    """The model for this request, resolved once: a swap mid-request does not mix models.

    Tests override this dependency (app.dependency_overrides[get_pipeline]) with a fake.
    """
    service = get_service(request)
    if service.pipeline is None:
        raise ApiError(503, "not_ready", "no model is loaded yet; retry when /readyz answers 200",
                       headers={"Retry-After": "1"})
    request.state.model_version = model_version(service.pipeline)
    return service.pipeline  # type: ignore[no-any-return]


PipelineDep = Annotated[Predictor, Depends(get_pipeline)]


def _presented_token(request: Request, allow_api_key_header: bool) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    if allow_api_key_header:
        return request.headers.get("x-api-key") or None
    return None


def _matches(presented: str, secret: str) -> bool:
    # compare_digest: the time taken does not reveal how many leading characters matched.
    return hmac.compare_digest(presented.encode("utf-8"), secret.encode("utf-8"))


def require_api_key(request: Request) -> None:
    """Off unless STANCE_API_KEYS is set; then Authorization: Bearer <key> or X-API-Key: <key>."""
    keys = get_service(request).settings.api_keys
    if not keys:
        return
    presented = _presented_token(request, allow_api_key_header=True)
    # Check every key (no early exit), so timing does not tell which one nearly matched.
    if presented is None or not sum(_matches(presented, k.get_secret_value()) for k in keys):
        raise ApiError(401, "unauthorized",
                       "missing or unknown API key; send Authorization: Bearer <key> or X-API-Key: <key>",
                       headers={"WWW-Authenticate": "Bearer"})


def require_admin(request: Request) -> None:
    """Admin routes exist only when STANCE_ADMIN_TOKEN is set: 404 otherwise, never open."""
    token = get_service(request).settings.admin_token
    if token is None:
        raise ApiError(404, "not_found", f"no route {request.url.path}; see /docs for the API")
    presented = _presented_token(request, allow_api_key_header=False)
    if presented is None or not _matches(presented, token.get_secret_value()):
        raise ApiError(401, "unauthorized", "missing or wrong admin token; send Authorization: Bearer <STANCE_ADMIN_TOKEN>",
                       headers={"WWW-Authenticate": "Bearer"})


# -- helpers --------------------------------------------------------------------------------------


async def within_deadline(work: Awaitable[T], seconds: float) -> T:
    """Await `work`, mapping the batcher's refusals and the deadline onto status codes."""
    try:
        return await asyncio.wait_for(work, timeout=max(seconds, 0.0))
    except (asyncio.TimeoutError, DeadlineExceeded):
        raise ApiError(504, "deadline_exceeded",
                       f"the request did not finish within its {seconds:.1f} s deadline (STANCE_DEADLINE_S); "
                       "send fewer statements or retry later") from None
    except QueueFull as exc:
        raise ApiError(429, "overloaded",
                       f"the service is busy: {exc}. Retry after the Retry-After delay.",
                       {"pending": exc.pending, "limit": exc.limit}, headers={"Retry-After": "1"}) from None
    except ShuttingDown:
        raise ApiError(503, "shutting_down", "the service is shutting down; retry on another instance",
                       headers={"Retry-After": "1"}) from None


def _check_target(target: str | None, limit: int, where: str) -> None:
    if target is not None and len(target) > limit:
        raise ApiError(422, "target_too_long",
                       f"{where} has {len(target)} characters; the limit is {limit} (STANCE_MAX_TARGET_CHARS). "
                       "A target is a short phrase such as 'a negotiated ceasefire'.",
                       {"limit": limit, "found": len(target)})


def _model_ref(pipeline: Any) -> ModelRef:
    return ModelRef(name=model_name(pipeline), version=model_version(pipeline))


# -- inference ------------------------------------------------------------------------------------

api = APIRouter(tags=["stance"], dependencies=[Depends(require_api_key)])


@api.post("/v1/stance", response_model=StanceResponse, responses=INFERENCE_ERRORS,
          summary="Stance of each statement toward a target")
async def stance(body: Annotated[StanceRequest, Body(openapi_examples=STANCE_EXAMPLES)],
                 pipeline: PipelineDep, service: ServiceDep) -> StanceResponse:
    """Classify statements as FAVOR / AGAINST / NEUTRAL toward their target, with calibrated
    scores. Statements without a target use the request's `target`, else the model's default
    ("a negotiated ceasefire"). Results come back in input order."""
    limits = service.settings
    # -- limits, before any tokenizing -----------------------------------------------------
    if len(body.statements) > limits.max_statements:
        raise ApiError(413, "too_many_statements",
                       f"the request has {len(body.statements)} statements; the limit is {limits.max_statements} "
                       "(STANCE_MAX_STATEMENTS). Split it into several requests.",
                       {"limit": limits.max_statements, "found": len(body.statements)})
    _check_target(body.target, limits.max_target_chars, "target")
    for i, statement in enumerate(body.statements):
        if len(statement.text) > limits.max_statement_chars:
            raise ApiError(422, "statement_too_long",
                           f"statement {i} has {len(statement.text)} characters; the limit is "
                           f"{limits.max_statement_chars} (STANCE_MAX_STATEMENT_CHARS). Send the quoted "
                           "statement itself, or use /v1/analyze for whole articles.",
                           {"index": i, "limit": limits.max_statement_chars, "found": len(statement.text)})
        _check_target(statement.target, limits.max_target_chars, f"statements[{i}].target")
    # -- classify through the shared batcher -----------------------------------------------
    default = body.target or pipeline.default_target
    targets = [s.target or default for s in body.statements]
    results = await within_deadline(
        service.batcher.predict(pipeline, [s.text for s in body.statements], targets), limits.deadline_s)
    return StanceResponse(model=_model_ref(pipeline), results=[
        StanceResult(id=s.id if s.id is not None else str(i), target=r.get("target", t), label=r["label"],
                     scores=r["scores"], truncated=bool(r.get("truncated", False)))
        for i, (s, t, r) in enumerate(zip(body.statements, targets, results))
    ])


@api.post("/v1/analyze", response_model=AnalyzeResponse, responses=INFERENCE_ERRORS,
          summary="Quoted statements in an article, their speakers and stances")
async def analyze(body: Annotated[AnalyzeRequest, Body(openapi_examples=ANALYZE_EXAMPLES)],
                  pipeline: PipelineDep, service: ServiceDep) -> AnalyzeResponse:
    """Find every quoted statement in an article, who said it, and its stance toward the
    target; `speakers` summarises each speaker. Offsets are character offsets into `text`."""
    limits = service.settings
    if len(body.text) > limits.max_article_chars:
        raise ApiError(413, "article_too_long",
                       f"the article has {len(body.text)} characters; the limit is {limits.max_article_chars} "
                       "(STANCE_MAX_ARTICLE_CHARS). Split it into sections.",
                       {"limit": limits.max_article_chars, "found": len(body.text)})
    _check_target(body.target, limits.max_target_chars, "target")
    if service.analyze_jobs >= limits.max_analyze_jobs or service.batcher.pending >= limits.max_queue:
        raise ApiError(429, "overloaded",
                       f"the service is busy ({service.analyze_jobs} articles in progress, "
                       f"{service.batcher.pending} statements queued). Retry after the Retry-After delay.",
                       headers={"Retry-After": "1"})
    target = body.target or pipeline.default_target
    loop = asyncio.get_running_loop()
    view = BatchedPipeline(pipeline, service.batcher, loop, time.monotonic() + limits.deadline_s)
    # Quote finding is CPU work in its own small pool; its predictions queue on the batcher.
    service.analyze_jobs += 1
    try:
        result = await within_deadline(
            loop.run_in_executor(service.analyze_pool, view.analyze, body.text, target), limits.deadline_s)
    finally:
        service.analyze_jobs -= 1
    return AnalyzeResponse.model_validate({
        "model": _model_ref(pipeline).model_dump(), "target": result.get("target", target),
        "quotes": result.get("quotes", []), "speakers": result.get("speakers", []),
    })


@api.get("/v1/model", response_model=ModelInfo, responses=_errors(401, 500, 503), summary="The model being served")
async def model_info(pipeline: PipelineDep) -> ModelInfo:
    """Name, version, labels, base encoder, default target, training-data fingerprint and headline metrics."""
    return ModelInfo.model_validate({"data_fingerprint": None, "metrics": None, **pipeline.describe()})


# -- operations ---------------------------------------------------------------------------------

ops = APIRouter(tags=["operations"])


@ops.get("/healthz", response_model=Health, summary="The process is alive")
async def healthz() -> Health:
    return Health(status="ok")


@ops.get("/readyz", response_model=Health, responses=_errors(503), summary="A model is loaded and serving")
async def readyz(service: ServiceDep) -> Response:
    if not service.ready or service.pipeline is None or service.swapping:
        reason = "shutting down or starting" if not service.ready else "swapping models"
        return error_response(503, "not_ready", f"not ready: {reason}; retry shortly", None, {"Retry-After": "1"})
    return JSONResponse(Health(status="ready", model_version=service.model_version()).model_dump())


@ops.get("/metrics", response_class=PlainTextResponse, summary="Prometheus metrics",
         responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Prometheus text format"}})
async def metrics(service: ServiceDep) -> Response:
    return Response(service.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


@ops.get("/", include_in_schema=False)
async def index() -> Response:
    # Self-contained page: no external scripts, styles or fonts, so a strict policy holds.
    return FileResponse(STATIC / "index.html", media_type="text/html", headers={
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
    })


# -- admin ------------------------------------------------------------------------------------

admin = APIRouter(tags=["admin"], dependencies=[Depends(require_admin)])


@admin.post("/v1/admin/reload", response_model=ReloadResponse,
            responses=_errors(400, 401, 404, 409, 413, 415, 422, 500),
            summary="Load a model, smoke-test it and swap it in")
async def reload(service: ServiceDep, body: Annotated[ReloadRequest | None, Body()] = None) -> ReloadResponse:
    """Load `model` (a version name or path under STANCE_MODELS_DIR; default: the startup model),
    run a smoke prediction and swap it in atomically. On any failure the old model keeps serving
    and the answer says why. Requires `Authorization: Bearer <STANCE_ADMIN_TOKEN>`."""
    path = resolve_reload_path(body.model if body else None, service.settings)
    if service.reload_lock.locked():
        raise ApiError(409, "reload_in_progress", "another reload is running; wait for it to finish and retry")
    async with service.reload_lock:
        previous = _model_ref(service.pipeline)
        start = time.perf_counter()
        try:
            new = await asyncio.to_thread(load_checked, path, service.settings)
        except StanceError as exc:
            service.metrics.reloads.labels("refused").inc()
            raise ApiError(422, "model_refused", f"{exc}. Still serving {previous.version}.",
                           {"path": str(path), "serving": previous.version}) from None
        except Exception as exc:
            logger.exception("reload of %s failed", path)
            service.metrics.reloads.labels("failed").inc()
            raise ApiError(422, "model_refused",
                           f"could not load {path}: {type(exc).__name__}: {exc}. Still serving {previous.version}.",
                           {"path": str(path), "serving": previous.version}) from None
        service.swap(new, str(path))
        service.metrics.reloads.labels("swapped").inc()
        logger.info("model swapped", extra={"fields": {"from": previous.version, "to": model_version(new), "path": str(path)}})
        return ReloadResponse(model=_model_ref(new), previous=previous, path=str(path),
                              load_seconds=round(time.perf_counter() - start, 3))
