"""Service settings, read from STANCE_* environment variables (pydantic-settings).

Every limit has one documented default and one documented status code; tests pin both.

| variable                     | default          | when exceeded                    |
|------------------------------|------------------|----------------------------------|
| STANCE_MAX_BODY_BYTES        | 1_000_000        | 413 body_too_large               |
| STANCE_MAX_STATEMENTS        | 64               | 413 too_many_statements          |
| STANCE_MAX_STATEMENT_CHARS   | 10_000           | 422 statement_too_long           |
| STANCE_MAX_TARGET_CHARS      | 500              | 422 target_too_long              |
| STANCE_MAX_ARTICLE_CHARS     | 200_000          | 413 article_too_long             |
| STANCE_MAX_QUEUE             | 1024 statements  | 429 overloaded (+ Retry-After)   |
| STANCE_MAX_ANALYZE_JOBS      | 32 articles      | 429 overloaded (+ Retry-After)   |
| STANCE_DEADLINE_S            | 30 seconds       | 504 deadline_exceeded            |
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_MODEL_PATH = Path("models/default")


def usable_cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    """Everything the service reads from its environment; see the module docstring for limits."""

    # "model_path" would collide with pydantic's protected "model_" namespace otherwise.
    model_config = SettingsConfigDict(env_prefix="STANCE_", protected_namespaces=(), extra="ignore")

    # -- model ------------------------------------------------------------------------------
    model_path: Path = Field(DEFAULT_MODEL_PATH, description="checkpoint directory loaded at startup")
    models_dir: Path = Field(Path("models"), description="directory that /v1/admin/reload may load from")
    threads: int | None = Field(None, ge=1, description="torch threads per worker (default: usable cores / workers)")
    workers: int = Field(1, ge=1, description="uvicorn worker processes")

    # -- batching ---------------------------------------------------------------------------
    max_batch_size: int = Field(32, ge=1, le=1024, description="statements per model call")
    max_wait_ms: float = Field(5.0, ge=0, le=10_000, description=(
        "how long a batch started from idle waits to fill; batches of statements that queued "
        "while the model was busy start at once. 0: lowest latency at low traffic"))
    analyze_workers: int = Field(2, ge=1, le=64, description="threads that find quotes in articles")

    # -- limits -----------------------------------------------------------------------------
    max_body_bytes: int = Field(1_000_000, ge=1, description="request body size; 413 beyond it")
    max_statements: int = Field(64, ge=1, description="statements per /v1/stance request; 413 beyond it")
    max_statement_chars: int = Field(10_000, ge=1, description="characters per statement; 422 beyond it")
    max_target_chars: int = Field(500, ge=1, description="characters per target; 422 beyond it")
    max_article_chars: int = Field(200_000, ge=1, description="characters per /v1/analyze article; 413 beyond it")
    max_queue: int = Field(1024, ge=1, description="statements waiting for the model; 429 beyond it")
    max_analyze_jobs: int = Field(32, ge=1, description="articles being analysed at once; 429 beyond it")
    deadline_s: float = Field(30.0, gt=0, description="per-request deadline; 504 beyond it")

    # -- auth -------------------------------------------------------------------------------
    # NoDecode: the variable is a comma-separated list, not JSON.
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="comma-separated keys for the inference routes; empty: open")
    admin_token: SecretStr | None = Field(None, description="bearer token for /v1/admin/*; unset: admin routes are 404")

    # -- process ----------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    log_level: str = Field("info", description="debug, info, warning or error")

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value

    @field_validator("admin_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        # STANCE_ADMIN_TOKEN="" must disable the admin routes, never open them with an empty token.
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().lower()
        if level not in {"debug", "info", "warning", "error", "critical"}:
            raise ValueError(f"log level is {value!r}; expected debug, info, warning, error or critical")
        return level

    @model_validator(mode="after")
    def _queue_holds_a_request(self) -> Settings:
        if self.max_queue < self.max_statements:
            raise ValueError(
                f"STANCE_MAX_QUEUE ({self.max_queue}) is smaller than STANCE_MAX_STATEMENTS "
                f"({self.max_statements}); a full-size request could never be queued. Raise the queue.")
        return self

    @property
    def max_wait_s(self) -> float:
        return self.max_wait_ms / 1000.0

    def torch_threads(self) -> int:
        """Explicit thread count per worker: oversubscribing 2 cores with N workers x N threads is slow."""
        return self.threads or max(1, usable_cores() // self.workers)
