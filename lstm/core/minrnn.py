r"""minGRU and minLSTM in NumPy: a recurrence that can be computed as a parallel scan.

Feng et al. (2024), *Were RNNs All We Needed?* (arXiv:2410.01201), strip the GRU and
the LSTM down until no gate depends on the previous hidden state. What is left is a
*linear* recurrence with input-dependent coefficients,

.. math::

    h_t = a_t \odot h_{t-1} + b_t, \qquad t = 1, \dots, T,

and a linear recurrence can be computed for all ``t`` at once by a prefix scan instead of
a loop over time.

minGRU (the paper's equations with the log-space activation :math:`g`)::

    z_t   = sigmoid(x_t W_xz + b_z)             # (B, H) update gate
    h~_t  = g(x_t W_xh + b_h)                   # (B, H) candidate, always > 0
    h_t   = (1 - z_t) * h_{t-1} + z_t * h~_t    # a_t = 1 - z_t,  b_t = z_t * h~_t

minLSTM::

    f_t   = sigmoid(x_t W_xf + b_f)             # (B, H) forget gate
    i_t   = sigmoid(x_t W_xi + b_i)             # (B, H) input gate
    f'_t, i'_t = f_t / (f_t + i_t), i_t / (f_t + i_t)   # normalised, sum to 1
    h~_t  = g(x_t W_xh + b_h)
    h_t   = f'_t * h_{t-1} + i'_t * h~_t        # a_t = f'_t,  b_t = i'_t * h~_t

with :math:`g(x) = x + 1/2` for :math:`x \ge 0` and :math:`g(x) = \sigma(x)` otherwise, which
keeps every candidate (and so every state, from a non-negative :math:`h_0`) positive so that
it has a logarithm.

The parallel form (``mode="parallel"``) is the paper's log-space scan. Unrolling the
recurrence gives :math:`h_t = A_t (h_0 + \sum_{k \le t} b_k / A_k)` with
:math:`A_t = \prod_{k \le t} a_k`; in logs, with :math:`a^*_t = \sum_{k \le t} \log a_k`,

.. math::

    \log h_t = a^*_t + \operatorname{logcumsumexp}_{k \le t}\big(\log b_k - a^*_k\big),
    \qquad (\log b_0 := \log h_0,\; a^*_0 := 0),

a cumulative sum and a cumulative log-sum-exp, both of which are associative scans (depth
:math:`O(\log T)` on parallel hardware). All logs are computed without leaving log space:
:math:`\log \sigma(k) = -\operatorname{softplus}(-k)`, :math:`\log(1-\sigma(k)) =
-\operatorname{softplus}(k)`, and for minLSTM
:math:`\log f'_t = -\operatorname{softplus}(\operatorname{softplus}(-k_f) - \operatorname{softplus}(-k_i))`.

``mode="sequential"`` is the plain loop over time in linear space, the reference the scan
is tested against. :func:`hillis_steele_scan_log` is the same scan written as
:math:`\lceil \log_2 T \rceil` whole-array steps, which is how a GPU evaluates it.

Shapes: ``x`` is ``(B, T, D)``, the outputs are ``(B, T, H)``, states are ``(B, H)``.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_int

__all__ = [
    "MinGRU",
    "MinLSTM",
    "g",
    "log_g",
    "sequential_scan",
    "parallel_scan_log",
    "hillis_steele_scan_log",
]

_MODES = ("parallel", "sequential")


def _softplus(x):
    """log(1 + exp(x)) without overflow."""
    return np.logaddexp(0.0, x)


def _sigmoid(x):
    return np.exp(-_softplus(-x))


def g(x):
    """The paper's positive activation: ``x + 0.5`` where ``x >= 0``, ``sigmoid(x)`` elsewhere."""
    x = np.asarray(x)
    return np.where(x >= 0, x + 0.5, _sigmoid(np.minimum(x, 0.0)))


def log_g(x):
    """``log(g(x))`` computed in log space: ``log(x + 0.5)`` or ``-softplus(-x)``.

    Introduced in :doc:`chapter 6 </chapters/06_future_trends>`.
    """
    x = np.asarray(x)
    return np.where(x >= 0, np.log(np.maximum(x, 0.0) + 0.5), -_softplus(-np.minimum(x, 0.0)))


