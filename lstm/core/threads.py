"""Set the number of threads of NumPy's BLAS for a block of code (best effort), and run batch rows
in parallel threads.

Small recurrent models spend their time in many tiny matrix products; there, waking BLAS
worker threads costs more than it saves, badly so on a busy machine. The training loop therefore
runs single-threaded by default. :func:`blas_threads` sets the thread count of every BLAS library
loaded in the process (OpenBLAS as NumPy's wheels ship it, MKL, BLIS) through ``threadpoolctl``,
and silently does nothing where it finds none it can control (for example NumPy on Apple's
Accelerate).

It also runs a time loop over independent blocks of batch rows in parallel threads
(:func:`row_blocks`, :func:`run_row_blocks`), for the large layers where elementwise NumPy work,
which uses one core, dominates.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os

import numpy as np  # noqa: F401  (loads the BLAS library first)
import threadpoolctl

_BLAS = None  # threadpoolctl's controller of the loaded BLAS libraries, made on first use


def _blas():
    """The ``threadpoolctl.ThreadpoolController`` of the BLAS libraries loaded with NumPy.

    Made once (finding the libraries reads the process's list of loaded ones, about 0.3 ms); its
    ``lib_controllers`` is empty where no BLAS library with a thread API was found.
    """
    global _BLAS
    if _BLAS is None:
        _BLAS = threadpoolctl.ThreadpoolController().select(user_api="blas")
    return _BLAS


@contextlib.contextmanager
def blas_threads(n):
    """``with blas_threads(1): ...`` runs the block with ``n`` BLAS threads (None: unchanged).

    The previous counts are restored when the block ends, also when it raises.
    """
    blas = _blas() if n is not None else None
    if blas is None or not blas.lib_controllers:
        yield
        return
    with blas.limit(limits=int(n), user_api="blas"):
        yield


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
