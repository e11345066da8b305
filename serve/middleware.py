"""Raw ASGI middlewares: they see every request, including those FastAPI never routes.

- RequestContextMiddleware: request id, X-Model-Version, one JSON log line and the
  HTTP metrics per request; the last line of defence that turns a crash into a 500 in
  the error schema.
- BodyLimitMiddleware: body size (413), content type (415) and UTF-8 (400) checks, done
  on raw bytes before any JSON parsing, so a 50 MB upload costs at most the limit.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serve.errors import error_response
from serve.logs import ACCESS_LOGGER
from serve.metrics import ServeMetrics

access_logger = logging.getLogger(ACCESS_LOGGER)
logger = logging.getLogger("serve.middleware")

# A client's id is echoed only when it cannot forge log lines or headers.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def request_id_from(headers: Headers) -> str:
    """The client's X-Request-ID when it is short and printable, else a fresh one."""
    candidate = headers.get("x-request-id", "")
    return candidate if _SANE_REQUEST_ID.match(candidate) else uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, metrics: ServeMetrics, model_version: Callable[[], str]) -> None:
        self.app = app
        self.metrics = metrics
        self.model_version = model_version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = request_id_from(Headers(scope=scope))
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = 500
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                # A route that resolved the model records the version it actually used.
                headers["X-Model-Version"] = str(state.get("model_version") or self.model_version())
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:  # the catch-all: whatever escaped the app's handlers
            logger.exception("unhandled error", extra={"fields": {"request_id": request_id}})
            status = 500
            if not started:
                response = error_response(
                    500, "internal_error",
                    "the service failed on this request; it has been logged. "
                    "Retry, and report the X-Request-ID if it persists.")
                await response(scope, receive, send_with_headers)
        finally:
            duration = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template, str(status)).observe(duration)
            access_logger.info("request", extra={"fields": {
                "method": method, "path": scope.get("path", ""), "status": status,
                "duration_ms": round(duration * 1000, 2), "request_id": request_id,
                "model_version": state.get("model_version") or self.model_version(),
            }})


class BodyLimitMiddleware:
    """Buffer the body up to `max_bytes`, check it, then replay it to the app."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)

        # -- size, from the header first, then while reading ------------------------------
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await error_response(400, "bad_content_length",
                                     f"Content-Length is {declared[:40]!r}; expected a byte count")(scope, receive, send)
                return
            if int(declared) > self.max_bytes:
                await self._too_large(scope, receive, send, f"Content-Length says {int(declared)} bytes")
                return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send, f"the body ran past {self.max_bytes} bytes")
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)

        # -- type and encoding, only when there is a body ---------------------------------
        if body:
            content_type = headers.get("content-type", "")
            media, _, params = content_type.partition(";")
            media = media.strip().lower()
            if not (media == "application/json" or (media.startswith("application/") and media.endswith("+json"))):
                await error_response(
                    415, "unsupported_media_type",
                    f"Content-Type is {content_type[:80]!r}; expected application/json (the API speaks JSON only)",
                    {"found": content_type[:80], "expected": "application/json"})(scope, receive, send)
                return
            charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in params.split(";")
                            if p.strip().lower().startswith("charset=")), "utf-8")
            if charset not in {"utf-8", "utf8"}:
                await error_response(
                    415, "unsupported_charset",
                    f"charset is {charset[:40]!r}; expected utf-8. Encode the body as UTF-8.",
                    {"found": charset[:40], "expected": "utf-8"})(scope, receive, send)
                return
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as exc:
                await error_response(
                    400, "invalid_encoding",
                    f"the body is not valid UTF-8 (byte {exc.start}); send JSON encoded as UTF-8",
                    {"position": exc.start})(scope, receive, send)
                return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, found: str) -> None:
        await error_response(
            413, "body_too_large",
            f"{found}; the limit is {self.max_bytes} bytes (STANCE_MAX_BODY_BYTES). "
            "Send fewer statements per request or a shorter article.",
            {"limit": self.max_bytes})(scope, receive, send)
