r"""The equations of chapter 3 as plain NumPy: the reference LSTM, GRU and SimpleRNN.

This is the code the book teaches: one short function per time step and direction, one
line per equation, no speed tricks. :class:`lstm.LSTM`, :class:`lstm.GRU` and
:class:`lstm.SimpleRNN` are the fast path (fused gate blocks, one GEMM for all inputs,
threads); ``tests/test_reference.py`` proves them equal to this module, forward and backward.

Shapes: sequences are ``(B, T, D)`` (batch, time, features); at one step :math:`x_t` is
``(B, D)`` and :math:`h_t, c_t` are ``(B, H)``. Rows are examples, so the weights multiply
from the right. :math:`\sigma` is the logistic sigmoid and :math:`\odot` the elementwise product.

Parameters are a plain dict of per-gate arrays named after the equations, the names of the
fast layers' :meth:`~lstm.core.layer.RecurrentLayer.gate_weights` (:func:`params_of` builds it).

**LSTM** (``W_x*`` ``(D, H)``, ``W_h*`` ``(H, H)``, ``b_*`` and the optional diagonal
peepholes ``w_ci, w_cf, w_co`` ``(H,)``; without peepholes drop the :math:`w_{c\cdot}` terms):

.. math::

    i_t &= \sigma(x_t W_{xi} + h_{t-1} W_{hi} + w_{ci} \odot c_{t-1} + b_i)\\
    f_t &= \sigma(x_t W_{xf} + h_{t-1} W_{hf} + w_{cf} \odot c_{t-1} + b_f)\\
    g_t &= \tanh(x_t W_{xg} + h_{t-1} W_{hg} + b_g)\\
    c_t &= f_t \odot c_{t-1} + i_t \odot g_t\\
    o_t &= \sigma(x_t W_{xo} + h_{t-1} W_{ho} + w_{co} \odot c_t + b_o)\\
    h_t &= o_t \odot \tanh(c_t)

:math:`g_t` is the candidate (the cell update), not a gate. The output gate peeks at the
*new* cell state :math:`c_t` (Graves 2013); ``output_peephole="c_prev"`` gives the source
article's form, :math:`w_{co} \odot c_{t-1}`.

**GRU**, Keras' ``reset_after=True`` form (``b_x*`` input and ``b_h*`` recurrent biases),
where :math:`z_t` keeps the old state:

.. math::

    z_t &= \sigma(x_t W_{xz} + b_{xz} + h_{t-1} W_{hz} + b_{hz})\\
    r_t &= \sigma(x_t W_{xr} + b_{xr} + h_{t-1} W_{hr} + b_{hr})\\
    \tilde h_t &= \tanh\big(x_t W_{xh} + b_{xh} + r_t \odot (h_{t-1} W_{hh} + b_{hh})\big)\\
    h_t &= z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t

**SimpleRNN** (Elman):

.. math::

    h_t = \tanh(x_t W_{xh} + h_{t-1} W_{hh} + b_h)

The backward functions take the *total* gradient reaching the step's outputs (from the loss
at step t and from step t+1) and return the gradients of its inputs and parameters; the
sequence loops sum the parameter gradients over the steps (back-propagation through time).

Each function first checks its arguments, as the fast layers do, with one call to a helper at the
end of this module: the feature size of ``x`` against ``p``, the states and gradients against the
batch, numeric and finite values, caches made by the matching forward function. A mismatch raises
``ValueError`` saying what was passed and what the call needs. The equations run in NumPy's common
type of the arrays passed: float32 arguments give float32 results (a zero initial state is made in
that dtype), float64 ones float64.

References: Hochreiter & Schmidhuber (1997), *Long Short-Term Memory*; Gers, Schmidhuber &
Cummins (2000), *Learning to Forget*; Gers & Schmidhuber (2000), *Recurrent nets that time
and count*; Graves (2013), *Generating Sequences with Recurrent Neural Networks*, eqs. 7-11;
Cho et al. (2014), *Learning Phrase Representations using RNN Encoder-Decoder*; Keras
documentation of ``keras.layers.LSTM`` and ``keras.layers.GRU``.
"""

from __future__ import annotations

import numpy as np

from lstm.checks import check_array
from lstm.core.activations import sigmoid

