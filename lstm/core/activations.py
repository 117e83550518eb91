r"""Numerically stable gate activations: the logistic sigmoid and tanh.

The naive sigmoid ``1 / (1 + np.exp(-x))`` overflows for ``x < -709`` in float64
(``x < -88`` in float32) and NumPy warns. This module writes the sigmoid through
tanh, which never overflows:

.. math::

    \sigma(x) = \frac{1}{1 + e^{-x}} = \tfrac12 \tanh\!\left(\tfrac{x}{2}\right) + \tfrac12 .

The same identity lets the recurrent cells activate all their gates with *one*
``np.tanh`` call over the fused pre-activation block ``(B, 4H)``: the cells multiply the
weight columns of sigmoid gates by 1/2 once per forward pass (:func:`gate_scale`), and in
the time loop :func:`activate_gates` takes ``tanh`` of the whole block and maps the sigmoid
blocks through ``t/2 + 1/2``.

The derivative is expressed through the activation value ``a`` itself, which is
what back-propagation has stored:

.. math::

    \sigma'(x) = \sigma(x)\,(1 - \sigma(x)), \qquad \tanh'(x) = 1 - \tanh^2(x).
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["sigmoid", "tanh", "gate_scale", "activate_gates", "gate_derivative"]


def sigmoid(x, out=None):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, finite and warning-free for any finite ``x``.

    Introduced in :doc:`chapter 3 </chapters/03_lstm_equations>`.

    Args:
        x: array-like.
        out: optional output array (may be ``x`` itself).
    """
    x = np.asarray(x)
    if out is None and x.ndim == 0:  # a scalar: in-place ufuncs need an array to write to
        return np.tanh(x * 0.5) * 0.5 + 0.5
    out = np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def tanh(x, out=None):
    """Hyperbolic tangent (``np.tanh``, which saturates to +-1 without overflow)."""
    return np.tanh(x, out=out)


def gate_scale(kinds: str, hidden_size: int, dtype):
    """Per-column pre-scale ``s`` of a fused gate block: 1/2 for sigmoid, 1 for tanh columns.

    Args:
        kinds: one letter per block of ``hidden_size`` columns: ``"s"`` for a sigmoid gate,
            ``"t"`` for a tanh block. An LSTM (gates i, f, g, o) uses ``"ssts"``.
        hidden_size: H, the width of one block.
        dtype: dtype of the returned vector.

    Multiply the weights (and bias) by ``s`` once; then :func:`activate_gates` on the
    pre-activations gives ``sigmoid`` in sigmoid blocks and ``tanh`` in tanh blocks.
    """
    if not kinds or set(kinds) - {"s", "t"}:
        raise ValueError(f"kinds must be a non-empty string of 's' and 't', got {kinds!r}")
    return np.repeat([0.5 if k == "s" else 1.0 for k in kinds], hidden_size).astype(dtype)


@functools.lru_cache(maxsize=128)
def _columns(kinds: str, hidden_size: int, rows: int, dtype: str, s_value: float, t_value: float):
    """Read-only ``(rows, len(kinds) * H)`` array: ``s_value`` in sigmoid blocks, ``t_value`` in
    tanh blocks. Made once per shape, so the time loops work on whole blocks with exact
    per-column constants instead of one call per column block."""
    row = np.repeat([s_value if k == "s" else t_value for k in kinds], hidden_size).astype(dtype)
    full = np.ascontiguousarray(np.broadcast_to(row, (rows, row.size)))
    full.flags.writeable = False
    return full


def _affine(kinds: str, hidden_size: int, rows: int, dtype: str):
    """``(a, b)`` of :func:`activate_gates`: ``a = 1/2, b = 1/2`` in sigmoid blocks, ``a = 1,
    b = 0`` in tanh blocks (see :func:`_columns`)."""
    return (
        _columns(kinds, hidden_size, rows, dtype, 0.5, 1.0),
        _columns(kinds, hidden_size, rows, dtype, 0.5, 0.0),
    )


def activate_gates(u, kinds: str, hidden_size: int):
    """In place: ``u <- tanh(u)``, then ``u <- u/2 + 1/2`` on the sigmoid blocks.

    ``u`` ``(B, len(kinds) * H)`` holds pre-activations already multiplied by
    :func:`gate_scale` (``z/2`` in sigmoid blocks), so the result is ``sigmoid(z)`` there and
    ``tanh(z)`` in the tanh blocks: one ``tanh`` call for all gates. The affine step is
    ``u * a + b`` with whole ``(B, 4H)`` arrays ``a``, ``b`` (1/2, 1/2 on sigmoid columns;
    1, 0 on tanh columns, exact there), made once per shape: two calls over the whole block
    instead of one per column block.
    """
    np.tanh(u, out=u)
    if "s" in kinds:
        a, b = _affine(kinds, hidden_size, u.shape[0], u.dtype.str)
        np.multiply(u, a, out=u)
        np.add(u, b, out=u)
    return u


def gate_derivative(a, kinds: str, hidden_size: int, out, tmp=None):
    """Derivative of each activation from its value ``a``: ``a (1 - a)`` in sigmoid blocks,
    ``1 - a**2`` in tanh blocks. Written into ``out`` (same shape as ``a``).

    With both kinds, four whole-block operations do it: ``out = a**2``, ``tmp = a * alpha + beta``
    (exactly ``a`` in sigmoid blocks, where ``alpha = 1, beta = 0``; exactly 1 in tanh blocks,
    where ``alpha = 0, beta = 1``), then ``out = tmp - out``. These are the same numbers as one
    subtraction per column block (``a - a**2`` or ``1 - a**2``), in fewer, contiguous calls.
    ``tmp`` is a scratch array of ``a``'s shape
    (None allocates one).
    """
    np.multiply(a, a, out=out)  # a^2
    if "t" not in kinds:
        return np.subtract(a, out, out=out)  # a - a^2
    if "s" not in kinds:
        return np.subtract(1.0, out, out=out)  # 1 - a^2
    rows, dtype = a.shape[0], a.dtype.str
    tmp = np.empty_like(a) if tmp is None else tmp
    np.multiply(a, _columns(kinds, hidden_size, rows, dtype, 1.0, 0.0), out=tmp)
    np.add(tmp, _columns(kinds, hidden_size, rows, dtype, 0.0, 1.0), out=tmp)  # a | 1
    return np.subtract(tmp, out, out=out)  # a - a^2 | 1 - a^2
