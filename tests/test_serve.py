"""The HTTP service: routes, every limit and its status code, auth, reload, batching, metrics.

Apps are built with create_app(settings, pipeline=...) around the session's tiny random BERT.
Most /v1/analyze tests use `AnalyzingPipeline`, a deterministic stand-in with the output shape
of model/analyze.py; one test runs the real extractor through the service.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from serve.app import create_app
from serve.routes import get_pipeline
from serve.settings import Settings

STATEMENTS = [
    "Both armies should stop and let the envoys do their work.",
    "A pause would just give their gunners a rest.",
    "The envoys land in Oslo on Friday.",
]
ARTICLE = (
    "OSLO — Talks resumed on Friday. “Both armies should stop and let the envoys do their work,” "
    "said Amira Haddad, the lead mediator.\n"
    "General Tomas Berg was unmoved. “A pause would just give their gunners a rest,” said Tomas Berg.\n"
    "“We will stay until a truce is signed,” said Amira Haddad."
)

# -- stand-ins ---------------------------------------------------------------------------------

_QUOTE = re.compile(r"[“\"]([^”\"]+)[”\"]")
_SAID = re.compile(r"\b(said|says|added)\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+)+)")


class AnalyzingPipeline:
    """The tiny pipeline plus a regex analyze() with model/analyze.py's output shape.

    Deterministic (no spaCy), so route tests pin the service, not the quote extractor.

    Like the real one it classifies quotes through self.predict, so the service's batcher
    sees them.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def predict(self, texts: Sequence[str], targets: Any = None) -> list[dict[str, Any]]:
        return self._inner.predict(texts, targets)

    def analyze(self, text: str, target: str | None = None) -> dict[str, Any]:
        target = target or self.default_target
        found = list(_QUOTE.finditer(text))
        results = self.predict([m.group(1) for m in found], [target] * len(found)) if found else []
        quotes: list[dict[str, Any]] = []
        by_speaker: dict[str, dict[str, Any]] = {}
        for match, result in zip(found, results):
            said = _SAID.search(text, match.end(), match.end() + 40)
            speaker = {"text": said.group(2), "start": said.start(2), "end": said.end(2), "resolved": said.group(2)} if said else None
            cue = {"text": said.group(1), "start": said.start(1), "end": said.end(1)} if said else None
            quotes.append({"text": match.group(1), "start": match.start(1), "end": match.end(1),
                           "spans": [[match.start(1), match.end(1)]], "type": "direct", "speaker": speaker,
                           "cue": cue, "fragment": False, "paragraphs": [text.count("\n", 0, match.start())],
                           "stance": {"label": result["label"], "scores": result["scores"]}})
            if speaker:
                entry = by_speaker.setdefault(speaker["resolved"], {
                    "speaker": speaker["resolved"], "statements": 0, "labels": dict.fromkeys(self.labels, 0),
                    "mean_scores": dict.fromkeys(self.labels, 0.0)})
                entry["statements"] += 1
                entry["labels"][result["label"]] += 1
                for label in self.labels:
                    entry["mean_scores"][label] += result["scores"][label]
        for entry in by_speaker.values():
            entry["mean_scores"] = {k: v / entry["statements"] for k, v in entry["mean_scores"].items()}
        return {"target": target, "quotes": quotes, "speakers": list(by_speaker.values())}


class GatedPipeline(AnalyzingPipeline):
    """Blocks in predict() until `gate` is set: lets a test hold work in the queue."""

    def __init__(self, inner: Any, delay: float = 0.0) -> None:
        super().__init__(inner)
        self.gate = threading.Event()
        self.delay = delay
        self.calls: list[int] = []

    def predict(self, texts: Sequence[str], targets: Any = None) -> list[dict[str, Any]]:
        self.calls.append(len(texts))
        if self.delay:
            time.sleep(self.delay)
        else:
            self.gate.wait(10)
        return self._inner.predict(texts, targets)


class BrokenPipeline(AnalyzingPipeline):
    """A bug in the model layer: the service must answer 500 in the error schema."""

    def predict(self, texts: Sequence[str], targets: Any = None) -> list[dict[str, Any]]:
        raise RuntimeError("secret internal detail")


