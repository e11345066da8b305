"""One error shape for every failure: {"error": {"code", "message", "details"}}.

FastAPI's own handlers (validation, HTTPException) are replaced so that a client never
has to parse two shapes; the catch-all 500 uses the same shape and never leaks internals.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from model.errors import StanceError
from serve.schemas import ErrorResponse

logger = logging.getLogger("serve.errors")

_HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_error", 429: "overloaded",
    500: "internal_error", 503: "unavailable", 504: "deadline_exceeded",
}


class ApiError(Exception):
    """An answer the service chose to give: status, stable code, a message that teaches."""

    def __init__(self, status: int, code: str, message: str, details: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, details: Any = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorResponse.model_validate({"error": {"code": code, "message": message, "details": details}})
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def _clean_validation_errors(errors: Any) -> list[dict[str, Any]]:
    # "input" can echo a megabyte of text back and "ctx" can hold exception objects:
    # keep what a client needs to find the field.
    cleaned = []
    for err in errors:
        item = {"loc": [str(part) for part in err.get("loc", ())], "msg": str(err.get("msg", "")),
                "type": str(err.get("type", ""))}
        cleaned.append(item)
    return cleaned


def _describe(err: dict[str, Any]) -> str:
    where = ".".join(err["loc"][1:] if err["loc"][:1] == ["body"] else err["loc"]) or "body"
    if err["type"] == "extra_forbidden":
        return f"unknown field '{where}'; remove it (see /docs for the accepted fields)"
    if err["type"] == "missing":
        return f"missing field '{where}'"
    return f"{where}: {err['msg']}"


async def validation_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = _clean_validation_errors(exc.errors())
    if any(err["type"] == "json_invalid" for err in errors):
        return error_response(
            400, "malformed_json",
            "the body is not valid JSON; send a JSON object such as "
            '{"statements": [{"text": "..."}]} with Content-Type: application/json',
            errors)
    summary = "; ".join(_describe(err) for err in errors[:3])
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return error_response(422, "validation_error", f"the request body does not match the schema: {summary}{more}", errors)


async def http_exception_handler(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    status = exc.status_code
    code = _HTTP_CODES.get(status, "http_error")
    message = str(exc.detail)
    if status == 400 and message == "There was an error parsing the body":
        # FastAPI's answer when json.loads fails with something other than a syntax error.
        code = "malformed_json"
        message = ("the body could not be read as JSON (nested too deeply, or a number too long to parse); "
                   "send a JSON object as shown in /docs")
    elif status == 404:
        message = f"no route {request.url.path}; see /docs for the API"
    elif status == 405:
        message = f"{request.method} is not allowed on {request.url.path}; see /docs for the methods it takes"
    return error_response(status, code, message, None, dict(exc.headers or {}))


async def api_error_handler(request: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)


async def stance_error_handler(request: Request, exc: StanceError) -> JSONResponse:
    # StanceError is, by contract, the user's to fix.
    return error_response(422, "invalid_input", str(exc))


async def unhandled_handler(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error",
                          "the service failed on this request; it has been logged. Retry, and report the X-Request-ID if it persists.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_handler)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_exception_handler)  # type: ignore[arg-type]
    app.add_exception_handler(ApiError, api_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(StanceError, stance_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, unhandled_handler)
