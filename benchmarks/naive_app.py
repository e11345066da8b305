"""The baseline the service is measured against: what a first FastAPI wrapper looks like.

One transformers `pipeline("text-classification")` call per request, inside a plain
(sync) route that FastAPI runs in its thread pool: no batching across requests, no
limits, no queue. Same checkpoint, same (target, statement) pair input as the service.

    NAIVE_MODEL_PATH=models/default uvicorn --factory benchmarks.naive_app:create_app
"""

from __future__ import annotations

import os
from typing import Any

import torch
from fastapi import FastAPI
from pydantic import BaseModel
from transformers import pipeline


class Statement(BaseModel):
    text: str
    target: str | None = None


class Request(BaseModel):
    statements: list[Statement]
    target: str | None = None


def create_app() -> FastAPI:
    torch.set_num_threads(int(os.environ.get("NAIVE_THREADS", "0")) or torch.get_num_threads())
    path = os.environ.get("NAIVE_MODEL_PATH", "models/default")
    classifier = pipeline("text-classification", model=path, tokenizer=path, device=-1, top_k=None)
    default_target = os.environ.get("NAIVE_TARGET", "a negotiated ceasefire")
    app = FastAPI(title="naive stance baseline")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/stance")
    def stance(body: Request) -> dict[str, Any]:
        target = body.target or default_target
        inputs = [{"text": s.target or target, "text_pair": s.text} for s in body.statements]
        outputs = classifier(inputs, truncation=True)
        results = []
        for i, scores in enumerate(outputs):
            by_label = {item["label"]: float(item["score"]) for item in scores}
            results.append({"id": str(i), "label": max(by_label, key=by_label.get), "scores": by_label})
        return {"results": results}

    return app