__all__ = [
    "gru_backward",
    "gru_forward",
    "gru_step",
    "gru_step_backward",
    "lstm_backward",
    "lstm_forward",
    "lstm_step",
    "lstm_step_backward",
    "params_of",
    "rnn_backward",
    "rnn_forward",
    "rnn_step",
    "rnn_step_backward",
]

LSTM_KEYS = tuple(f"{w}{k}" for k in "ifgo" for w in ("W_x", "W_h", "b_"))
PEEPHOLE_KEYS = ("w_ci", "w_cf", "w_co")
GRU_KEYS = tuple(f"{w}{k}" for k in "zrh" for w in ("W_x", "W_h", "b_x", "b_h"))
RNN_KEYS = ("W_xh", "W_hh", "b_h")
#: The keys of each step function's cache.
CACHE_KEYS = {
    "lstm_step": ("x", "h_prev", "c_prev", "i", "f", "g", "c", "o", "output_peephole"),
    "gru_step": ("x", "h_prev", "z", "r", "rec", "h_tilde"),
    "rnn_step": ("x", "h_prev", "h"),
}


def params_of(layer):
    """The per-gate parameter dict of a fast layer, as the functions of this module take it.

    Args:
        layer: a :class:`lstm.LSTM`, :class:`lstm.GRU` or :class:`lstm.SimpleRNN`.

    Returns:
        ``dict(layer.gate_weights())`` (read-only views into ``layer.params``), plus
        ``w_ci``, ``w_cf``, ``w_co`` for an LSTM with peepholes. The LSTM's
        ``output_peephole`` is not a parameter: pass ``layer.output_peephole`` separately.
    """
    p = dict(layer.gate_weights())
    if getattr(layer, "peephole", False):
        p.update({k: layer.params[k] for k in PEEPHOLE_KEYS})
    return p


# ---------------------------------------------------------------------------------- LSTM
def lstm_step(x, h_prev, c_prev, p, *, output_peephole="c_t"):
    """One LSTM step.

    Args:
        x: ``(B, D)`` input at step t.
        h_prev: ``(B, H)`` hidden state h_{t-1}.
        c_prev: ``(B, H)`` cell state c_{t-1}.
        p: parameter dict (``W_xi`` ... ``b_o``; peepholes on when it has ``w_ci``).
        output_peephole: ``"c_t"`` (Graves 2013) or ``"c_prev"`` (the source article):
            the cell state the output gate peeks at.

    Returns:
        ``(h, c, cache)``: h_t and c_t, each ``(B, H)``, and what
        :func:`lstm_step_backward` needs, in the dtype of the arguments (float32 stays
        float32). Arguments that do not fit each other raise ``ValueError``.
    """
    x, (h_prev, c_prev) = _check_lstm(x, 2, p, (h_prev, c_prev), output_peephole)
    w_ci, w_cf, w_co = (p.get(k, 0.0) for k in PEEPHOLE_KEYS)  # 0 without peepholes
    i = sigmoid(x @ p["W_xi"] + h_prev @ p["W_hi"] + w_ci * c_prev + p["b_i"])  # (B, H)
    f = sigmoid(x @ p["W_xf"] + h_prev @ p["W_hf"] + w_cf * c_prev + p["b_f"])  # (B, H)
    g = np.tanh(x @ p["W_xg"] + h_prev @ p["W_hg"] + p["b_g"])  # (B, H) candidate
    c = f * c_prev + i * g  # (B, H)
    c_peek = c if output_peephole == "c_t" else c_prev  # what the output gate sees
    o = sigmoid(x @ p["W_xo"] + h_prev @ p["W_ho"] + w_co * c_peek + p["b_o"])  # (B, H)
    h = o * np.tanh(c)  # (B, H)
    cache = dict(x=x, h_prev=h_prev, c_prev=c_prev, i=i, f=f, g=g, c=c, o=o)
    cache["output_peephole"] = output_peephole
    return h, c, cache


