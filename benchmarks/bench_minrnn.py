"""Time minGRU's three evaluation forms as the sequence grows (lstm.core.minrnn).

    python benchmarks/bench_minrnn.py [--lengths 128 512 2048 8192] [--batch 1] [--units 16] [--repeats 3]

Prints, for each length T, the best-of-``repeats`` wall time of

- the sequential loop (``mode="sequential"``),
- the log-space scan of Feng et al. (2024) (``mode="parallel"``: cumsum + logaddexp.accumulate),
- the Hillis-Steele doubling scan (``hillis_steele_scan_log``, ceil(log2(T+1)) whole-array steps),

and checks that the scan matches the loop. On one CPU core the forms are within a small factor of each
other (the scan trades the Python loop for more transcendental work per element); the scan's advantage,
its O(log T) depth, needs parallel hardware. Chapter 6 shows a smaller version of this table.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from lstm.core.minrnn import MinGRU, hillis_steele_scan_log


def best_time(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[128, 512, 2048, 8192])
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--units", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    layer = MinGRU(args.units, args.units, seed=0)
    print(f"minGRU, B = {args.batch}, D = H = {args.units}; best of {args.repeats}, milliseconds")
    print(
        f"{'T':>7s} {'loop':>10s} {'log scan':>10s} {'doubling':>10s} "
        f"{'loop/scan':>10s} {'max rel diff':>13s}"
    )
    for T in args.lengths:
        x = np.random.default_rng(T).normal(size=(args.batch, T, args.units))  # (B, T, D)
        log_a, log_b = layer.log_coefficients(x)
        log_h0 = np.full((args.batch, args.units), -np.inf)
        loop = best_time(lambda: layer.forward(x, mode="sequential"), args.repeats)
        scan = best_time(lambda: layer.forward(x, mode="parallel"), args.repeats)
        doubling = best_time(lambda: hillis_steele_scan_log(log_a, log_b, log_h0), args.repeats)
        ref = layer.forward(x, mode="sequential")
        diff = np.max(np.abs(layer.forward(x) - ref) / np.abs(ref))
        print(
            f"{T:7d} {loop * 1e3:10.2f} {scan * 1e3:10.2f} {doubling * 1e3:10.2f} "
            f"{loop / scan:10.2f} {diff:13.1e}"
        )


if __name__ == "__main__":
    main()
