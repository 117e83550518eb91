"""Set the number of threads of NumPy's OpenBLAS for a block of code (best effort).

Small recurrent models spend their time in many tiny matrix products; there, waking BLAS
worker threads costs more than it saves, badly so on a busy machine. The
training loop therefore runs single-threaded by default. This does what ``threadpoolctl``
does, for the one library NumPy's wheels ship, and silently does nothing where that library
is not found (for example NumPy on Apple's Accelerate).

It also runs a time loop over independent blocks of batch rows in parallel threads
(:func:`row_blocks`, :func:`run_row_blocks`), for the large layers where elementwise NumPy work,
which uses one core, dominates.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import os
import sys

import numpy as np  # noqa: F401  (loads the BLAS library first)

_API = None  # (get, set) ctypes functions, or False when unavailable


def _api():
    global _API
    if _API is None:
        _API = False
        try:
            if sys.platform.startswith("linux"):
                with open("/proc/self/maps") as maps:
                    paths = {ln.split()[-1] for ln in maps if "openblas" in ln.lower()}
                for path in sorted(paths):
                    lib = ctypes.CDLL(path)
                    for suffix in ("64_", ""):
                        get = getattr(
                            lib, f"scipy_openblas_get_num_threads{suffix}", None
                        )
                        set_ = getattr(
                            lib, f"scipy_openblas_set_num_threads{suffix}", None
                        )
                        if get is None:
                            get = getattr(
                                lib, f"openblas_get_num_threads{suffix}", None
                            )
                            set_ = getattr(
                                lib, f"openblas_set_num_threads{suffix}", None
                            )
                        if get is not None and set_ is not None:
                            get.restype = ctypes.c_int
                            set_.argtypes = [ctypes.c_int]
                            _API = (get, set_)
                            return _API
        except OSError:  # pragma: no cover - exotic platforms
            _API = False
    return _API


@contextlib.contextmanager
def blas_threads(n):
    """``with blas_threads(1): ...`` runs the block with ``n`` OpenBLAS threads (None: unchanged)."""
    api = _api() if n is not None else False
    if not api:
        yield
        return
    get, set_ = api
    old = get()
    set_(int(n))
    try:
        yield
    finally:
        set_(old)


#: Products smaller than this many multiply-adds run on one BLAS thread inside the time loops.
SMALL_GEMM = 1 << 23


def loop_threads(m, k, n):
    """BLAS threads for the per-step ``(m, k) @ (k, n)`` product of a time loop.

    1 when the product is small (below :data:`SMALL_GEMM` multiply-adds): handing a tiny
    product to worker threads at every step costs more than it saves, badly so on a busy
    machine. None (leave the setting alone) otherwise.
    """
    return 1 if m * k * n < SMALL_GEMM else None


# ---------------------------------------------------------------------------- batch-parallel loops
#: A time loop is split over row blocks only when one step touches at least this many gate values
#: (``B * width``): below it, threads fight over Python's GIL more than they compute.
PARALLEL_WORK = 1 << 16
#: Fewest batch rows per block.
MIN_ROWS = 16
_POOL = None


def row_blocks(batch, width):
    """Slices of the batch rows for a batch-parallel time loop.

    The rows of a batch are independent sequences, so a recurrent layer can run its time loop
    for several row blocks at once, each in its own thread: NumPy releases the GIL inside
    ufuncs and matrix products, so a 2-core machine does the elementwise work of the loop (one
    core per block) twice as fast. One block (no threads) when the work per step is small
    (:data:`PARALLEL_WORK`) or the machine has one core.
    """
    cpus = os.cpu_count() or 1
    n = min(cpus, batch // MIN_ROWS) if batch * width >= PARALLEL_WORK else 1
    n = max(n, 1)
    edges = [batch * k // n for k in range(n + 1)]
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:])]


def run_row_blocks(loop, blocks):
    """Call ``loop(rows)`` for every slice in ``blocks``: in parallel threads, each with one BLAS
    thread, when there are several; directly when there is one."""
    global _POOL
    if len(blocks) == 1:
        loop(blocks[0])
        return
    if _POOL is None:
        _POOL = concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1, "lstm-rows")
    with blas_threads(1):  # each thread is one core's worth of work already
        for future in [_POOL.submit(loop, rows) for rows in blocks]:
            future.result()  # re-raises an exception of the loop