def lstm_step_backward(dh, dc, cache, p):
    """Backward through one LSTM step.

    Args:
        dh: ``(B, H)`` total dL/dh_t (from the loss at step t and from step t+1).
        dc: ``(B, H)`` dL/dc_t from step t+1.
        cache: the cache of :func:`lstm_step`.
        p: the parameter dict of the forward step.

    Returns:
        ``(dx, dh_prev, dc_prev, grads)``: dL/dx_t ``(B, D)``, dL/dh_{t-1} and
        dL/dc_{t-1} ``(B, H)``, and ``grads``, dL/dp of this step (same keys as ``p``).
    """
    dh, dc = _check_step_grads(cache, p, "lstm_step", dh, dc)
    x, h_prev, c_prev = cache["x"], cache["h_prev"], cache["c_prev"]
    i, f, g, c, o = cache["i"], cache["f"], cache["g"], cache["c"], cache["o"]
    graves = cache["output_peephole"] == "c_t"
    w_ci, w_cf, w_co = (p.get(k, 0.0) for k in PEEPHOLE_KEYS)
    tanh_c = np.tanh(c)  # (B, H)
    do = dh * tanh_c  # (B, H)
    dz_o = do * o * (1 - o)  # (B, H) dL/d(pre-activation of o)
    dc = dc + dh * o * (1 - tanh_c**2)  # (B, H) dL/dc_t
    if graves:
        dc = dc + w_co * dz_o  # o_t peeks at c_t
    di = dc * g  # (B, H)
    df = dc * c_prev  # (B, H)
    dg = dc * i  # (B, H)
    dz_i = di * i * (1 - i)  # (B, H)
    dz_f = df * f * (1 - f)  # (B, H)
    dz_g = dg * (1 - g**2)  # (B, H)
    dc_prev = dc * f + w_ci * dz_i + w_cf * dz_f  # (B, H)
    if not graves:
        dc_prev = dc_prev + w_co * dz_o  # o_t peeks at c_{t-1}
    dz = {"i": dz_i, "f": dz_f, "g": dz_g, "o": dz_o}
    dx = sum(dz[k] @ p[f"W_x{k}"].T for k in "ifgo")  # (B, D)
    dh_prev = sum(dz[k] @ p[f"W_h{k}"].T for k in "ifgo")  # (B, H)
    grads = {}
    for k in "ifgo":
        grads[f"W_x{k}"] = x.T @ dz[k]  # (D, H)
        grads[f"W_h{k}"] = h_prev.T @ dz[k]  # (H, H)
        grads[f"b_{k}"] = dz[k].sum(axis=0)  # (H,)
    if "w_ci" in p:
        grads["w_ci"] = (dz_i * c_prev).sum(axis=0)  # (H,)
        grads["w_cf"] = (dz_f * c_prev).sum(axis=0)  # (H,)
        grads["w_co"] = (dz_o * (c if graves else c_prev)).sum(axis=0)  # (H,)
    return dx, dh_prev, dc_prev, grads


def lstm_forward(x, p, state=None, *, output_peephole="c_t"):
    """The LSTM over a whole sequence: :func:`lstm_step` for t = 1..T.

    Args:
        x: ``(B, T, D)`` inputs.
        p: parameter dict (see :func:`lstm_step`).
        state: ``(h0, c0)``, each ``(B, H)``, or None for zeros.
        output_peephole: ``"c_t"`` or ``"c_prev"`` (see :func:`lstm_step`).

    Returns:
        ``(h_seq, (h_T, c_T), caches)``: ``h_seq`` ``(B, T, H)``, the final state and
        the list of the T step caches, in the dtype of the arguments.
    """
    x, state = _check_lstm(x, 3, p, state, output_peephole)
    B, T, _ = x.shape
    H = p["b_i"].shape[0]
    zeros = np.zeros((B, H), x.dtype)  # the initial state when none is given
    h, c = (zeros, zeros) if state is None else state
    h_seq, caches = [], []
    for t in range(T):
        h, c, cache = lstm_step(x[:, t], h, c, p, output_peephole=output_peephole)
        h_seq.append(h)
        caches.append(cache)
    return np.stack(h_seq, axis=1), (h, c), caches


