r"""The GRU layer in NumPy (Keras' default ``reset_after=True`` form), forward and BPTT.

Equations (Cho et al. 2014, in the variant Keras uses by default, where the reset gate
multiplies the recurrent projection *after* the matrix product; Keras documentation of
``keras.layers.GRU``). Rows are examples: :math:`x_t` ``(B, D)``, :math:`h_t` ``(B, H)``.

.. math::

    z_t &= \sigma(x_t W_{xz} + b_{xz} + h_{t-1} W_{hz} + b_{hz}) && \text{update gate}\\
    r_t &= \sigma(x_t W_{xr} + b_{xr} + h_{t-1} W_{hr} + b_{hr}) && \text{reset gate}\\
    \tilde h_t &= \tanh\big(x_t W_{xh} + b_{xh} + r_t \odot (h_{t-1} W_{hh} + b_{hh})\big)
        && \text{candidate}\\
    h_t &= z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t

A GRU has two gates -- update and reset -- and no output gate and no separate cell state.
Note Keras' convention: :math:`z_t` keeps the OLD state (Cho et al. write
:math:`h_t = (1-z_t) h_{t-1} + z_t \tilde h_t`, the same model with :math:`z \to 1-z`).

Parameters (Keras layout): ``W_x = [W_xz | W_xr | W_xh]`` ``(D, 3H)``, ``W_h`` ``(H, 3H)``,
``b`` ``(2, 3H)`` with ``b[0]`` the input bias and ``b[1]`` the recurrent bias.

Backward, with :math:`\delta h_t` the total gradient reaching :math:`h_t`,
:math:`R_t = h_{t-1} W_{hh} + b_{hh}` and :math:`\delta a_z, \delta a_r, \delta a_h` the
gradients of the three pre-activations (the arguments of :math:`\sigma` and :math:`\tanh` above;
``da_z``, ``da_r``, ``da_h`` in the code, as in :func:`lstm.core.reference.gru_step_backward`):

.. math::

    \delta a_z &= \delta h_t \odot (h_{t-1} - \tilde h_t) \odot z_t (1 - z_t), \qquad
    \delta a_h = \delta h_t \odot (1 - z_t) \odot (1 - \tilde h_t^2)\\
    \delta a_r &= \delta a_h \odot R_t \odot r_t (1 - r_t), \qquad
    \delta h_{t-1} = \delta h_t \odot z_t + [\delta a_z, \delta a_r, r_t \odot \delta a_h] W_h^\top

The fast path of :func:`lstm.core.reference.gru_step` (tested equal), made fast as
:mod:`lstm.core.lstm` (one input GEMM, fused sigmoid via tanh, weight gradients
as one GEMM each after the loop).

References: Cho et al. (2014), *Learning Phrase Representations using RNN Encoder-Decoder*;
Keras documentation of ``keras.layers.GRU``.
"""

from __future__ import annotations

import numpy as np

from .activations import activate_gates, gate_scale
from .layer import RecurrentLayer
from .threads import blas_threads, loop_threads

__all__ = ["GRU"]