# -- helpers ------------------------------------------------------------------------------------------


def make_settings(**overrides: Any) -> Settings:
    """Settings for tests: defaults, no auth, unless a test asks."""
    values: dict[str, Any] = {"api_keys": [], "admin_token": None, "threads": 1, "max_wait_ms": 2.0}
    values.update(overrides)
    return Settings(**values)


@contextmanager
def serving(pipeline: Any, **overrides: Any) -> Iterator[TestClient]:
    app = create_app(make_settings(**overrides), pipeline=pipeline)
    with TestClient(app) as client:
        yield client


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == code, body
    assert response.headers["x-request-id"]
    return body["error"]


def metric(app: FastAPI, name: str, labels: dict[str, str] | None = None) -> float | None:
    return app.state.service.metrics.registry.get_sample_value(name, labels or {})


@pytest.fixture(scope="module")
def pipe(tiny_pipeline: Any) -> AnalyzingPipeline:
    return AnalyzingPipeline(tiny_pipeline)


@pytest.fixture(scope="module")
def client(pipe: AnalyzingPipeline) -> Iterator[TestClient]:
    with serving(pipe) as c:
        yield c


# -- the routes ------------------------------------------------------------------------------------


def test_stance_answers_in_input_order_with_calibrated_scores(client: TestClient, tiny_pipeline: Any) -> None:
    body = {"statements": [{"text": STATEMENTS[0], "id": "q1"}, {"text": STATEMENTS[1]},
                           {"text": STATEMENTS[2], "target": "peace talks in Oslo"}]}
    response = client.post("/v1/stance", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["model"] == {"name": "tiny-test", "version": "tiny-0"}
    assert [r["id"] for r in data["results"]] == ["q1", "1", "2"]
    assert [r["target"] for r in data["results"]] == ["a negotiated ceasefire"] * 2 + ["peace talks in Oslo"]
    expected = tiny_pipeline.predict(STATEMENTS, ["a negotiated ceasefire"] * 2 + ["peace talks in Oslo"])
    for got, want in zip(data["results"], expected):
        assert got["label"] == want["label"] and got["truncated"] is False
        assert got["scores"] == pytest.approx(want["scores"], abs=1e-5)
        assert sum(got["scores"].values()) == pytest.approx(1.0, abs=1e-5)
    assert response.headers["x-model-version"] == "tiny-0"


def test_request_target_applies_to_statements_without_their_own(client: TestClient) -> None:
    body = {"target": "the hostage deal", "statements": [{"text": STATEMENTS[0]}, {"text": STATEMENTS[1], "target": "NATO"}]}
    results = client.post("/v1/stance", json=body).json()["results"]
    assert [r["target"] for r in results] == ["the hostage deal", "NATO"]


def test_analyze_finds_quotes_speakers_and_stances(client: TestClient) -> None:
    response = client.post("/v1/analyze", json={"text": ARTICLE})
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["target"] == "a negotiated ceasefire" and data["model"]["version"] == "tiny-0"
    assert len(data["quotes"]) == 3
    for quote in data["quotes"]:
        assert ARTICLE[quote["start"]:quote["end"]] == quote["text"]
        assert quote["stance"]["label"] in {"FAVOR", "AGAINST", "NEUTRAL"}
    assert {s["speaker"] for s in data["speakers"]} == {"Amira Haddad", "Tomas Berg"}


def test_model_describes_itself(client: TestClient) -> None:
    data = client.get("/v1/model").json()
    assert data["name"] == "tiny-test" and data["version"] == "tiny-0"
    assert data["labels"] == ["FAVOR", "AGAINST", "NEUTRAL"]
    assert data["default_target"] == "a negotiated ceasefire" and data["base_encoder"] == "tiny-random-bert"
    assert "data_fingerprint" in data and "metrics" in data


def test_health_ready_and_page(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "model_version": None}
    assert client.get("/readyz").json() == {"status": "ready", "model_version": "tiny-0"}
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/static/app.js").status_code == 200


def test_readyz_is_503_while_swapping_and_after_shutdown(pipe: AnalyzingPipeline) -> None:
    app = create_app(make_settings(), pipeline=pipe)
    with TestClient(app) as client:
        app.state.service.swapping = True
        assert_error(client.get("/readyz"), 503, "not_ready")
        app.state.service.swapping = False
        assert client.get("/readyz").status_code == 200
    with TestClient(app, raise_server_exceptions=False) as client:
        pass
    assert app.state.service.ready is False


def test_metrics_expose_the_documented_names(client: TestClient) -> None:
    client.post("/v1/stance", json={"statements": [{"text": STATEMENTS[0]}]})
    text = client.get("/metrics").text
    for name in ("stance_http_requests_total", "stance_http_request_duration_seconds_bucket",
                 "stance_batch_size_bucket", "stance_queue_depth", "stance_inference_seconds_bucket",
                 "stance_model_info"):
        assert name in text, name
    assert 'stance_model_info{name="tiny-test",version="tiny-0"} 1.0' in text
    assert 'route="/v1/stance",status="200"' in text


def test_request_id_is_echoed_when_sane_and_generated_otherwise(client: TestClient) -> None:
    echoed = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces" + "x" * 200})
    assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["x-request-id"])


