"""One path through the whole house: train -> evaluate -> serve the trained checkpoint from disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serve.app import create_app
from serve.settings import Settings

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "stance"


@pytest.mark.slow
def test_train_evaluate_serve(tiny_checkpoint: Path, tmp_path: Path) -> None:
    from training import registry
    from training.config import load_config
    from training.evaluate import evaluate
    from training.train import train

    # train into a registry and point default at it
    config = load_config(REPO / "configs" / "tiny.yaml", [
        f"base_encoder={tiny_checkpoint}", f"data.dev={FIXTURES / 'dev.jsonl'}", f"data.test=[{FIXTURES / 'test.jsonl'}]",
        f"data.train=[{{path: {FIXTURES / 'train.jsonl'}, weight: 1.0}}]"])
    models = tmp_path / "models"
    version = train(config, models / "20300101-000000", version="20300101-000000", log=lambda m: None)
    registry.promote(models, version.name)

    # evaluate it: the report's numbers come from the same pipeline the service loads
    report = evaluate([str(models / "default")], [str(FIXTURES / "test.jsonl")], tmp_path / "report", log=lambda m: None)
    metrics = json.loads((version / "metrics.json").read_text())
    assert report["macro_f1"] == pytest.approx(metrics["test"]["macro_f1"])

    # serve the checkpoint from disk, as `stance serve` does
    settings = Settings(model_path=models / "default", models_dir=models, api_keys=[], admin_token=None, threads=1)
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 200
        info = client.get("/v1/model").json()
        assert info["version"] == "20300101-000000"
        fingerprint = json.loads((version / "data_fingerprint.json").read_text())
        assert info["data_fingerprint"] == fingerprint
        rows = [json.loads(line) for line in (FIXTURES / "test.jsonl").read_text().splitlines()]
        response = client.post("/v1/stance", json={"statements": [{"id": r["id"], "text": r["text"]} for r in rows]})
        assert response.status_code == 200
        assert response.headers["X-Model-Version"] == "20300101-000000"
        served = [r["label"] for r in response.json()["results"]]
    errors = (tmp_path / "report" / "errors.csv").read_text().splitlines()[1:]
    wrong_ids = {line.split(",")[0] for line in errors}
    # What the service answers is what the report scored: its mistakes are exactly errors.csv.
    assert {r["id"] for r, label in zip(rows, served) if label != r["label"]} == wrong_ids