def lstm_backward(dh_seq, caches, p, dstate=None):
    """Back-propagation through time for :func:`lstm_forward`.

    Args:
        dh_seq: ``(B, T, H)`` dL/dh_t from the loss at every step.
        caches: the step caches returned by :func:`lstm_forward`.
        p: the parameter dict of the forward pass.
        dstate: ``(dL/dh_T, dL/dc_T)`` from the final state, or None for zeros.

    Returns:
        ``(dx, grads, (dh0, dc0))``: dx ``(B, T, D)``, the gradients summed over all steps
        (same keys as ``p``) and the gradient of the initial state.
    """
    dh_seq, dstate = _check_backward(dh_seq, caches, p, dstate, "lstm_forward")
    B, T, H = dh_seq.shape
    zeros = np.zeros((B, H), dh_seq.dtype)  # the gradient of the final state when none is given
    dh, dc = (zeros, zeros) if dstate is None else dstate
    grads = {k: np.zeros(np.shape(p[k]), dh_seq.dtype) for k in _lstm_keys(p)}
    dx = [None] * T
    for t in reversed(range(T)):
        dx[t], dh, dc, g = lstm_step_backward(dh_seq[:, t] + dh, dc, caches[t], p)
        for k in grads:
            grads[k] += g[k]
    return np.stack(dx, axis=1), grads, (dh, dc)


# ----------------------------------------------------------------------------------- GRU
def gru_step(x, h_prev, p):
    """One GRU step (Keras ``reset_after=True``).

    Args:
        x: ``(B, D)`` input at step t.
        h_prev: ``(B, H)`` hidden state h_{t-1}.
        p: parameter dict (``W_xz`` ... ``b_hh``).

    Returns:
        ``(h, cache)``: h_t ``(B, H)`` and what :func:`gru_step_backward` needs.
    """
    x, h_prev = _check_step(x, h_prev, p, GRU_KEYS)
    z = sigmoid(x @ p["W_xz"] + p["b_xz"] + h_prev @ p["W_hz"] + p["b_hz"])  # (B, H)
    r = sigmoid(x @ p["W_xr"] + p["b_xr"] + h_prev @ p["W_hr"] + p["b_hr"])  # (B, H)
    rec = h_prev @ p["W_hh"] + p["b_hh"]  # (B, H) recurrent part of the candidate
    h_tilde = np.tanh(x @ p["W_xh"] + p["b_xh"] + r * rec)  # (B, H)
    h = z * h_prev + (1 - z) * h_tilde  # (B, H)
    return h, {"x": x, "h_prev": h_prev, "z": z, "r": r, "rec": rec, "h_tilde": h_tilde}


def gru_step_backward(dh, cache, p):
    """Backward through one GRU step.

    Args:
        dh: ``(B, H)`` total dL/dh_t (from the loss at step t and from step t+1).
        cache: the cache of :func:`gru_step`.
        p: the parameter dict of the forward step.

    Returns:
        ``(dx, dh_prev, grads)``: dL/dx_t ``(B, D)``, dL/dh_{t-1} ``(B, H)`` and ``grads``,
        dL/dp of this step (same keys as ``p``).
    """
    dh = _check_step_grads(cache, p, "gru_step", dh)
    x, h_prev, z, r = cache["x"], cache["h_prev"], cache["z"], cache["r"]
    rec, h_tilde = cache["rec"], cache["h_tilde"]
    # da_*: gradients of the pre-activations (z is a gate's name here)
    dz = dh * (h_prev - h_tilde)  # (B, H)
    dh_tilde = dh * (1 - z)  # (B, H)
    da_z = dz * z * (1 - z)  # (B, H)
    da_h = dh_tilde * (1 - h_tilde**2)  # (B, H)
    dr = da_h * rec  # (B, H)
    da_r = dr * r * (1 - r)  # (B, H)
    drec = da_h * r  # (B, H) dL/d(h_prev @ W_hh + b_hh)
    dx = da_z @ p["W_xz"].T + da_r @ p["W_xr"].T + da_h @ p["W_xh"].T  # (B, D)
    dh_prev = dh * z + da_z @ p["W_hz"].T + da_r @ p["W_hr"].T + drec @ p["W_hh"].T  # (B, H)
    grads = {}
    for k, da_x, da_rec in (("z", da_z, da_z), ("r", da_r, da_r), ("h", da_h, drec)):
        grads[f"W_x{k}"] = x.T @ da_x  # (D, H)
        grads[f"W_h{k}"] = h_prev.T @ da_rec  # (H, H)
        grads[f"b_x{k}"] = da_x.sum(axis=0)  # (H,)
        grads[f"b_h{k}"] = da_rec.sum(axis=0)  # (H,)
    return dx, dh_prev, grads