class GRU(RecurrentLayer):
    """GRU layer over whole sequences (Keras ``reset_after=True``), NumPy forward and BPTT.

    Introduced in :doc:`chapter 3 </chapters/03_lstm_equations>`.

    Args:
        input_size: D, features per time step.
        hidden_size: H, units.
        seed: initializer seed (Keras defaults: glorot-uniform ``W_x``, orthogonal ``W_h``,
            zero biases).
        dtype: ``"float64"`` or ``"float32"``.

    ``params``: ``"W_x"`` ``(D, 3H)``, ``"W_h"`` ``(H, 3H)``, ``"b"`` ``(2, 3H)``; gate blocks
    z (update), r (reset), h (candidate). Views: ``m.W_xz``, ``m.W_hr``, ``m.b_xh`` ...
    """

    GATE_ORDER = "zrh"
    #: Activation of each gate block (``s`` sigmoid for z and r; ``t`` tanh for the candidate).
    kinds = "sst"
    keras_class = "GRU"
    CACHE_KEYS = ("xa", "ha", "gates", "rec_h")

    def _init_params(self, rng):
        self.params = {
            "W_x": self._glorot_kernel(rng),  # (D, 3H)
            "W_h": self._orthogonal_recurrent(rng),  # (H, 3H)
            "b": np.zeros((2, 3 * self.hidden_size), self.dtype),  # (2, 3H)
        }

    def _cache_widths(self):
        D, H = self.input_size, self.hidden_size
        return {"xa": 1 + D, "ha": 1 + H, "gates": 3 * H, "rec_h": H}

    def forward(self, x, state=None):
        """Run the layer over a batch of sequences.

        Args:
            x: ``(B, T, D)`` inputs.
            state: h_0 ``(B, H)``, or None for zeros.

        Returns:
            ``h_seq`` ``(B, T, H)``, ``h_T`` ``(B, H)`` and ``cache``, what :meth:`backward`
            needs (read the gates from it with :meth:`gate_values`).
        """
        x = self._check_x(x)
        B, T, D = x.shape
        H = self.hidden_size
        h0 = self._check_state(state, B)
        p = self.params
        s = gate_scale(self.kinds, H, self.dtype)  # 1/2 on the z and r columns

        # Time-major buffers with a constant-1 column, so biases ride along in the GEMMs:
        # xa[t] = [1, x_t] (T, B, 1+D) and ha[t] = [1, h_{t-1}] (T+1, B, 1+H), ha[T] = [1, h_T].
        xa = np.ones((T, B, 1 + D), self.dtype)
        xa[:, :, 1:] = x.transpose(1, 0, 2)
        ha = np.ones((T + 1, B, 1 + H), self.dtype)
        ha[0, :, 1:] = h0
        hs = ha[:, :, 1:]  # (T+1, B, H) view: h_0 .. h_T
        W_in = np.concatenate([p["b"][0][None, :], p["W_x"]]) * s  # (1+D, 3H): [b_x; W_x]
        W_rec = np.concatenate([p["b"][1][None, :], p["W_h"]]) * s  # (1+H, 3H): [b_h; W_h]
        # One GEMM for the input projections of every step, activated in place below.
        gates = np.matmul(xa.reshape(T * B, 1 + D), W_in).reshape(T, B, 3 * H)  # (T, B, 3H)
        rec_h = np.empty((T, B, H), self.dtype)  # R_t = h_{t-1} W_hh + b_hh, kept for backward
        rh = np.empty((B, 3 * H), self.dtype)  # h_{t-1} W_h + b_h (scaled)
        tmp = np.empty((B, H), self.dtype)

        with blas_threads(loop_threads(B, H + 1, 3 * H)):  # see lstm.core.threads
            for t in range(T):
                u = gates[t]  # (B, 3H)
                zr, z, r, hh = u[:, : 2 * H], u[:, :H], u[:, H : 2 * H], u[:, 2 * H :]
                np.matmul(ha[t], W_rec, out=rh)
                zr += rh[:, : 2 * H]
                activate_gates(zr, "ss", H)  # z, r = sigmoid(.)
                rec_h[t] = rh[:, 2 * H :]
                hh += np.multiply(r, rec_h[t], out=tmp)  # reset AFTER the product
                np.tanh(hh, out=hh)  # h~_t
                np.subtract(hs[t], hh, out=tmp)
                tmp *= z
                np.add(hh, tmp, out=hs[t + 1])  # h_t = z h_{t-1} + (1 - z) h~_t

        h_seq = np.ascontiguousarray(hs[1:].transpose(1, 0, 2))  # (B, T, H)
        cache = {"xa": xa, "ha": ha, "gates": gates.transpose(1, 0, 2), "rec_h": rec_h}
        return h_seq, h_seq[:, -1].copy(), cache

    @staticmethod
    def gate_values(cache):
        """Per-gate views of a forward cache: ``z``, ``r``, ``h_tilde``, each ``(B, T, H)``."""
        gates = cache["gates"]
        H = gates.shape[-1] // 3
        return {"z": gates[..., :H], "r": gates[..., H : 2 * H], "h_tilde": gates[..., 2 * H :]}

    def backward(self, dh_seq, cache, dstate=None):
        """Back-propagation through time.

        Args:
            dh_seq: ``(B, T, H)``, dL/dh_t for every step (zeros where the loss ignores h_t).
            cache: the third value returned by :meth:`forward` (ValueError if not).
            dstate: dL/dh_T ``(B, H)`` from the final state, or None for zeros.

        Returns:
            ``dx`` ``(B, T, D)``, ``grads`` (same keys and shapes as ``params``) and dL/dh_0
            ``(B, H)``.
        """
        self._check_cache(cache)
        xa, ha, rec_h = cache["xa"], cache["ha"], cache["rec_h"]
        gates = cache["gates"].transpose(1, 0, 2)  # (T, B, 3H)
        T, B, _ = gates.shape
        H, D = self.hidden_size, xa.shape[2] - 1
        dh_seq = self._check_dh_seq(dh_seq, B, T)
        dh_next = self._check_state(dstate, B, name="dstate").copy()
        W_hT = self.params["W_h"].T  # (3H, H)
        hs = ha[:, :, 1:]  # h_0 .. h_T

        dgx = self._scratch("dgx", (T, B, 3 * H))  # dL/d(x_t W_x + b_x)
        drh = self._scratch("drh", (T, B, 3 * H))  # dL/d(h_{t-1} W_h + b_h)
        dh = np.empty((B, H), self.dtype)
        tmp = np.empty((B, H), self.dtype)
        with blas_threads(loop_threads(B, 3 * H, H)):  # see lstm.core.threads
            for t in range(T - 1, -1, -1):
                u = gates[t]
                z, r, hh = u[:, :H], u[:, H : 2 * H], u[:, 2 * H :]
                dgt, drt = dgx[t], drh[t]
                # da_*: dL/d(pre-activation) of each block, as in lstm.core.reference
                da_z, da_r, da_h = dgt[:, :H], dgt[:, H : 2 * H], dgt[:, 2 * H :]
                np.add(dh_seq[:, t], dh_next, out=dh)
                # update gate: da_z = dh (h_{t-1} - h~) z (1 - z)
                np.subtract(hs[t], hh, out=da_z)
                da_z *= dh
                np.subtract(1.0, z, out=tmp)
                da_z *= tmp
                da_z *= z
                # candidate: da_h = dh (1 - z) (1 - h~^2)   [tmp still holds 1 - z]
                np.multiply(dh, tmp, out=da_h)
                np.multiply(hh, hh, out=tmp)
                np.subtract(1.0, tmp, out=tmp)
                da_h *= tmp
                # reset gate: da_r = da_h R_t r (1 - r)
                np.multiply(da_h, rec_h[t], out=da_r)
                np.subtract(1.0, r, out=tmp)
                da_r *= tmp
                da_r *= r
                drt[:, : 2 * H] = dgt[:, : 2 * H]
                np.multiply(da_h, r, out=drt[:, 2 * H :])
                np.matmul(drt, W_hT, out=dh_next)
                dh_next += np.multiply(dh, z, out=tmp)  # the direct path z * h_{t-1}

        dgx2, drh2 = dgx.reshape(T * B, 3 * H), drh.reshape(T * B, 3 * H)
        dW_in = xa.reshape(T * B, 1 + D).T @ dgx2  # (1+D, 3H): [db_x; dW_x]
        dW_rec = ha[:T].reshape(T * B, 1 + H).T @ drh2  # (1+H, 3H): [db_h; dW_h]
        grads = {"W_x": dW_in[1:], "W_h": dW_rec[1:], "b": np.stack([dW_in[0], dW_rec[0]])}
        dx = (dgx2 @ self.params["W_x"].T).reshape(T, B, D).transpose(1, 0, 2)
        return np.ascontiguousarray(dx), grads, dh_next

    @classmethod
    def from_keras(cls, layer):
        """A NumPy copy of a built ``keras.layers.GRU`` with ``reset_after=True``."""
        cell = getattr(layer, "cell", layer)
        if type(layer).__name__ == "GRU" and not getattr(cell, "reset_after", True):
            raise ValueError("GRU.from_keras supports reset_after=True only, got reset_after=False")
        return cls._copy_keras(layer)
