"""Benchmark: train a model from a config and print wall time, peak memory, examples/second and metrics.

    python benchmarks/bench_train.py --config configs/default.yaml [--output models/<version>] [--promote]

Runs the same code path as `stance train` in this process, so the peak resident memory
reported (ru_maxrss) is the training's own. Not a test: it prints numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="configs/default.yaml")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--output", default=None)
    parser.add_argument("--models-dir", default="models")
    parser.add_argument("--promote", action="store_true")
    args = parser.parse_args()

    import torch

    from training import registry
    from training.config import load_config
    from training.train import train

    config = load_config(args.config, args.overrides)
    version = time.strftime("%Y%m%d-%H%M%S")
    output = Path(args.output or Path(args.models_dir) / version)
    started = time.perf_counter()
    path = train(config, output, version=version, log=lambda m: print(m, file=sys.stderr, flush=True))
    wall = time.perf_counter() - started
    if args.promote and path.resolve().parent == Path(args.models_dir).resolve():
        registry.promote(args.models_dir, path.name)
    metrics = json.loads((path / "metrics.json").read_text())
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seen = metrics["train_rows"] * metrics["epochs_run"]
    print(f"config              {args.config} {' '.join(args.overrides)}")
    print(f"machine             {os.cpu_count()} cores, torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{'cuda' if torch.cuda.is_available() else 'cpu'}")
    print(f"checkpoint          {path}")
    print(f"wall time           {wall:.0f} s (training loop {metrics['train_seconds']:.0f} s)")
    print(f"peak memory (RSS)   {peak_mib:.0f} MiB")
    print(f"epochs run          {metrics['epochs_run']:.0f} of {config.epochs}")
    print(f"examples/second     {seen / metrics['train_seconds']:.1f} (training loop, incl. per-epoch dev eval)")
    for split in ("dev", "test"):
        m = metrics[split]
        print(f"{split:<5} macro-F1 {m['macro_f1']:.3f}  F_avg {m['f_avg']:.3f}  accuracy {m['accuracy']:.3f}  "
              f"ECE {m['ece_before_calibration']:.3f} -> {m['ece']:.3f} (T={metrics['temperature']:.2f})")


if __name__ == "__main__":
    main()