def _safe_log(x):
    """log that maps 0 to -inf without a RuntimeWarning (a zero initial state is allowed)."""
    with np.errstate(divide="ignore"):
        return np.log(x)


def sequential_scan(a, b, h0):
    """``h_t = a_t * h_{t-1} + b_t`` by a loop over time (``mode="sequential"``).

    Args:
        a, b: ``(B, T, H)`` coefficients.
        h0: ``(B, H)`` initial state.

    Returns:
        ``(B, T, H)`` states ``h_1 .. h_T``.
    """
    h = h0
    out = np.empty_like(b)
    for t in range(b.shape[1]):
        h = a[:, t] * h + b[:, t]  # (B, H)
        out[:, t] = h
    return out


def parallel_scan_log(log_a, log_b, log_h0):
    """``h_t = a_t * h_{t-1} + b_t`` for all t at once, in log space (Feng et al., 2024, eq. 5).

    Introduced in :doc:`chapter 6 </chapters/06_future_trends>`.

    Args:
        log_a: ``(B, T, H)`` log coefficients (``a_t > 0``).
        log_b: ``(B, T, H)`` log inputs (``b_t >= 0``; ``-inf`` allowed).
        log_h0: ``(B, H)`` log initial state (``-inf`` for a zero state).

    Returns:
        ``(B, T, H)`` states ``h_1 .. h_T`` (linear space).
    """
    B, T, H = log_b.shape
    # a_star: (B, T+1, H), the sums of log_a up to each step (0 before the first)
    a_star = np.concatenate([np.zeros((B, 1, H), log_a.dtype), np.cumsum(log_a, axis=1)], axis=1)
    log_values = np.concatenate([log_h0[:, None, :], log_b], axis=1)  # (B, T+1, H)
    log_h = a_star + np.logaddexp.accumulate(log_values - a_star, axis=1)  # (B, T+1, H)
    return np.exp(log_h[:, 1:])


def hillis_steele_scan_log(log_a, log_b, log_h0):
    """The same scan as :func:`parallel_scan_log`, as ``ceil(log2(T+1))`` whole-array steps.

    Each element holds an affine map ``h -> A h + B`` as ``(log A, log B)``; composing the map
    at ``t - d`` with the one at ``t`` is ``(log A_t + log A_{t-d},
    logaddexp(log A_t + log B_{t-d}, log B_t))``. Doubling ``d`` gives every prefix in
    ``O(log T)`` steps (Hillis & Steele, 1986) -- the shape of the computation on a GPU.

    Introduced in :doc:`chapter 6 </chapters/06_future_trends>`.
    """
    B, T, H = log_b.shape
    A = np.concatenate([np.zeros((B, 1, H), log_a.dtype), log_a], axis=1)  # (B, T+1, H)
    Bv = np.concatenate([log_h0[:, None, :], log_b], axis=1)  # (B, T+1, H)
    d = 1
    while d < T + 1:
        A_prev, B_prev = A[:, :-d], Bv[:, :-d]  # the maps ending d steps earlier
        new_B = Bv.copy()
        new_B[:, d:] = np.logaddexp(A[:, d:] + B_prev, Bv[:, d:])
        new_A = A.copy()
        new_A[:, d:] = A[:, d:] + A_prev
        A, Bv = new_A, new_B
        d *= 2
    return np.exp(Bv[:, 1:])