def test_each_request_logs_one_json_line(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="serve.access"):
        client.get("/healthz", headers={"X-Request-ID": "log-me"})
    records = [r for r in caplog.records if r.name == "serve.access"]
    assert len(records) == 1
    from serve.logs import JsonFormatter

    line = json.loads(JsonFormatter().format(records[0]))
    assert {k: line[k] for k in ("method", "path", "status", "request_id", "model_version")} == {
        "method": "GET", "path": "/healthz", "status": 200, "request_id": "log-me", "model_version": "tiny-0"}
    assert line["duration_ms"] >= 0


def test_dependency_override_replaces_the_model(tiny_pipeline: Any) -> None:
    app = create_app(make_settings(), pipeline=tiny_pipeline)

    renamed = AnalyzingPipeline(tiny_pipeline)
    renamed.info = {"name": "override", "version": "v-override"}  # shadows the tiny model's info
    app.dependency_overrides[get_pipeline] = lambda: renamed
    with TestClient(app) as client:
        response = client.post("/v1/stance", json={"statements": [{"text": "x"}]})
    assert response.json()["model"] == {"name": "override", "version": "v-override"}


# -- limits: one status code each ------------------------------------------------------------------


def test_body_size_limit_from_content_length_and_while_reading(pipe: AnalyzingPipeline) -> None:
    with serving(pipe, max_body_bytes=200) as client:
        big = json.dumps({"statements": [{"text": "x" * 300}]}).encode()
        error = assert_error(client.post("/v1/stance", content=big, headers={"content-type": "application/json"}),
                             413, "body_too_large")
        assert "200 bytes" in error["message"] and "STANCE_MAX_BODY_BYTES" in error["message"]
        # No Content-Length (chunked): counted while reading.
        streamed = client.post("/v1/stance", content=iter([big[:150], big[150:]]),
                               headers={"content-type": "application/json"})
        assert_error(streamed, 413, "body_too_large")
        assert client.post("/v1/stance", json={"statements": [{"text": "ok"}]}).status_code == 200


def test_statement_count_limit_is_413(pipe: AnalyzingPipeline) -> None:
    with serving(pipe, max_statements=3, max_queue=8) as client:
        error = assert_error(client.post("/v1/stance", json={"statements": [{"text": "a"}] * 4}), 413, "too_many_statements")
        assert error["details"] == {"limit": 3, "found": 4}
        assert "STANCE_MAX_STATEMENTS" in error["message"]
        assert client.post("/v1/stance", json={"statements": [{"text": "a"}] * 3}).status_code == 200