def gru_forward(x, p, state=None):
    """The GRU over a whole sequence: :func:`gru_step` for t = 1..T.

    Args:
        x: ``(B, T, D)`` inputs.
        p: parameter dict (see :func:`gru_step`).
        state: h0 ``(B, H)``, or None for zeros.

    Returns:
        ``(h_seq, h_T, caches)``: ``h_seq`` ``(B, T, H)``, the final state and the list of
        the T step caches.
    """
    return _forward(gru_step, x, p, GRU_KEYS, state)


def gru_backward(dh_seq, caches, p, dstate=None):
    """Back-propagation through time for :func:`gru_forward`.

    Args:
        dh_seq: ``(B, T, H)`` dL/dh_t from the loss at every step.
        caches: the step caches returned by :func:`gru_forward`.
        p: the parameter dict of the forward pass.
        dstate: dL/dh_T ``(B, H)`` from the final state, or None for zeros.

    Returns:
        ``(dx, grads, dh0)``: dx ``(B, T, D)``, the gradients summed over all steps (same
        keys as ``p``) and dL/dh_0 ``(B, H)``.
    """
    return _backward(gru_step_backward, dh_seq, caches, p, GRU_KEYS, dstate, "gru_forward")


# ----------------------------------------------------------------------------- SimpleRNN
def rnn_step(x, h_prev, p):
    """One SimpleRNN (Elman, tanh) step.

    Args:
        x: ``(B, D)`` input at step t.
        h_prev: ``(B, H)`` hidden state h_{t-1}.
        p: parameter dict (``W_xh``, ``W_hh``, ``b_h``).

    Returns:
        ``(h, cache)``: h_t ``(B, H)`` and what :func:`rnn_step_backward` needs.
    """
    x, h_prev = _check_step(x, h_prev, p, RNN_KEYS)
    h = np.tanh(x @ p["W_xh"] + h_prev @ p["W_hh"] + p["b_h"])  # (B, H)
    return h, {"x": x, "h_prev": h_prev, "h": h}


def rnn_step_backward(dh, cache, p):
    """Backward through one SimpleRNN step.

    Args:
        dh: ``(B, H)`` total dL/dh_t (from the loss at step t and from step t+1).
        cache: the cache of :func:`rnn_step`.
        p: the parameter dict of the forward step.

    Returns:
        ``(dx, dh_prev, grads)``: dL/dx_t ``(B, D)``, dL/dh_{t-1} ``(B, H)`` and ``grads``,
        dL/dp of this step (same keys as ``p``).
    """
    dh = _check_step_grads(cache, p, "rnn_step", dh)
    x, h_prev, h = cache["x"], cache["h_prev"], cache["h"]
    da = dh * (1 - h**2)  # (B, H) dL/d(pre-activation)
    dx = da @ p["W_xh"].T  # (B, D)
    dh_prev = da @ p["W_hh"].T  # (B, H)
    grads = {"W_xh": x.T @ da, "W_hh": h_prev.T @ da, "b_h": da.sum(axis=0)}
    return dx, dh_prev, grads


def rnn_forward(x, p, state=None):
    """The SimpleRNN over a whole sequence: :func:`rnn_step` for t = 1..T.

    Args:
        x: ``(B, T, D)`` inputs.
        p: parameter dict (see :func:`rnn_step`).
        state: h0 ``(B, H)``, or None for zeros.

    Returns:
        ``(h_seq, h_T, caches)``: ``h_seq`` ``(B, T, H)``, the final state and the list of
        the T step caches.
    """
    return _forward(rnn_step, x, p, RNN_KEYS, state)


