"""Errors a user can act on. The CLI prints them without a traceback; the API maps them to 4xx."""


class StanceError(ValueError):
    """Base class: the message says what was expected, what was found and how to fix it."""

    user_facing = True


class CheckpointError(StanceError):
    """A model directory is missing, incomplete, corrupt or in a refused (pickle) format."""


class DataError(StanceError):
    """A data file is malformed: bad JSON, missing columns, unknown labels, empty."""