def test_statement_and_target_length_limits_are_422(pipe: AnalyzingPipeline) -> None:
    with serving(pipe, max_statement_chars=20, max_target_chars=10) as client:
        error = assert_error(client.post("/v1/stance", json={"statements": [{"text": "ok"}, {"text": "y" * 21}]}),
                             422, "statement_too_long")
        assert error["details"] == {"index": 1, "limit": 20, "found": 21}
        assert "statement 1 has 21 characters; the limit is 20" in error["message"]
        assert_error(client.post("/v1/stance", json={"target": "t" * 11, "statements": [{"text": "ok"}]}), 422, "target_too_long")
        assert_error(client.post("/v1/analyze", json={"text": "ok", "target": "t" * 11}), 422, "target_too_long")
        assert client.post("/v1/stance", json={"statements": [{"text": "y" * 20}]}).status_code == 200


def test_article_length_limit_is_413(pipe: AnalyzingPipeline) -> None:
    with serving(pipe, max_article_chars=100) as client:
        error = assert_error(client.post("/v1/analyze", json={"text": "z" * 101}), 413, "article_too_long")
        assert error["details"] == {"limit": 100, "found": 101}
        assert client.post("/v1/analyze", json={"text": "z" * 100}).status_code == 200


@pytest.mark.parametrize("content, content_type, status, code", [
    (b'{"statements": [', "application/json", 400, "malformed_json"),
    (b'{"statements": "not a list"}', "application/json", 422, "validation_error"),
    (b'{"statements": [{"text": 5}]}', "application/json", 422, "validation_error"),
    (b'{"statements": []}', "application/json", 422, "validation_error"),
    (b'{"target": "x"}', "application/json", 422, "validation_error"),
    (b'{"statements": [{"text": "a", "speaker": "b"}]}', "application/json", 422, "validation_error"),
    (b'{"statements": [{"text": "\\ud800"}]}', "application/json", 422, "validation_error"),
    (b'[1, 2]', "application/json", 422, "validation_error"),
    (b'{"statements": [{"text": "caf\xe9"}]}', "application/json", 400, "invalid_encoding"),
    (b'{"statements": [{"text": "a"}]}', "text/plain", 415, "unsupported_media_type"),
    (b'statements=a', "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    (b'{"statements": [{"text": "a"}]}', "application/json; charset=latin-1", 415, "unsupported_charset"),
    (b"[" * 50_000 + b"]" * 50_000, "application/json", 400, "malformed_json"),  # nesting beyond the parser's recursion
    (b'{"statements": [{"text": "a", "id": ' + b"9" * 5_000 + b"}]}", "application/json", 400, "malformed_json"),
])
def test_bad_bodies_get_one_error_schema(client: TestClient, content: bytes, content_type: str, status: int, code: str) -> None:
    assert_error(client.post("/v1/stance", content=content, headers={"content-type": content_type}), status, code)


def test_error_messages_teach(client: TestClient) -> None:
    unknown = assert_error(client.post("/v1/stance", json={"statements": [{"text": "a", "speaker": "b"}]}), 422, "validation_error")
    assert "unknown field 'statements.0.speaker'" in unknown["message"]
    missing = assert_error(client.post("/v1/stance", json={"target": "x"}), 422, "validation_error")
    assert "missing field 'statements'" in missing["message"]
    surrogate = assert_error(client.post("/v1/stance", content=b'{"statements": [{"text": "\\ud800"}]}',
                                         headers={"content-type": "application/json"}), 422, "validation_error")
    assert "statements.0.text" in surrogate["message"]
    assert "input" not in json.dumps(surrogate["details"])  # the text is not echoed back


def test_unknown_route_and_method_use_the_error_schema(client: TestClient) -> None:
    assert_error(client.get("/v2/nothing"), 404, "not_found")
    assert_error(client.get("/v1/stance"), 405, "method_not_allowed")


def test_a_bug_is_a_500_in_the_error_schema_without_internals(tiny_pipeline: Any) -> None:
    with serving(BrokenPipeline(tiny_pipeline)) as client:
        error = assert_error(client.post("/v1/stance", json={"statements": [{"text": "a"}]}), 500, "internal_error")
    assert "secret" not in error["message"]


def test_deadline_is_504(tiny_pipeline: Any) -> None:
    slow = GatedPipeline(tiny_pipeline, delay=0.5)
    with serving(slow, deadline_s=0.1) as client:
        error = assert_error(client.post("/v1/stance", json={"statements": [{"text": "a"}]}), 504, "deadline_exceeded")
        assert "STANCE_DEADLINE_S" in error["message"]
        assert_error(client.post("/v1/analyze", json={"text": ARTICLE}), 504, "deadline_exceeded")


@pytest.mark.anyio
async def test_full_queue_is_429_with_retry_after(tiny_pipeline: Any) -> None:
    gated = GatedPipeline(tiny_pipeline)
    app = create_app(make_settings(max_statements=4, max_queue=4, max_batch_size=4), pipeline=gated)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        first = asyncio.create_task(client.post("/v1/stance", json={"statements": [{"text": "a"}] * 4}))
        while app.state.service.batcher.pending < 4:
            await asyncio.sleep(0.01)
        refused = await client.post("/v1/stance", json={"statements": [{"text": "b"}]})
        error = assert_error(refused, 429, "overloaded")
        assert refused.headers["retry-after"] == "1" and error["details"] == {"pending": 4, "limit": 4}
        assert_error(await client.post("/v1/analyze", json={"text": ARTICLE}), 429, "overloaded")
        gated.gate.set()
        assert (await first).status_code == 200
        assert (await client.post("/v1/stance", json={"statements": [{"text": "b"}]})).status_code == 200


@pytest.mark.anyio
async def test_concurrent_requests_are_coalesced_into_batches(tiny_pipeline: Any) -> None:
    counting = GatedPipeline(tiny_pipeline)
    counting.gate.set()
    app = create_app(make_settings(max_wait_ms=300.0), pipeline=counting)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        responses = await asyncio.gather(*(
            client.post("/v1/stance", json={"statements": [{"text": f"statement {i}"}]}) for i in range(8)))
        assert all(r.status_code == 200 for r in responses)
        analyzed = await asyncio.gather(client.post("/v1/analyze", json={"text": ARTICLE}),
                                        client.post("/v1/stance", json={"statements": [{"text": "x"}]}))
        assert [r.status_code for r in analyzed] == [200, 200]
    assert metric(app, "stance_batch_size_sum") == 8 + 3 + 1
    assert max(counting.calls) > 1 and len(counting.calls) < 8
    # The histogram saw a batch bigger than one statement.
    assert metric(app, "stance_batch_size_bucket", {"le": "1.0"}) < metric(app, "stance_batch_size_count")


@pytest.mark.anyio
async def test_shutdown_drains_queued_work(tiny_pipeline: Any) -> None:
    slow = GatedPipeline(tiny_pipeline, delay=0.2)
    app = create_app(make_settings(), pipeline=slow)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        async with app.router.lifespan_context(app):
            pending = asyncio.create_task(client.post("/v1/stance", json={"statements": [{"text": "a"}]}))
            while app.state.service.batcher.pending < 1:
                await asyncio.sleep(0.01)
        # The lifespan exited only after the batcher finished the queued statement.
        assert (await pending).status_code == 200
        assert_error(await client.post("/v1/stance", json={"statements": [{"text": "a"}]}), 503, "shutting_down")


# -- auth -------------------------------------------------------------------------------------------


def test_api_keys_guard_the_inference_routes_when_set(pipe: AnalyzingPipeline) -> None:
    with serving(pipe, api_keys=["k1", "k2"]) as client:
        body = {"statements": [{"text": "a"}]}
        error = assert_error(client.post("/v1/stance", json=body), 401, "unauthorized")
        assert "X-API-Key" in error["message"]
        assert_error(client.post("/v1/stance", json=body, headers={"X-API-Key": "nope"}), 401, "unauthorized")
        assert client.post("/v1/stance", json=body, headers={"Authorization": "Bearer k2"}).status_code == 200
        assert client.post("/v1/analyze", json={"text": ARTICLE}, headers={"X-API-Key": "k1"}).status_code == 200
        assert_error(client.get("/v1/model"), 401, "unauthorized")
        assert client.get("/healthz").status_code == 200 and client.get("/readyz").status_code == 200


def test_api_keys_and_admin_token_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANCE_API_KEYS", " a, b ,,")
    monkeypatch.setenv("STANCE_ADMIN_TOKEN", "  ")
    settings = Settings()
    assert [k.get_secret_value() for k in settings.api_keys] == ["a", "b"]
    assert settings.admin_token is None  # blank disables admin, never opens it
    with pytest.raises(ValueError, match="STANCE_MAX_QUEUE"):
        Settings(max_queue=2, max_statements=3)


def test_admin_routes_are_404_without_a_token_and_401_with_a_wrong_one(pipe: AnalyzingPipeline) -> None:
    with serving(pipe) as client:
        assert_error(client.post("/v1/admin/reload", headers={"Authorization": "Bearer anything"}), 404, "not_found")
    with serving(pipe, admin_token="s3cret") as client:
        assert_error(client.post("/v1/admin/reload"), 401, "unauthorized")
        assert_error(client.post("/v1/admin/reload", headers={"Authorization": "Bearer s3cre"}), 401, "unauthorized")
        assert_error(client.post("/v1/admin/reload", headers={"X-API-Key": "s3cret"}), 401, "unauthorized")


# -- reload -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory, tiny_checkpoint: Path) -> Path:
    from conftest import build_tiny_checkpoint

    root = tmp_path_factory.mktemp("models")
    build_tiny_checkpoint(root / "v2", seed=1)
    shutil.copytree(tiny_checkpoint, root / "no-weights")
    (root / "no-weights" / "model.safetensors").unlink()
    shutil.copytree(tiny_checkpoint, root / "pickled")
    (root / "pickled" / "pytorch_model.bin").write_bytes(b"not really a pickle")
    (root / "outside-target").mkdir()
    return root


def test_reload_swaps_a_good_checkpoint_and_refuses_a_broken_one(tiny_checkpoint: Path, models_dir: Path) -> None:
    admin = {"Authorization": "Bearer s3cret"}
    app = create_app(make_settings(admin_token="s3cret", models_dir=models_dir, model_path=tiny_checkpoint))
    with TestClient(app) as client:
        stance = {"statements": [{"text": STATEMENTS[0]}]}
        assert client.post("/v1/stance", json=stance).json()["model"]["version"] == "tiny-0"

        for broken, words in [("no-weights", "missing model.safetensors"), ("pickled", "pickle-format weights")]:
            error = assert_error(client.post("/v1/admin/reload", json={"model": broken}, headers=admin), 422, "model_refused")
            assert words in error["message"] and "Still serving tiny-0" in error["message"]
            assert client.post("/v1/stance", json=stance).headers["x-model-version"] == "tiny-0"

        assert_error(client.post("/v1/admin/reload", json={"model": "../"}, headers=admin), 400, "model_outside_models_dir")
        missing = assert_error(client.post("/v1/admin/reload", json={"model": "v9"}, headers=admin), 404, "model_not_found")
        assert "v2" in missing["details"]["available"]

        swapped = client.post("/v1/admin/reload", json={"model": "v2"}, headers=admin)
        assert swapped.status_code == 200, swapped.text
        assert swapped.json()["model"]["version"] == "tiny-1" and swapped.json()["previous"]["version"] == "tiny-0"
        after = client.post("/v1/stance", json=stance)
        assert after.json()["model"]["version"] == "tiny-1" and after.headers["x-model-version"] == "tiny-1"
        assert 'version="tiny-1"' in client.get("/metrics").text
        assert client.get("/readyz").json()["model_version"] == "tiny-1"

        # No body: the startup model again.
        back = client.post("/v1/admin/reload", headers=admin)
        assert back.status_code == 200 and back.json()["model"]["version"] == "tiny-0"


# -- the real analyze, once model/analyze.py lands --------------------------------------------------


def test_real_analyze_through_the_service(tiny_pipeline: Any) -> None:
    pytest.importorskip("model.analyze", reason="model/analyze.py has not landed yet; the stand-in covers the route")
    with serving(tiny_pipeline) as client:
        response = client.post("/v1/analyze", json={"text": ARTICLE})
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["quotes"], data
    for quote in data["quotes"]:
        assert quote["stance"]["label"] in {"FAVOR", "AGAINST", "NEUTRAL"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