def rnn_backward(dh_seq, caches, p, dstate=None):
    """Back-propagation through time for :func:`rnn_forward`.

    Args:
        dh_seq: ``(B, T, H)`` dL/dh_t from the loss at every step.
        caches: the step caches returned by :func:`rnn_forward`.
        p: the parameter dict of the forward pass.
        dstate: dL/dh_T ``(B, H)`` from the final state, or None for zeros.

    Returns:
        ``(dx, grads, dh0)``: dx ``(B, T, D)``, the gradients summed over all steps (same
        keys as ``p``) and dL/dh_0 ``(B, H)``.
    """
    return _backward(rnn_step_backward, dh_seq, caches, p, RNN_KEYS, dstate, "rnn_forward")


# ------------------------------------------------- the time loops of the one-state layers
def _forward(step, x, p, keys, state):
    x, state = _check_one_state(x, p, keys, state)
    B, T, _ = x.shape
    h = np.zeros((B, p["W_hh"].shape[0]), x.dtype) if state is None else state  # (B, H)
    h_seq, caches = [], []
    for t in range(T):
        h, cache = step(x[:, t], h, p)
        h_seq.append(h)
        caches.append(cache)
    return np.stack(h_seq, axis=1), h, caches


def _backward(step_backward, dh_seq, caches, p, keys, dstate, forward):
    dh_seq, dstate = _check_backward(dh_seq, caches, p, dstate, forward)
    B, T, H = dh_seq.shape
    dh = np.zeros((B, H), dh_seq.dtype) if dstate is None else dstate  # (B, H)
    grads = {k: np.zeros(np.shape(p[k]), dh_seq.dtype) for k in keys}
    dx = [None] * T
    for t in reversed(range(T)):
        dx[t], dh, g = step_backward(dh_seq[:, t] + dh, caches[t], p)
        for k in grads:
            grads[k] += g[k]
    return np.stack(dx, axis=1), grads, dh


# ----------------------------------------------------------------------- argument checks
# Each function above calls one of these on its first line, so that the equations that follow
# read as chapter 3 prints them. They check what the fast layers check (lstm.core.layer):
# shapes against each other, numeric and finite input, and they find the one dtype the equations
# then keep: NumPy's common type of the floating arrays passed (float32 throughout stays float32).


def _lstm_keys(p):
    """The keys an LSTM's ``p`` needs: peepholes are on when it has any of them."""
    return LSTM_KEYS + (PEEPHOLE_KEYS if any(k in p for k in PEEPHOLE_KEYS) else ())


def _shapes(p, keys):
    """``(D, H)`` of the parameter dict ``p`` after checking it has every key in ``keys`` and that
    each array has its shape: ``W_x*`` ``(D, H)``, ``W_h*`` ``(H, H)``, biases and peepholes ``(H,)``."""
    if not isinstance(p, dict):
        raise ValueError(
            f"p must be a dict of per-gate arrays (params_of(layer) makes one), got {type(p).__name__}"
        )
    missing = [k for k in keys if k not in p]
    if missing:
        raise ValueError(f"p is missing {missing}; expected the keys {list(keys)}")
    first = keys[0]  # W_x of the first gate: (D, H)
    if np.ndim(p[first]) != 2:
        raise ValueError(f"p[{first!r}] must be a (D, H) matrix, got shape {np.shape(p[first])}")
    D, H = np.shape(p[first])
    for k in keys:
        want = (D, H) if k.startswith("W_x") else (H, H) if k.startswith("W_h") else (H,)
        if np.shape(p[k]) != want:
            raise ValueError(
                f"p[{k!r}] has shape {np.shape(p[k])}, expected {want} for D={D} input features "
                f"and H={H} units (from p[{first!r}]): all arrays of p must come from one layer, "
                "as params_of(layer) returns them"
            )
    return D, H


def _float_dtype(arrays, p, keys):
    """The dtype the equations run in: NumPy's common type of the floating ones among ``arrays``
    and ``p``'s arrays (integer inputs take it); float32 or float64."""
    floats = [a.dtype for a in arrays if a.dtype.kind == "f"]
    floats += [np.asarray(p[k]).dtype for k in keys if np.asarray(p[k]).dtype.kind == "f"]
    dtype = np.result_type(*floats) if floats else None
    if dtype not in (np.float32, np.float64):
        got = sorted({str(a.dtype) for a in arrays} | {str(np.asarray(p[k]).dtype) for k in keys})
        raise ValueError(
            f"the arrays passed must compute in float32 or float64, got dtypes {got}: pass "
            "float32 or float64 arrays (for example params_of(layer) of a layer with that dtype)"
        )
    return np.dtype(dtype)


