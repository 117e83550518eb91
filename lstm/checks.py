"""Argument checks shared by every module of the package: one home for each.

Each check returns the value in a canonical type (``int``, ``float``) or raises a
``ValueError`` that names the argument, says what was expected and shows what was passed.
Booleans are never accepted as numbers (``True`` is an ``int`` in Python, never a size).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_array", "check_choice", "check_dtype", "check_int", "check_number", "check_rate"]

#: The floating-point types the NumPy layers compute in.
DTYPES = {"float32": np.float32, "float64": np.float64}


def check_int(name, value, *, minimum=1, maximum=None, allow_none=False):
    """``value`` as an ``int`` in ``[minimum, maximum]`` (``None`` passes if ``allow_none``)."""
    if value is None and allow_none:
        return None
    ok = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
    ok = ok and value >= minimum and (maximum is None or value <= maximum)
    if not ok:
        if maximum is not None:
            expected = f"an int in [{minimum}, {maximum}]"
        else:
            expected = f"an int >= {minimum}"
        expected += " or None" if allow_none else ""
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return int(value)


def check_number(name, value, *, positive=False):
    """``value`` as a finite ``float`` (``> 0`` with ``positive=True``)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    ok = ok and math.isfinite(value) and (value > 0 or not positive)
    if not ok:
        kind = "a positive finite number" if positive else "a finite number"
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return float(value)


def check_rate(name, value, *, upper=1.0, inclusive_upper=False):
    """``value`` as a ``float`` in ``[0, upper)`` (``[0, upper]`` with ``inclusive_upper``)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    ok = ok and 0.0 <= value and (value <= upper if inclusive_upper else value < upper)
    if not ok:
        bracket = "]" if inclusive_upper else ")"
        raise ValueError(f"{name} must be a number in [0, {upper}{bracket}, got {value!r}")
    return float(value)


def check_choice(name, value, choices):
    """``value`` if it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def check_dtype(dtype):
    """``np.dtype`` of ``"float32"`` or ``"float64"`` (names or NumPy dtypes)."""
    key = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if key not in DTYPES:
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    return np.dtype(DTYPES[key])


def check_array(name, value, what):
    """``value`` as a numeric NumPy array (``what`` says the expected shape in the error)."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be an array {what}, got {type(value).__name__}") from exc
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"{name} must be a numeric array {what}, got dtype {arr.dtype}")
    return arr
