"""Time lstm.data.imdb.load_imdb: the first (cold-cache) parse and a cached load.

Usage::

    python benchmarks/bench_data.py [PATH]      # PATH defaults to $LSTM_IMDB_PATH

Each load runs in a fresh Python process (as a reader's second notebook run would),
with a temporary cache folder, so the user's cache is left alone. Targets: first
parse at most 15 s, cached load under 1 s (issue 2). Wall time is noisy on a busy
machine; the CPU column (user + system time of the process) is the steadier number.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time
t0 = time.perf_counter()
from lstm.data.imdb import load_imdb
(x_train, y_train), (x_test, y_test) = load_imdb(sys.argv[1], num_words=10000, cache_dir=sys.argv[2])
t1 = time.perf_counter()
print(json.dumps({"load_s": t1 - t0, "n_train": len(x_train), "n_test": len(x_test)}))
"""

STATS = """
import json, sys
import numpy as np
from lstm.data.imdb import get_word_index, load_imdb
(x_train, _), (x_test, _) = load_imdb(sys.argv[1], cache_dir=sys.argv[2])
lengths = np.array([len(x) - 1 for x in x_train])  # tokens, without the start mark
print(json.dumps({
    "vocab": len(get_word_index(sys.argv[1], cache_dir=sys.argv[2])),
    "over_50": float(np.mean(lengths > 50)),
    "median": float(np.median(lengths)),
    "mean": float(lengths.mean()),
    "p90": float(np.percentile(lengths, 90)),
    "tokens": int(lengths.sum() + sum(len(x) - 1 for x in x_test)),
}))
"""


def run(code: str, *args: str) -> tuple[dict, float, float]:
    """Run ``code`` in a fresh interpreter; return its JSON output, wall and CPU seconds."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(out.stdout.strip().splitlines()[-1]), wall, cpu


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("LSTM_IMDB_PATH")
    if not path:
        sys.exit("usage: python benchmarks/bench_data.py PATH (or set LSTM_IMDB_PATH)")
    with tempfile.TemporaryDirectory(prefix="bench_data_") as cache:
        cold, cold_wall, cold_cpu = run(CHILD, path, cache)
        warm, warm_wall, warm_cpu = run(CHILD, path, cache)
        stats, _, _ = run(STATS, path, cache)
    print(f"source: {path}  ({cold['n_train']:,} train + {cold['n_test']:,} test reviews)")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print()
    header = (
        "load_imdb(num_words=10000)",
        "process wall s",
        "in load_imdb s",
        "process CPU s",
        "target",
    )
    rows = [
        ("first load (cold cache)", cold_wall, cold["load_s"], cold_cpu, "<= 15 s"),
        ("cached load, fresh process", warm_wall, warm["load_s"], warm_cpu, "< 1 s"),
    ]
    print(f"{header[0]:<30} {header[1]:>15} {header[2]:>15} {header[3]:>14} {header[4]:>8}")
    for name, wall, inside, cpu, target in rows:
        print(f"{name:<30} {wall:>15.2f} {inside:>15.2f} {cpu:>14.2f} {target:>8}")
    print()
    print(f"vocabulary (training split): {stats['vocab']:,} words; {stats['tokens']:,} tokens in all")
    print(
        f"training reviews: median {stats['median']:.0f} tokens, mean {stats['mean']:.1f}, "
        f"90th percentile {stats['p90']:.0f}; longer than 50 tokens: {100 * stats['over_50']:.1f} %"
    )


if __name__ == "__main__":
    main()
