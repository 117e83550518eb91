"""How fast is the NumPy LSTM? Side by side with Keras, PyTorch and the matmul-only floor.

Run from the repository root::

    python benchmarks/bench_cells.py                 # both shapes, everything importable
    python benchmarks/bench_cells.py --shapes small --repeats 10 --skip-keras

For each shape (float32) it times, forward only and forward + backward (gradients of
``sum(h_seq)`` w.r.t. the input and every weight):

* ``numpy lstm.LSTM``      -- this package (:mod:`lstm.core.lstm`);
* ``numpy matmul floor``   -- the same matrix products alone, nothing else: one input GEMM
  plus T recurrent GEMMs forward; T recurrent GEMMs plus the weight- and input-gradient
  GEMMs backward (same shapes, layouts and BLAS thread policy as ``lstm.LSTM``). No
  implementation built on these NumPy GEMMs can beat it;
* ``numpy tanh alone``     -- the forward pass's transcendental work alone: per step one
  ``np.tanh`` over the fused ``(B, 4H)`` gates and one over ``(B, H)`` cells (the backward pass
  has none). NumPy runs it on one core; on a slow ``tanh`` it is a second floor, which the
  ratio ``numpy / (floor + tanh)`` takes into account;
* ``keras tf.function``    -- ``keras.layers.LSTM`` (TensorFlow backend) inside ``tf.function``;
* ``keras jit_compile``    -- the same with XLA (``tf.function(jit_compile=True)``);
* ``torch.nn.LSTM``        -- if ``torch`` is importable (``pip install -r benchmarks/requirements.txt``).

FLOPs counted: forward ``2 B T 4H (D + H)`` (the matrix products), backward twice that.
Times are the best of ``--repeats`` runs after a warm-up (the least disturbed run: on a
shared machine every other number is an upper bound), taken round-robin so that load from
other processes hits every candidate alike. ``--threads N`` gives every library N threads
(OpenBLAS, TensorFlow, torch): on a machine whose cores are busy with other work,
``--threads 1 --clock cpu`` compares the implementations (the CPU time each one needs)
rather than how their thread pools cope with the other processes.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

import numpy as np  # noqa: E402

from lstm import LSTM  # noqa: E402
from lstm.core.threads import blas_threads, loop_threads  # noqa: E402

SHAPES = {"small": (32, 50, 100, 100), "large": (128, 200, 128, 256)}  # (B, T, D, H)


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCKS["wall"]


def elapsed(fn):
    """Seconds of one call ``fn()`` on the chosen clock."""
    t0 = clock()
    fn()
    return clock() - t0


# ---------------------------------------------------------------------------- candidates
def numpy_lstm(B, T, D, H, x):
    m = LSTM(D, H, seed=0, dtype="float32")
    dh = np.ones((B, T, H), np.float32)

    def fwd():
        return m.forward(x)

    def fwd_bwd():
        _, _, cache = m.forward(x)
        return m.backward(dh, cache)

    return fwd, fwd_bwd


def matmul_floor(B, T, D, H, x):
    """Exactly the GEMMs of lstm.LSTM (same shapes, same layouts), nothing else."""
    rng = np.random.default_rng(0)
    xh = rng.standard_normal((T + 1, B, 1 + D + H)).astype(np.float32)  # [1, x_t, h_{t-1}]
    W_in = rng.standard_normal((1 + D, 4 * H)).astype(np.float32)
    W_h = rng.standard_normal((H, 4 * H)).astype(np.float32)
    gates = np.empty((T * B, 4 * H), np.float32)
    dz = rng.standard_normal((T, B, 4 * H)).astype(np.float32)
    zh = np.empty((B, 4 * H), np.float32)
    dh = np.empty((B, H), np.float32)

    def fwd():
        np.matmul(xh[:T, :, : 1 + D].reshape(T * B, 1 + D), W_in, out=gates)
        with blas_threads(loop_threads(B, H, 4 * H)):  # the same thread policy as lstm.LSTM
            for t in range(T):
                np.matmul(xh[t, :, 1 + D :], W_h, out=zh)

    def bwd():
        with blas_threads(loop_threads(B, 4 * H, H)):
            for t in range(T - 1, -1, -1):
                np.matmul(dz[t], W_h.T, out=dh)
        dz2 = dz.reshape(T * B, 4 * H)
        xh[:T].reshape(T * B, 1 + D + H).T @ dz2  # all weight gradients
        dz2 @ W_in[1:].T  # input gradient

    def fwd_bwd():
        fwd()
        bwd()

    return fwd, fwd_bwd


def activations_alone(B, T, D, H, x):
    """The transcendental work of lstm.LSTM's forward pass alone: per step one tanh over the
    fused (B, 4H) gate block and one over the (B, H) cell state, single-threaded as NumPy runs
    them. The backward pass computes no transcendental function (it reuses the stored values)."""
    rng = np.random.default_rng(0)
    u = rng.standard_normal((T, B, 4 * H)).astype(np.float32)
    c = rng.standard_normal((T, B, H)).astype(np.float32)
    out_u, out_c = np.empty((B, 4 * H), np.float32), np.empty((B, H), np.float32)

    def fwd():
        for t in range(T):
            np.tanh(u[t], out=out_u)
            np.tanh(c[t], out=out_c)

    return fwd, fwd


def keras_lstm(B, T, D, H, x, *, jit):
    import keras
    import tensorflow as tf

    layer = keras.layers.LSTM(H, return_sequences=True, dtype="float32")
    layer.build((B, T, D))
    xt = tf.constant(x)

    @tf.function(jit_compile=jit)
    def fwd_graph(x):
        return layer(x)

    @tf.function(jit_compile=jit)
    def fwd_bwd_graph(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(layer(x))
        return tape.gradient(loss, [x, *layer.trainable_weights])

    def fwd():
        return fwd_graph(xt).numpy()

    def fwd_bwd():
        return [g.numpy() for g in fwd_bwd_graph(xt)]

    return fwd, fwd_bwd


def torch_lstm(B, T, D, H, x):
    import torch

    torch.manual_seed(0)
    layer = torch.nn.LSTM(D, H, batch_first=True)
    xt = torch.from_numpy(x)

    def fwd():
        with torch.no_grad():
            return layer(xt)[0]

    def fwd_bwd():
        xg = xt.clone().requires_grad_(True)
        layer.zero_grad(set_to_none=True)
        layer(xg)[0].sum().backward()
        return xg.grad

    return fwd, fwd_bwd


# ---------------------------------------------------------------------------- table
def clock_name():
    return next(k for k, v in CLOCKS.items() if v is clock)


def run(shape_names, repeats, skip_keras, skip_torch, threads=None):
    candidates = [
        ("numpy lstm.LSTM", numpy_lstm),
        ("numpy matmul floor", matmul_floor),
        ("numpy tanh alone", activations_alone),
    ]
    if not skip_keras:
        if threads is not None:
            import tensorflow as tf

            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        candidates += [
            ("keras tf.function", lambda *a: keras_lstm(*a, jit=False)),
            ("keras jit_compile", lambda *a: keras_lstm(*a, jit=True)),
        ]
    torch_version = None
    if not skip_torch:
        try:
            import torch

            torch_version = torch.__version__
            if threads is not None:
                torch.set_num_threads(threads)
            candidates.append(("torch.nn.LSTM", torch_lstm))
        except ImportError:
            pass

    from lstm.core import threads as _blas

    api = _blas._api()
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"torch {'skipped' if skip_torch else torch_version or 'not installed'}, {os.cpu_count()} CPUs, "
        f"OpenBLAS threads {api[0]() if api else '?'}, --threads {threads}, {clock_name()} clock, "
        f"float32, best of {repeats}"
    )
    try:
        load = os.getloadavg()
        print(
            f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (anything above the CPU count "
            "means the times below are inflated by other processes)"
        )
    except OSError:
        pass
    for name in shape_names:
        B, T, D, H = SHAPES[name]
        flops = 2 * B * T * 4 * H * (D + H)  # forward; backward is twice that
        x = np.random.default_rng(1).standard_normal((B, T, D)).astype(np.float32)
        print(
            f"\n{name}: B={B} T={T} D={D} H={H}   forward {flops / 1e9:.2f} GFLOP, "
            f"forward+backward {3 * flops / 1e9:.2f} GFLOP"
        )
        header = f"{'':20s} {'fwd ms':>9s} {'GFLOP/s':>8s} {'fwd+bwd ms':>11s} {'GFLOP/s':>8s}"
        print(header)
        print("-" * len(header))
        built = {}
        for label, make in candidates:
            try:
                built[label] = make(B, T, D, H, x)
                for fn in built[label]:
                    fn()  # warm-up (and, for XLA, compilation)
            except Exception as exc:  # report and go on: one broken backend must not hide the rest
                print(f"{label:20s} failed: {type(exc).__name__}: {exc}")
                built.pop(label, None)
        # Round-robin: every repeat times every candidate once, so that a burst of load from
        # other processes hits all of them alike; keep each one's best time.
        results = {label: [np.inf, np.inf] for label in built}
        for _ in range(repeats):
            for label, fns in built.items():
                for k, fn in enumerate(fns):
                    results[label][k] = min(results[label][k], elapsed(fn))
        for label, (tf_, tfb) in results.items():
            if label == "numpy tanh alone":  # no matrix products: a GFLOP/s figure means nothing
                print(f"{label:20s} {tf_ * 1e3:9.1f} {'-':>8s} {tfb * 1e3:11.1f} {'-':>8s}")
                continue
            print(
                f"{label:20s} {tf_ * 1e3:9.1f} {flops / tf_ / 1e9:8.1f} {tfb * 1e3:11.1f} "
                f"{3 * flops / tfb / 1e9:8.1f}"
            )
        ours = results.get("numpy lstm.LSTM")
        if ours:
            print("ratios (time of the first / time of the second; fwd, fwd+bwd):")
            for other, reverse in (
                ("numpy matmul floor", False),
                ("torch.nn.LSTM", False),
                ("keras tf.function", True),
                ("keras jit_compile", True),
            ):
                if other in results:
                    a, b = (results[other], ours) if reverse else (ours, results[other])
                    first, second = (other, "numpy") if reverse else ("numpy", other)
                    print(f"  {first:>18s} / {second:<18s} {a[0] / b[0]:6.2f}  {a[1] / b[1]:6.2f}")
            if "numpy matmul floor" in results and "numpy tanh alone" in results:
                # The products and the tanh calls on one core each, perfectly overlapped, would
                # take max(...); one after the other, the sum. Any NumPy LSTM lies above the first.
                mm, th = results["numpy matmul floor"], results["numpy tanh alone"]
                print(
                    f"  {'numpy':>18s} / {'(floor + tanh)':<18s} {ours[0] / (mm[0] + th[0]):6.2f}  "
                    f"{ours[1] / (mm[1] + th[1]):6.2f}"
                )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--shapes", default="small,large", help="comma-separated subset of " + ", ".join(SHAPES)
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-keras", action="store_true")
    parser.add_argument("--skip-torch", action="store_true")
    parser.add_argument(
        "--clock",
        choices=list(CLOCKS),
        default="wall",
        help="wall: elapsed time; cpu: CPU time of this process (all its threads) "
        "-- with --threads 1 on a busy machine, the time the work itself took",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads for every library: OpenBLAS (NumPy), TensorFlow's intra-op "
        "pool and torch (default: each library's own choice)",
    )
    args = parser.parse_args(argv)
    names = [s.strip() for s in args.shapes.split(",") if s.strip()]
    unknown = [s for s in names if s not in SHAPES]
    if unknown or args.repeats < 1:
        parser.error(f"--shapes must be among {list(SHAPES)} and --repeats >= 1, got {names}, {args.repeats}")
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be >= 1, got {args.threads}")
    global clock
    clock = CLOCKS[args.clock]
    with blas_threads(args.threads):
        run(names, args.repeats, args.skip_keras, args.skip_torch, args.threads)


if __name__ == "__main__":
    main()