def _check(x, ndim, p, keys, states=(), names=()):
    """``x`` and ``states`` as finite arrays of one float dtype, checked against ``p``.

    Args:
        x: one step ``(B, D)`` (``ndim=2``) or a sequence ``(B, T, D)`` (``ndim=3``).
        p, keys: the parameter dict and the keys it needs (shapes checked by :func:`_shapes`).
        states: the state arrays, each ``(B, H)``; ``names`` name them in errors.

    Returns:
        ``(x, states)``: ``x`` and a list of the states, as arrays of the common float dtype.
    """
    want = "(B, D)" if ndim == 2 else "(B, T, D)"
    x = check_array("x", x, want)
    if x.ndim != ndim or min(x.shape, default=0) < 1:
        raise ValueError(f"x must be a non-empty {ndim}-D array {want}, got shape {x.shape}")
    D, H = _shapes(p, keys)
    if x.shape[-1] != D:
        shape = (*x.shape[:-1], D)
        raise ValueError(
            f"x has {x.shape[-1]} features (shape {x.shape}) but p is for D={D} "
            f"(p[{keys[0]!r}] is {np.shape(p[keys[0]])}): pass x of shape {shape}, "
            f"or parameters of a layer with input_size={x.shape[-1]}"
        )
    B = x.shape[0]
    states = [check_array(name, s, f"(B, H) = ({B}, {H})") for s, name in zip(states, names, strict=True)]
    for s, name in zip(states, names, strict=True):
        if s.shape != (B, H):
            raise ValueError(
                f"{name} must have shape (B, H) = ({B}, {H}) for x of shape {x.shape} and H={H} "
                f"units, got {s.shape}: pass one row per sequence of x"
            )
    dtype = _float_dtype([x, *states], p, keys)
    x, states = x.astype(dtype, copy=False), [s.astype(dtype, copy=False) for s in states]
    for a, name in zip([x, *states], ["x", *names], strict=True):
        if not np.isfinite(a).all():
            raise ValueError(f"{name} must contain only finite values, got NaN or inf in {name}")
    return x, states


def _check_lstm(x, ndim, p, state, output_peephole):
    """:func:`_check` for the LSTM: ``state`` a pair ``(h, c)`` or None (returned as None)."""
    names = ("h_prev", "c_prev") if ndim == 2 else ("state[0] (h0)", "state[1] (c0)")
    if output_peephole not in ("c_t", "c_prev"):
        raise ValueError(
            f"output_peephole must be 'c_t' (Graves 2013) or 'c_prev' (the article), got {output_peephole!r}"
        )
    if state is not None and (not isinstance(state, (tuple, list)) or len(state) != 2):
        length = f" of length {len(state)}" if isinstance(state, (tuple, list)) else ""
        raise ValueError(
            f"the state of an LSTM must be a pair (h, c) of (B, H) arrays or None, "
            f"got a {type(state).__name__}{length}"
        )
    if state is None:
        return _check(x, ndim, p, _lstm_keys(p))[0], None
    x, states = _check(x, ndim, p, _lstm_keys(p), state, names)
    return x, tuple(states)


def _check_one_state(x, p, keys, state, name="state"):
    """:func:`_check` for a sequence of the GRU or SimpleRNN: ``state`` one array or None."""
    if isinstance(state, (tuple, list)):
        raise ValueError(
            f"{name} of a GRU or SimpleRNN must be one (B, H) array or None, "
            f"got a {type(state).__name__} (the LSTM's state is the pair (h, c))"
        )
    if state is None:
        return _check(x, 3, p, keys)[0], None
    x, (state,) = _check(x, 3, p, keys, (state,), (name,))
    return x, state


def _check_cache(cache, step, where="cache"):
    """Check that ``cache`` is a cache of the function ``step`` (its keys)."""
    keys = CACHE_KEYS[step]
    if not isinstance(cache, dict) or any(k not in cache for k in keys):
        got = f"a dict with the keys {sorted(cache)}" if isinstance(cache, dict) else type(cache).__name__
        raise ValueError(
            f"{where} must be a cache returned by {step} (a dict with the keys {list(keys)}), got {got}"
        )


