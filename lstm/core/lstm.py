r"""The LSTM layer in NumPy, forward and hand-written backward (BPTT), equal to Keras.

Equations (Hochreiter & Schmidhuber 1997; forget gate: Gers, Schmidhuber & Cummins 2000;
peepholes: Gers & Schmidhuber 2000, written as in Graves 2013, eqs. 7-11). For each
time step :math:`t = 1..T`, with :math:`\sigma` the logistic sigmoid and :math:`\odot`
the elementwise product:

.. math::

    i_t &= \sigma(x_t W_{xi} + h_{t-1} W_{hi} + w_{ci} \odot c_{t-1} + b_i)
        && \text{input gate}\\
    f_t &= \sigma(x_t W_{xf} + h_{t-1} W_{hf} + w_{cf} \odot c_{t-1} + b_f)
        && \text{forget gate}\\
    g_t &= \tanh(x_t W_{xg} + h_{t-1} W_{hg} + b_g)
        && \text{candidate (cell update), not a gate}\\
    c_t &= f_t \odot c_{t-1} + i_t \odot g_t
        && \text{cell state}\\
    o_t &= \sigma(x_t W_{xo} + h_{t-1} W_{ho} + w_{co} \odot c_t + b_o)
        && \text{output gate: sees the NEW cell state}\\
    h_t &= o_t \odot \tanh(c_t)

Rows are examples: :math:`x_t` is ``(B, D)``, :math:`h_t, c_t` are ``(B, H)``. The
peephole weights :math:`w_{c\cdot}` are *diagonal* (vectors of length H) and exist only
with ``peephole=True``; without them these are exactly the equations of
``keras.layers.LSTM`` (Keras documentation), whose layout the parameters copy:
``W_x = [W_xi | W_xf | W_xg | W_xo]`` ``(D, 4H)``, ``W_h`` ``(H, 4H)``, ``b`` ``(4H,)``.

The source article writes the output-gate peephole on :math:`c_{t-1}` (and full matrices).
``LSTM(..., peephole=True, output_peephole="c_prev")`` runs that variant, so the two can be
compared on the same weights; the default ``"c_t"`` is Graves' (correct) form.

Back-propagation through time, for the loss :math:`L` and
:math:`\delta h_t = \partial L/\partial h_t` (from the output *and* from step t+1):

.. math::

    \delta o_t &= \delta h_t \odot \tanh(c_t), \qquad
    \delta z_o = \delta o_t \odot o_t (1 - o_t)\\
    \delta c_t &= \delta h_t \odot o_t \odot (1 - \tanh^2 c_t) + \delta c_{t+1}\,[\text{from }t+1]
                 + w_{co} \odot \delta z_o\\
    \delta i_t &= \delta c_t \odot g_t, \quad \delta f_t = \delta c_t \odot c_{t-1}, \quad
    \delta g_t = \delta c_t \odot i_t\\
    \delta z_{i,f} &= \delta (i,f)_t \odot \sigma', \quad \delta z_g = \delta g_t \odot (1 - g_t^2)\\
    \delta c_{t-1} &= \delta c_t \odot f_t + w_{ci} \odot \delta z_i + w_{cf} \odot \delta z_f,
    \qquad \delta h_{t-1} \mathrel{+}= \delta z_t W_h^\top

and, summed over all steps and examples, :math:`\partial L/\partial W_x = X^\top \delta Z`,
:math:`\partial L/\partial W_h = H_{\text{prev}}^\top \delta Z`,
:math:`\partial L/\partial b = \mathbf 1^\top \delta Z`, :math:`\partial L/\partial X = \delta Z W_x^\top`.

This is the fast path. The same equations, one line each and without any of the following, are
:func:`lstm.core.reference.lstm_step` and :func:`~lstm.core.reference.lstm_step_backward`, the code the
book teaches; ``tests/test_reference.py`` proves the two equal (outputs and every gradient). How
it is made fast:

* all input projections :math:`x_t W_x + b` of all T steps are ONE matrix product
  ``(T*B, 1+D) @ (1+D, 4H)`` before the loop -- the bias is a row of the weight matrix, fed
  by a constant-1 column, so it costs nothing; the loop adds only :math:`h_{t-1} W_h`;
* all four gates are activated by one ``tanh`` over the fused ``(B, 4H)`` block, using
  :math:`\sigma(z) = \tfrac12\tanh(z/2) + \tfrac12` with the factor 1/2 folded into the
  weights once per call (:mod:`lstm.core.activations`) -- also what keeps it overflow-free;
* buffers are time-major ``(T, B, .)``, so every step reads and writes contiguous blocks,
  each allocated once per call and written with ``out=``;
* the backward loop only computes :math:`\delta Z` ``(T, B, 4H)`` and the recurrent
  :math:`\delta h_{t-1}`; afterwards ALL weight gradients are one matrix product
  :math:`[\mathbf 1, X, H_{\text{prev}}]^\top \delta Z` ``(1+D+H, 4H)`` over the T*B rows
  ``[1, x_t, h_{t-1}]`` that the forward pass stored, and :math:`\delta X = \delta Z W_x^\top`
  is one more;
* the rows of a batch are independent sequences: for large batches both time loops run over
  blocks of rows in parallel threads (``lstm.core.threads.row_blocks``), since NumPy's elementwise
  work uses one core; the loop body is the same code either way.

:func:`lstm.chrono_bias` gives the forget gates a long memory from the start (Tallec & Ollivier
2018), for the NumPy layer (``params["b"]``) and Keras' (``layer.cell.bias``) alike.

References: Hochreiter & Schmidhuber (1997), *Long Short-Term Memory*; Gers, Schmidhuber &
Cummins (2000), *Learning to Forget*; Gers & Schmidhuber (2000), *Recurrent nets that time
and count*; Graves (2013), *Generating Sequences with Recurrent Neural Networks*; Tallec &
Ollivier (2018), *Can recurrent neural networks warp time?*; Keras documentation of
``keras.layers.LSTM``.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_int
from .activations import activate_gates, gate_derivative, gate_scale
from .layer import RecurrentLayer
from .threads import blas_threads, loop_threads, row_blocks, run_row_blocks

__all__ = ["LSTM", "chrono_bias"]

_OUTPUT_PEEPHOLES = ("c_t", "c_prev")


def chrono_bias(hidden_size, max_lag, *, seed=0, dtype="float32"):
    r"""Chrono initialisation of an LSTM's fused bias ``(4H,)``, gate order i, f, g, o.

    Introduced in :doc:`chapter 2 </chapters/02_core_concepts>`; chapter 6 uses it in Keras.

    Tallec & Ollivier (2018): forget-gate biases :math:`b_f = \log u` with
    :math:`u \sim U[1, T_{\max} - 1]`, input-gate biases :math:`b_i = -b_f`, the candidate and
    output biases 0. A forget gate at :math:`\sigma(\log u) = 1 - 1/(1 + u)` keeps a cell for
    about :math:`1 + u` steps, so the units start with memories spread up to ``max_lag`` steps.

    Args:
        hidden_size: H, units of the layer.
        max_lag: :math:`T_{\max}`, the longest dependency expected (at least 3).
        seed: seed of the uniform draw.
        dtype: dtype of the result.

    Returns:
        The bias ``(4H,)``: ``m.params["b"][...] = chrono_bias(H, T)`` for :class:`LSTM`, or
        ``layer.cell.bias.assign(chrono_bias(units, T))`` for ``keras.layers.LSTM``.
    """
    H = check_int("hidden_size", hidden_size)
    max_lag = check_int("max_lag", max_lag, minimum=3)  # u ~ U[1, max_lag - 1] needs max_lag >= 3
    b_f = np.log(np.random.default_rng(seed).uniform(1.0, max_lag - 1.0, H))  # (H,)
    bias = np.zeros(4 * H, dtype)  # (4H,): i, f, g, o
    bias[H : 2 * H] = b_f  # forget gate: open, a memory of about u steps
    bias[:H] = -b_f  # input gate: correspondingly closed
    return bias


class LSTM(RecurrentLayer):
    """LSTM layer over whole sequences, NumPy forward and BPTT backward.

    Introduced in :doc:`chapter 2 </chapters/02_core_concepts>`.

    Args:
        input_size: D, features per time step.
        hidden_size: H, units.
        peephole: add diagonal peephole weights ``w_ci``, ``w_cf``, ``w_co`` (each ``(H,)``).
        output_peephole: which cell state the output gate peeks at: ``"c_t"`` (Graves 2013,
            default, correct) or ``"c_prev"`` (the source article's :math:`W_{co} c_{t-1}`,
            here with a diagonal weight). Only meaningful with ``peephole=True``.
        seed: seed of the initializer (Keras' defaults: glorot-uniform ``W_x``, orthogonal
            ``W_h``, zero bias except 1 for the forget gate, peepholes uniform in +-0.1).
        dtype: ``"float64"`` (default) or ``"float32"``; every computation stays in it.

    ``params``: ``"W_x"`` ``(D, 4H)``, ``"W_h"`` ``(H, 4H)``, ``"b"`` ``(4H,)`` in gate order
    i, f, g (candidate), o as Keras; plus ``"w_ci"``, ``"w_cf"``, ``"w_co"`` with peepholes.
    Per-gate read-only views: ``m.W_xi``, ``m.W_hf``, ``m.b_o`` ... (:meth:`gate_weights`).
    """

    GATE_ORDER = "ifgo"
    #: Activation of each gate block (``s`` sigmoid for i, f, o; ``t`` tanh for the candidate g).
    kinds = "ssts"
    keras_class = "LSTM"
    CACHE_KEYS = ("xh", "gates", "c", "tanh_c")

    def __init__(
        self,
        input_size,
        hidden_size,
        *,
        peephole=False,
        output_peephole="c_t",
        seed=None,
        dtype="float64",
    ):
        if not isinstance(peephole, bool):
            raise ValueError(f"peephole must be True or False, got {peephole!r}")
        if output_peephole not in _OUTPUT_PEEPHOLES:
            raise ValueError(
                f"output_peephole must be 'c_t' (Graves 2013) or 'c_prev' (the article), "
                f"got {output_peephole!r}"
            )
        if output_peephole != "c_t" and not peephole:
            raise ValueError("output_peephole='c_prev' needs peephole=True, got peephole=False")
        self.peephole = peephole
        self.output_peephole = output_peephole
        super().__init__(input_size, hidden_size, seed=seed, dtype=dtype)

    def __repr__(self):
        extra = ""
        if self.peephole:
            extra = f", peephole=True, output_peephole={self.output_peephole!r}"
        return super().__repr__()[:-1] + extra + ")"

    def _init_params(self, rng):
        H = self.hidden_size
        b = np.zeros(4 * H, self.dtype)
        b[H : 2 * H] = 1.0  # Keras' unit_forget_bias=True
        self.params = {
            "W_x": self._glorot_kernel(rng),  # (D, 4H)
            "W_h": self._orthogonal_recurrent(rng),  # (H, 4H)
            "b": b,  # (4H,)
        }
        if self.peephole:
            for k in ("w_ci", "w_cf", "w_co"):
                self.params[k] = rng.uniform(-0.1, 0.1, H).astype(self.dtype)  # (H,)

    def _cache_widths(self):
        D, H = self.input_size, self.hidden_size
        return {"xh": 1 + D + H, "gates": 4 * H, "c": H, "tanh_c": H}

    # ------------------------------------------------------------------ state checks
    def _check_state(self, state, batch, name="state"):
        if state is None:
            z = np.zeros((batch, self.hidden_size), self.dtype)
            return z, z.copy()
        if not isinstance(state, (tuple, list)) or len(state) != 2:
            raise ValueError(
                f"{name} of an LSTM must be a pair (h, c) of (B, H) arrays or None, "
                f"got {type(state).__name__}"
                + (f" of length {len(state)}" if isinstance(state, (tuple, list)) else "")
            )
        return (
            self._check_h(f"{name}[0] (h)", state[0], batch),
            self._check_h(f"{name}[1] (c)", state[1], batch),
        )

    # ------------------------------------------------------------------ forward
    def forward(self, x, state=None):
        """Run the layer over a batch of sequences.

        Args:
            x: ``(B, T, D)`` inputs.
            state: ``(h_0, c_0)``, each ``(B, H)``, or None for zeros.

        Returns:
            ``h_seq`` ``(B, T, H)``, ``state = (h_T, c_T)`` and ``cache``, what
            :meth:`backward` needs. Read the gates from it with :meth:`gate_values`;
            ``cache["c"]`` is ``(B, T+1, H)``, the cell states from c_0 on.
        """
        x = self._check_x(x)  # (B, T, D)
        B, T, D = x.shape
        H = self.hidden_size
        h0, c0 = self._check_state(state, B)
        p, kinds = self.params, self.kinds
        s = gate_scale(kinds, H, self.dtype)  # 1/2 on sigmoid columns, 1 on g
        graves = self.peephole and self.output_peephole == "c_t"

        # Time-major storage, so that every step reads and writes contiguous (B, .)
        # blocks. Row t of xh is [1, x_t, h_{t-1}]: the bias is a weight row fed by a
        # constant 1, and the backward pass gets all weight gradients from ONE product
        # xh^T dZ. np.empty, not np.zeros: every value read later is written below (row
        # T: only h_T), and fresh zeroed memory costs a page fault per 4 KB on first
        # touch.
        xh = np.empty((T + 1, B, 1 + D + H), self.dtype)  # row T holds h_T only
        xh[:T, :, 0] = 1.0
        xh[:T, :, 1 : 1 + D] = x.transpose(1, 0, 2)
        xh[0, :, 1 + D :] = h0
        hs = xh[:, :, 1 + D :]  # (T+1, B, H) view: h_0 .. h_T
        W_in = np.concatenate([p["b"][None, :], p["W_x"]]) * s  # (1+D, 4H): [b; W_x]
        W_h = p["W_h"] * s  # (H, 4H), scaled
        # One GEMM for the input projections (and biases) of all T steps.
        x1 = xh[:T, :, : 1 + D].reshape(T * B, 1 + D)  # rows [1, x_t]
        gates = np.matmul(x1, W_in).reshape(T, B, 4 * H)  # (T, B, 4H)
        if self.peephole:
            w_ci, w_cf, w_co = (p[k] * 0.5 for k in ("w_ci", "w_cf", "w_co"))  # scaled

        c = np.empty((T + 1, B, H), self.dtype)  # c_0 .. c_T
        c[0] = c0
        tanh_c = np.empty((T, B, H), self.dtype)  # tanh(c_1) .. tanh(c_T)

        # The time loop for the batch rows `rows` (see lstm.core.threads.row_blocks).
        def loop(rows):
            H2, H3 = 2 * H, 3 * H  # where the f, g and o blocks start
            zh = np.empty((rows.stop - rows.start, 4 * H), self.dtype)  # h_{t-1} W_h
            tmp = np.empty((rows.stop - rows.start, H), self.dtype)
            for t in range(T):
                u = gates[t, rows]  # (b, 4H): pre-activations, activated in place
                i, f, g, o = u[:, :H], u[:, H:H2], u[:, H2:H3], u[:, H3:]  # views
                c_prev, c_t = c[t, rows], c[t + 1, rows]  # (b, H)
                u += np.matmul(hs[t, rows], W_h, out=zh)  # + h_{t-1} W_h
                if self.peephole:  # input and forget gates peek at c_{t-1}
                    i += np.multiply(c_prev, w_ci, out=tmp)
                    f += np.multiply(c_prev, w_cf, out=tmp)
                    if not graves:  # the article's variant: o peeks at c_{t-1} too
                        o += np.multiply(c_prev, w_co, out=tmp)
                # i, f, o = sigmoid, g = tanh: one tanh for the block (Graves: o waits
                # for c_t)
                if graves:
                    activate_gates(u[:, : 3 * H], kinds[:3], H)
                else:
                    activate_gates(u, kinds, H)
                np.multiply(f, c_prev, out=c_t)  # c_t = f * c_{t-1} + i * g
                c_t += np.multiply(i, g, out=tmp)
                if graves:  # Graves (2013), eq. 10: the output gate sees the new c_t
                    o += np.multiply(c_t, w_co, out=tmp)
                    activate_gates(o, "s", H)
                np.tanh(c_t, out=tanh_c[t, rows])
                np.multiply(o, tanh_c[t, rows], out=hs[t + 1, rows])  # h_t

        with blas_threads(loop_threads(B, H, 4 * H)):  # see lstm.core.threads
            run_row_blocks(loop, row_blocks(B, 4 * H))

        h_seq = np.ascontiguousarray(hs[1:].transpose(1, 0, 2))  # (B, T, H)
        cache = {  # (B, T, ...) views of the time-major buffers
            "xh": xh,
            "gates": gates.transpose(1, 0, 2),  # (B, T, 4H): i, f, g, o
            "c": c.transpose(1, 0, 2),  # (B, T+1, H)
            "tanh_c": tanh_c.transpose(1, 0, 2),  # (B, T, H)
        }
        return h_seq, (h_seq[:, -1].copy(), c[T].copy()), cache

    @staticmethod
    def gate_values(cache):
        """Per-gate views of a forward cache: ``i, f, g, o`` and ``c`` (c_1..c_T), each
        ``(B, T, H)``, for plots of what the gates do."""
        gates, H = cache["gates"], cache["c"].shape[-1]
        out = {k: gates[..., j * H : (j + 1) * H] for j, k in enumerate("ifgo")}
        out["c"] = cache["c"][:, 1:]
        return out

    # ------------------------------------------------------------------ backward
    def backward(self, dh_seq, cache, dstate=None):
        """Back-propagation through time.

        Args:
            dh_seq: ``(B, T, H)``, dL/dh_t for every step (zeros where the loss
                ignores h_t).
            cache: the third value returned by :meth:`forward` (ValueError if not).
            dstate: ``(dL/dh_T, dL/dc_T)`` from the final state, or None for zeros.

        Returns:
            ``dx`` ``(B, T, D)``, ``grads`` (same keys and shapes as ``params``) and
            ``dstate0 = (dL/dh_0, dL/dc_0)``.
        """
        self._check_cache(cache)
        xh = cache["xh"]  # (T+1, B, 1+D+H)
        gates = cache["gates"].transpose(1, 0, 2)  # (T, B, 4H), time-major again
        c = cache["c"].transpose(1, 0, 2)  # (T+1, B, H)
        tanh_c = cache["tanh_c"].transpose(1, 0, 2)  # (T, B, H)
        T, B, _ = gates.shape
        H = self.hidden_size
        D = xh.shape[2] - 1 - H
        dh_seq = self._check_dh_seq(dh_seq, B, T)  # (B, T, H)
        dh_next, dc_next = self._check_state(dstate, B, name="dstate")
        dh_next, dc_next = dh_next.copy(), dc_next.copy()  # from step t+1
        p, kinds = self.params, self.kinds
        W_hT = p["W_h"].T  # (4H, H)
        graves = self.peephole and self.output_peephole == "c_t"

        dz = self._scratch("dz", (T, B, 4 * H))  # dL/d(pre-activation), all steps
        n = 3 * H if graves else 4 * H  # columns handled by the fused derivative

        # The time loop for the batch rows `rows` (see lstm.core.threads.row_blocks).
        def loop(rows):
            H2, H3 = 2 * H, 3 * H  # where the f, g and o blocks start
            b = rows.stop - rows.start
            dact = np.empty((b, 4 * H), self.dtype)  # dL/d(activation) at one step
            dsig = np.empty((b, 4 * H), self.dtype)  # activation derivative at one step
            dtmp = np.empty((b, 4 * H), self.dtype)  # scratch of gate_derivative
            dh, dc, tmp = (np.empty((b, H), self.dtype) for _ in range(3))
            dh_nx, dc_nx = dh_next[rows], dc_next[rows]  # views, updated in place
            for t in range(T - 1, -1, -1):
                a = gates[t, rows]  # (b, 4H) activations i, f, g, o
                i, f, g, o = a[:, :H], a[:, H:H2], a[:, H2:H3], a[:, H3:]  # views
                dzt, tc = dz[t, rows], tanh_c[t, rows]
                np.add(dh_seq[rows, t], dh_nx, out=dh)  # from the output and step t+1
                np.multiply(dh, tc, out=dact[:, 3 * H :])  # dL/do
                np.multiply(tc, tc, out=tmp)
                np.subtract(1.0, tmp, out=tmp)  # 1 - tanh^2(c_t)
                np.multiply(dh, o, out=dc)
                dc *= tmp
                dc += dc_nx  # dL/dc_t
                # o_t depends on c_t: finish dz_o first, then add its share to dL/dc_t
                if graves:
                    gate_derivative(o, "s", H, out=dsig[:, 3 * H :])
                    np.multiply(dact[:, 3 * H :], dsig[:, 3 * H :], out=dzt[:, 3 * H :])
                    dc += np.multiply(dzt[:, 3 * H :], p["w_co"], out=tmp)
                np.multiply(dc, g, out=dact[:, :H])  # dL/di
                np.multiply(dc, c[t, rows], out=dact[:, H : 2 * H])  # dL/df
                np.multiply(dc, i, out=dact[:, 2 * H : 3 * H])  # dL/dg
                ds, scratch = dsig[:, :n], dtmp[:, :n]
                gate_derivative(a[:, :n], kinds[: n // H], H, out=ds, tmp=scratch)
                np.multiply(dact[:, :n], ds, out=dzt[:, :n])  # dL/dz_t (b, 4H)
                np.multiply(dc, f, out=dc_nx)  # dL/dc_{t-1}
                if self.peephole:
                    dc_nx += np.multiply(dzt[:, :H], p["w_ci"], out=tmp)
                    dc_nx += np.multiply(dzt[:, H : 2 * H], p["w_cf"], out=tmp)
                    if not graves:
                        dc_nx += np.multiply(dzt[:, 3 * H :], p["w_co"], out=tmp)
                np.matmul(dzt, W_hT, out=dh_nx)  # dL/dh_{t-1} through the recurrence

        with blas_threads(loop_threads(B, 4 * H, H)):  # see lstm.core.threads
            run_row_blocks(loop, row_blocks(B, 4 * H))

        # All weight gradients in ONE GEMM over the B*T rows [1, x_t, h_{t-1}]:
        # (1+D+H, 4H).
        dz2 = dz.reshape(T * B, 4 * H)
        dW = xh[:T].reshape(T * B, 1 + D + H).T @ dz2
        grads = {"W_x": dW[1 : 1 + D], "W_h": dW[1 + D :], "b": dW[0]}
        if self.peephole:
            peek = c[1:] if graves else c[:-1]
            grads["w_ci"] = np.einsum("tbh,tbh->h", dz[..., :H], c[:-1])
            grads["w_cf"] = np.einsum("tbh,tbh->h", dz[..., H : 2 * H], c[:-1])
            grads["w_co"] = np.einsum("tbh,tbh->h", dz[..., 3 * H :], peek)
        dx = (dz2 @ p["W_x"].T).reshape(T, B, D).transpose(1, 0, 2)  # (B, T, D)
        return np.ascontiguousarray(dx), grads, (dh_next, dc_next)

    # ------------------------------------------------------------------ Keras
    @classmethod
    def from_keras(cls, layer):
        """A NumPy copy of a built ``keras.layers.LSTM`` (same weights, same dtype)."""
        return cls._copy_keras(layer)
