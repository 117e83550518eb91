r"""Check a hand-written backward pass against central differences.

For a scalar loss :math:`L(\theta)` the central difference

.. math::

    \frac{\partial L}{\partial \theta_k} \approx
    \frac{L(\theta + \varepsilon e_k) - L(\theta - \varepsilon e_k)}{2\varepsilon}

has error :math:`O(\varepsilon^2)` (plus rounding :math:`O(u/\varepsilon)`, u the unit
round-off), so in float64 with :math:`\varepsilon = 10^{-6}` it agrees with a correct
analytic gradient to about 8-10 significant digits, and a wrong one shows at once.

:func:`gradcheck` uses the loss :math:`L = \sum W_{seq} \odot h_{seq} + \sum_k W_k \odot s_k`,
a random weighted sum of every output (``h_seq`` and each final-state array ``s_k``), so that
``dh_seq = W_seq`` and ``dstate = W`` exactly, and compares the analytic gradients of
every parameter, the input and the initial state with the numerical ones.
The error reported per array is the norm-wise relative error

.. math::

    \frac{\lVert g_{\text{num}} - g_{\text{ana}} \rVert_2}
         {\max(\lVert g_{\text{num}} \rVert_2 + \lVert g_{\text{ana}} \rVert_2,\ 10^{-30})},

which, unlike an elementwise ratio, is not fooled by entries that are zero or tiny.
Use float64: float32 round-off alone gives errors around 1e-3 with these steps.
"""

from __future__ import annotations

import numpy as np

__all__ = ["numerical_gradient", "relative_error", "gradcheck"]


def relative_error(a, b) -> float:
    """Norm-wise relative error ``||a - b|| / (||a|| + ||b||)`` (0 when both are zero)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs equal shapes, got {a.shape} and {b.shape}")
    den = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / max(den, 1e-30))


def numerical_gradient(f, array, *, eps=1e-6, indices=None):
    """Central-difference gradient of the scalar function ``f()`` w.r.t. ``array`` (in place).

    ``array`` is perturbed in place, one entry at a time, and restored.

    Args:
        f: callable with no arguments returning a float; it must read ``array``.
        array: a float NumPy array that ``f`` depends on.
        eps: the step.
        indices: optional iterable of flat indices to check (others are left 0).

    Returns:
        An array like ``array`` with the numerical partial derivatives.
    """
    if not isinstance(array, np.ndarray) or not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"array must be a float NumPy array, got {type(array).__name__}")
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps!r}")
    grad = np.zeros(array.shape, np.float64)
    for k in range(array.size) if indices is None else indices:
        pos = np.unravel_index(k, array.shape)
        old = array[pos]
        array[pos] = old + eps
        plus = float(f())
        array[pos] = old - eps
        minus = float(f())
        array[pos] = old
        grad[pos] = (plus - minus) / (2 * eps)
    return grad


def _as_list(state):
    return list(state) if isinstance(state, (tuple, list)) else [state]


def _like(template, arrays):
    return tuple(arrays) if isinstance(template, (tuple, list)) else arrays[0]


def gradcheck(model, x, state=None, *, eps=1e-6, seed=0, max_checks=None) -> dict[str, float]:
    """Compare ``model.backward`` with central differences of ``model.forward``.

    Works for :class:`lstm.LSTM`, :class:`lstm.GRU`, :class:`lstm.SimpleRNN` (and anything
    with the same ``forward``/``backward``/``params`` interface).

    Introduced in :doc:`chapter 3 </chapters/03_lstm_equations>`.

    Args:
        model: the layer; its ``params`` are perturbed in place and restored.
        x: ``(B, T, D)`` input.
        state: initial state (as ``model.forward`` takes it), or None for zeros. When given,
            its gradient is checked too.
        eps: finite-difference step.
        seed: seed of the random loss weights.
        max_checks: check at most this many randomly chosen entries per array (None: all).

    Returns:
        ``{name: relative error}`` for every parameter name, ``"x"`` and, when ``state`` is
        given, ``"state"`` (or ``"state[0]"``, ``"state[1]"`` for an LSTM's (h, c)).
    """
    rng = np.random.default_rng(seed)
    x = np.array(x, dtype=model.dtype)  # private copies we may perturb
    states = None if state is None else [np.array(s, dtype=model.dtype) for s in _as_list(state)]

    h_seq, final, cache = model.forward(x, None if states is None else _like(state, states))
    w_seq = rng.standard_normal(h_seq.shape)
    w_final = [rng.standard_normal(np.shape(s)) for s in _as_list(final)]

    def loss():
        hs, fin, _ = model.forward(x, None if states is None else _like(state, states))
        total = float(np.sum(w_seq * hs))
        return total + sum(float(np.sum(w * s)) for w, s in zip(w_final, _as_list(fin), strict=True))

    dh_seq = w_seq.astype(model.dtype)
    dstate = _like(final, [w.astype(model.dtype) for w in w_final])
    dx, grads, dstate0 = model.backward(dh_seq, cache, dstate)

    def pick(a):
        if max_checks is None or a.size <= max_checks:
            return None
        return rng.choice(a.size, size=max_checks, replace=False)

    def compare(analytic, array):
        idx = pick(array)
        num = numerical_gradient(loss, array, eps=eps, indices=idx)
        ana = np.asarray(analytic, np.float64)
        if idx is not None:
            ana, num = ana.reshape(-1)[idx], num.reshape(-1)[idx]
        return relative_error(num, ana)

    report = {name: compare(grads[name], model.params[name]) for name in model.params}
    report["x"] = compare(dx, x)
    if states is not None:
        d0 = _as_list(dstate0)
        if len(states) == 1:
            report["state"] = compare(d0[0], states[0])
        else:
            for k, (g, s) in enumerate(zip(d0, states, strict=True)):
                report[f"state[{k}]"] = compare(g, s)
    return report