def _check_step(x, h_prev, p, keys):
    """:func:`_check` for one step of the GRU or SimpleRNN: ``(x, h_prev)``."""
    x, (h_prev,) = _check(x, 2, p, keys, (h_prev,), ("h_prev",))
    return x, h_prev


def _check_step_grads(cache, p, step, dh, dc=None):
    """``dh`` (and an LSTM's ``dc``), the gradients reaching one step's outputs, each
    ``(B, H)``, as arrays, after checking that ``cache`` is a cache of ``step`` and ``p`` its
    parameters."""
    grads = (dh,) if dc is None else (dh, dc)
    _check_cache(cache, step)
    keys = {"lstm_step": _lstm_keys(p), "gru_step": GRU_KEYS, "rnn_step": RNN_KEYS}[step]
    _, H = _shapes(p, keys)
    B = np.shape(cache["x"])[0]
    names = ("dh", "dc")[: len(grads)]
    grads = [check_array(name, g, f"(B, H) = ({B}, {H})") for g, name in zip(grads, names, strict=True)]
    for g, name in zip(grads, names, strict=True):
        if g.shape != (B, H):
            raise ValueError(
                f"{name} must have shape (B, H) = ({B}, {H}) like the outputs of the {step} "
                f"call that made cache, got {g.shape}"
            )
    return grads[0] if dc is None else tuple(grads)


def _check_backward(dh_seq, caches, p, dstate, forward):
    """``(dh_seq, dstate)`` as arrays of one float dtype, after checking them against ``caches``,
    the step caches that ``forward`` returned, and ``p``. ``dstate``: None, one ``(B, H)`` array
    (GRU, SimpleRNN) or a pair of them (LSTM), returned in the same form."""
    step = forward.replace("_forward", "_step")
    keys = {"lstm_step": _lstm_keys(p), "gru_step": GRU_KEYS, "rnn_step": RNN_KEYS}[step]
    lstm = step == "lstm_step"
    if not isinstance(caches, (list, tuple)) or not caches:
        length = " of length 0" if isinstance(caches, (list, tuple)) else ""
        raise ValueError(
            f"caches must be the list of step caches that {forward} returned (its third value), "
            f"got a {type(caches).__name__}{length}"
        )
    for t, cache in enumerate(caches):
        _check_cache(cache, step, where=f"caches[{t}]")
    _, H = _shapes(p, keys)
    B, T = np.shape(caches[0]["x"])[0], len(caches)
    dh_seq = check_array("dh_seq", dh_seq, f"(B, T, H) = ({B}, {T}, {H})")
    if dh_seq.shape != (B, T, H):
        raise ValueError(
            f"dh_seq must have shape (B, T, H) = ({B}, {T}, {H}) like the h_seq of the "
            f"{forward} call that made caches, got {dh_seq.shape}"
        )
    if dstate is None:
        ds, names = [], []
    elif lstm:
        if not isinstance(dstate, (tuple, list)) or len(dstate) != 2:
            raise ValueError(
                "dstate of an LSTM must be a pair (dL/dh_T, dL/dc_T) of (B, H) arrays or None, "
                f"got a {type(dstate).__name__}"
            )
        ds, names = list(dstate), ["dstate[0] (dh)", "dstate[1] (dc)"]
    else:
        if isinstance(dstate, (tuple, list)):
            raise ValueError(
                f"dstate of {forward} must be one (B, H) array or None, got a {type(dstate).__name__}"
            )
        ds, names = [dstate], ["dstate"]
    ds = [check_array(name, d, f"(B, H) = ({B}, {H})") for d, name in zip(ds, names, strict=True)]
    for d, name in zip(ds, names, strict=True):
        if d.shape != (B, H):
            raise ValueError(
                f"{name} must have shape (B, H) = ({B}, {H}) like the final state, got {d.shape}"
            )
    dtype = _float_dtype([dh_seq, *ds, np.asarray(caches[0]["x"])], p, keys)
    dh_seq, ds = dh_seq.astype(dtype, copy=False), [d.astype(dtype, copy=False) for d in ds]
    if dstate is None:
        return dh_seq, None
    return dh_seq, (tuple(ds) if lstm else ds[0])
