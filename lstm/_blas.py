"""Set the number of threads of NumPy's OpenBLAS for a block of code (best effort).

Small recurrent models spend their time in many tiny matrix products; there, waking BLAS
worker threads costs more than it saves (10x slower on a busy 2-core machine). The
training loop therefore runs single-threaded by default. This does what ``threadpoolctl``
does, for the one library NumPy's wheels ship, and silently does nothing where that library
is not found (for example NumPy on Apple's Accelerate).
"""

from __future__ import annotations

import contextlib
import ctypes
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
                        get = getattr(lib, f"scipy_openblas_get_num_threads{suffix}", None)
                        set_ = getattr(lib, f"scipy_openblas_set_num_threads{suffix}", None)
                        if get is None:
                            get = getattr(lib, f"openblas_get_num_threads{suffix}", None)
                            set_ = getattr(lib, f"openblas_set_num_threads{suffix}", None)
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
