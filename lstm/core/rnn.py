r"""The simple (Elman) recurrent layer in NumPy, forward and BPTT, equal to ``keras.layers.SimpleRNN``.

.. math::

    h_t = \tanh(x_t W_x + h_{t-1} W_h + b)

with :math:`x_t` ``(B, D)``, :math:`h_t` ``(B, H)``, ``W_x`` ``(D, H)``, ``W_h`` ``(H, H)``,
``b`` ``(H,)``. Backward: :math:`\delta z_t = (\delta h_t^{\text{out}} + \delta h_t^{\text{next}})
\odot (1 - h_t^2)`, :math:`\delta h_{t-1}^{\text{next}} = \delta z_t W_h^\top`. Its gradient
through many steps is a product of T Jacobians :math:`\mathrm{diag}(1-h_t^2) W_h^\top`, which
vanishes or explodes -- the problem the LSTM was built to solve (Hochreiter & Schmidhuber 1997).

References: Elman (1990), *Finding Structure in Time*; Keras documentation of
``keras.layers.SimpleRNN``.
"""

from __future__ import annotations

import numpy as np

from .layer import RecurrentLayer
from .threads import blas_threads, loop_threads

__all__ = ["SimpleRNN"]


class SimpleRNN(RecurrentLayer):
    """Elman RNN with tanh over whole sequences: NumPy forward and BPTT backward.

    Introduced in :doc:`chapter 2 </chapters/02_core_concepts>`.

    Args:
        input_size: D, features per time step.
        hidden_size: H, units.
        seed: initializer seed (Keras defaults: glorot-uniform ``W_x``, orthogonal ``W_h``,
            zero bias).
        dtype: ``"float64"`` or ``"float32"``.

    ``params``: ``"W_x"`` ``(D, H)``, ``"W_h"`` ``(H, H)``, ``"b"`` ``(H,)``.
    """

    GATE_ORDER = "h"
    keras_class = "SimpleRNN"
    CACHE_KEYS = ("x", "h0", "h_seq")

    def _init_params(self, rng):
        self.params = {
            "W_x": self._glorot_kernel(rng),  # (D, H)
            "W_h": self._orthogonal_recurrent(rng),  # (H, H)
            "b": np.zeros(self.hidden_size, self.dtype),  # (H,)
        }

    def _cache_widths(self):
        return {"x": self.input_size, "h0": self.hidden_size, "h_seq": self.hidden_size}

    def forward(self, x, state=None):
        """Run the layer over a batch of sequences.

        Args:
            x: ``(B, T, D)`` inputs.
            state: h_0 ``(B, H)``, or None for zeros.

        Returns:
            ``h_seq`` ``(B, T, H)``, ``h_T`` ``(B, H)`` and ``cache``, what :meth:`backward` needs.
        """
        x = self._check_x(x)
        B, T, D = x.shape
        H = self.hidden_size
        h0 = self._check_state(state, B)
        p = self.params
        # One GEMM for every input projection, written straight into the output buffer.
        h_seq = np.matmul(x.reshape(B * T, D), p["W_x"]).reshape(B, T, H)  # (B, T, H)
        h_seq += p["b"]
        zh = np.empty((B, H), self.dtype)
        with blas_threads(loop_threads(B, H, H)):  # see lstm.core.threads
            for t in range(T):
                h = h_seq[:, t]  # (B, H) view, holds x_t W_x + b
                h += np.matmul(h0 if t == 0 else h_seq[:, t - 1], p["W_h"], out=zh)
                np.tanh(h, out=h)  # h_t = tanh(x_t W_x + h_{t-1} W_h + b)
        return h_seq, h_seq[:, -1].copy(), {"x": x, "h0": h0, "h_seq": h_seq}

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
        x, h_seq = cache["x"], cache["h_seq"]
        B, T, D = x.shape
        H = self.hidden_size
        dh_seq = self._check_dh_seq(dh_seq, B, T)
        dh_next = self._check_state(dstate, B, name="dstate").copy()
        p = self.params
        W_hT = p["W_h"].T
        dz = np.empty((B, T, H), self.dtype)  # dL/d(pre-activation)
        with blas_threads(loop_threads(B, H, H)):  # see lstm.core.threads
            for t in range(T - 1, -1, -1):
                dzt = dz[:, t]
                np.multiply(h_seq[:, t], h_seq[:, t], out=dzt)
                np.subtract(1.0, dzt, out=dzt)  # 1 - h_t^2
                dzt *= dh_seq[:, t] + dh_next
                np.matmul(dzt, W_hT, out=dh_next)
        h_prev = np.empty((B, T, H), self.dtype)
        h_prev[:, 0] = cache["h0"]
        h_prev[:, 1:] = h_seq[:, :-1]
        dz2 = dz.reshape(B * T, H)
        grads = {
            "W_x": x.reshape(B * T, D).T @ dz2,
            "W_h": h_prev.reshape(B * T, H).T @ dz2,
            "b": dz2.sum(axis=0),
        }
        dx = (dz2 @ p["W_x"].T).reshape(B, T, D)
        return dx, grads, dh_next

    @classmethod
    def from_keras(cls, layer):
        """A NumPy copy of a built ``keras.layers.SimpleRNN`` (tanh activation)."""
        return cls._copy_keras(layer)
