"""The label set and the default target, shared by every room."""

LABELS: tuple[str, ...] = ("FAVOR", "AGAINST", "NEUTRAL")
LABEL2ID: dict[str, int] = {label: i for i, label in enumerate(LABELS)}
ID2LABEL: dict[int, str] = {i: label for label, i in LABEL2ID.items()}

DEFAULT_TARGET = "a negotiated ceasefire"

# Spellings users' files commonly carry, mapped onto our three labels.
_SPELLINGS: dict[str, str] = {
    "favor": "FAVOR", "favour": "FAVOR", "pro": "FAVOR", "support": "FAVOR",
    "supports": "FAVOR", "for": "FAVOR", "positive": "FAVOR",
    "against": "AGAINST", "con": "AGAINST", "oppose": "AGAINST", "opposes": "AGAINST",
    "undermine": "AGAINST", "negative": "AGAINST",
    "neutral": "NEUTRAL", "none": "NEUTRAL", "neither": "NEUTRAL",
}


def normalize_label(value: object) -> str | None:
    """Map a label spelling onto FAVOR/AGAINST/NEUTRAL; None when it is not one we know.

    >>> normalize_label("Support"), normalize_label("con"), normalize_label("maybe")
    ('FAVOR', 'AGAINST', None)
    """
    if not isinstance(value, str):
        return None
    return _SPELLINGS.get(value.strip().lower())