class _MinRNN:
    """Shared checks, initialisation and the two evaluation modes."""

    _gates: tuple[str, ...] = ()

    def __init__(self, input_size, hidden_size, *, seed=None, dtype="float64"):
        check_int("input_size", input_size)
        check_int("hidden_size", hidden_size)
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"dtype must be a floating dtype, got {dtype!r}")
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        rng = np.random.default_rng(seed)
        D, H = self.input_size, self.hidden_size
        limit = np.sqrt(6.0 / (D + H))  # Glorot uniform, as Keras' default kernel initializer
        self.params: dict[str, np.ndarray] = {}
        for gate in self._gates:
            self.params[f"W_x{gate}"] = rng.uniform(-limit, limit, (D, H)).astype(self.dtype)  # (D, H)
            self.params[f"b_{gate}"] = np.zeros(H, self.dtype)  # (H,)

    def _check(self, x, h0):
        x = np.asarray(x)
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise ValueError(f"x must have shape (B, T, {self.input_size}), got {x.shape}")
        if x.shape[0] < 1 or x.shape[1] < 1:
            raise ValueError(f"x must have at least one sequence and one time step, got shape {x.shape}")
        x = x.astype(self.dtype, copy=False)
        B = x.shape[0]
        if h0 is None:
            h0 = np.zeros((B, self.hidden_size), self.dtype)
        else:
            h0 = np.asarray(h0, dtype=self.dtype)
            if h0.shape != (B, self.hidden_size):
                raise ValueError(f"h0 must have shape ({B}, {self.hidden_size}), got {h0.shape}")
            if np.any(h0 < 0) or not np.all(np.isfinite(h0)):
                raise ValueError("h0 must be finite and non-negative (the log-space scan takes its log)")
        return x, h0

    def _pre(self, x, gate):
        return x @ self.params[f"W_x{gate}"] + self.params[f"b_{gate}"]  # (B, T, H)

    def coefficients(self, x):
        """``(a, b)``, each ``(B, T, H)``: the recurrence ``h_t = a_t * h_{t-1} + b_t`` for input ``x``."""
        raise NotImplementedError

    def log_coefficients(self, x):
        """``(log a, log b)``, each ``(B, T, H)``, computed in log space (for the scans)."""
        raise NotImplementedError

    def forward(self, x, h0=None, *, mode="parallel"):
        """Run the layer over a batch of sequences.

        Args:
            x: ``(B, T, D)`` inputs.
            h0: ``(B, H)`` non-negative initial state; zeros if ``None``.
            mode: ``"parallel"`` (log-space scan) or ``"sequential"`` (loop over time).

        Returns:
            ``(B, T, H)`` hidden states; the last one, ``[:, -1]``, is the final state.
        """
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
        x, h0 = self._check(x, h0)
        if mode == "sequential":
            a, b = self.coefficients(x)
            return sequential_scan(a, b, h0)
        log_a, log_b = self.log_coefficients(x)
        return parallel_scan_log(log_a, log_b, _safe_log(h0))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size})"


class MinGRU(_MinRNN):
    """minGRU: ``h_t = (1 - z_t) * h_{t-1} + z_t * g(x_t W_xh + b_h)``, ``z_t = sigmoid(x_t W_xz + b_z)``.

    Parameters ``params``: ``W_xz``, ``W_xh`` ``(D, H)``; ``b_z``, ``b_h`` ``(H,)``.
    ``MinGRU(input_size, hidden_size, *, seed=None, dtype="float64")``;
    ``forward(x, h0=None, *, mode="parallel")`` maps ``(B, T, D)`` to ``(B, T, H)``
    (``mode="sequential"`` runs the loop instead of the scan).

    Introduced in :doc:`chapter 6 </chapters/06_future_trends>`.
    """

    _gates = ("z", "h")

    def coefficients(self, x):
        z = _sigmoid(self._pre(x, "z"))  # (B, T, H)
        return 1.0 - z, z * g(self._pre(x, "h"))

    def log_coefficients(self, x):
        k = self._pre(x, "z")  # (B, T, H)
        log_z = -_softplus(-k)
        log_one_minus_z = -_softplus(k)
        return log_one_minus_z, log_z + log_g(self._pre(x, "h"))


class MinLSTM(_MinRNN):
    """minLSTM: ``h_t = f'_t * h_{t-1} + i'_t * g(x_t W_xh + b_h)`` with ``f' + i' = 1``.

    Parameters ``params``: ``W_xf``, ``W_xi``, ``W_xh`` ``(D, H)``; ``b_f``, ``b_i``, ``b_h`` ``(H,)``.
    Constructor and ``forward`` as :class:`MinGRU`.

    Introduced in :doc:`chapter 6 </chapters/06_future_trends>`.
    """

    _gates = ("f", "i", "h")

    def coefficients(self, x):
        f = _sigmoid(self._pre(x, "f"))  # (B, T, H)
        i = _sigmoid(self._pre(x, "i"))
        return f / (f + i), i / (f + i) * g(self._pre(x, "h"))

    def log_coefficients(self, x):
        diff = _softplus(-self._pre(x, "f")) - _softplus(-self._pre(x, "i"))  # log i - log f
        log_f = -_softplus(diff)  # log f' = -log(1 + i/f)
        log_i = -_softplus(-diff)  # log i' = -log(1 + f/i)
        return log_f, log_i + log_g(self._pre(x, "h"))
