"""`stance serve`: run the HTTP service with uvicorn.

Options override the STANCE_* environment variables (see serve/settings.py). They are
passed on through the environment so that every uvicorn worker process builds the same
settings in its own `create_app()`.
"""

from __future__ import annotations

import argparse
import os


def configure_serve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help="checkpoint directory (default: STANCE_MODEL_PATH or models/default)")
    parser.add_argument("--host", default=None, help="address to bind (default: STANCE_HOST or 127.0.0.1; 0.0.0.0 in a container)")
    parser.add_argument("--port", type=int, default=None, help="port (default: STANCE_PORT or 8000)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes, each with its own model (default: 1)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads per worker (default: usable cores / workers)")
    parser.add_argument("--log-level", default=None, help="debug, info, warning or error (default: info)")
    parser.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from model.checkpoint import check_checkpoint
    from serve.logs import configure_logging
    from serve.settings import Settings

    overrides = {"STANCE_MODEL_PATH": args.model, "STANCE_HOST": args.host, "STANCE_PORT": args.port,
                 "STANCE_WORKERS": args.workers, "STANCE_THREADS": args.threads, "STANCE_LOG_LEVEL": args.log_level}
    for name, value in overrides.items():
        if value is not None:
            os.environ[name] = str(value)
    settings = Settings()
    # Fail here, with the checkpoint's own message, rather than once per worker.
    check_checkpoint(settings.model_path)
    configure_logging(settings.log_level)
    uvicorn.run(
        "serve.app:create_app", factory=True, host=settings.host, port=settings.port, workers=settings.workers,
        log_config=None, log_level=settings.log_level, access_log=False,  # serve.access logs each request as JSON
        timeout_graceful_shutdown=int(settings.deadline_s) + 5,  # SIGTERM: finish in-flight requests first
        proxy_headers=False, server_header=False,
    )
    return 0
