"""What the three NumPy recurrent layers share: construction, input checks, weight views.

:class:`lstm.LSTM`, :class:`lstm.GRU` and :class:`lstm.SimpleRNN` all keep their
parameters in ``self.params``, a dict of *fused* NumPy arrays laid out exactly like the
Keras layer of the same name (so ``from_keras`` is a copy). The per-gate matrices of
the equations (``W_xi``, ``W_hf``, ``b_o`` ...) are read-only *views* into those fused
arrays (:meth:`RecurrentLayer.gate_weights`), so the fused arrays stay the single source
of truth: change ``params["W_x"]`` and ``W_xi`` changes with it.

Shapes: sequences ``(B, T, D)``, hidden states ``(B, H)``.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_array, check_dtype, check_int

__all__ = ["RecurrentLayer", "glorot_uniform", "orthogonal"]


def glorot_uniform(rng, fan_in, fan_out, dtype):
    """Keras' ``glorot_uniform`` initializer: a ``(fan_in, fan_out)`` matrix drawn from
    U(-a, a), a = sqrt(6 / (fan_in + fan_out))."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype)


def orthogonal(rng, rows, cols, dtype):
    """Keras' ``orthogonal`` initializer: a (rows, cols) matrix with orthonormal rows or columns."""
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))  # make the decomposition unique (uniformly distributed q)
    if rows < cols:
        q = q.T
    return np.ascontiguousarray(q, dtype=dtype)


class RecurrentLayer:
    """Base class: a recurrent layer over a whole sequence, with hand-written BPTT.

    Subclasses set :attr:`GATE_ORDER` (one letter per fused block of H columns, in Keras
    order), :attr:`CACHE_KEYS` and implement ``_init_params``, ``forward`` and ``backward``.
    """

    #: One letter per block of ``hidden_size`` columns in ``W_x``/``W_h``/``b``, in Keras'
    #: order (the LSTM's ``"ifgo"``): the names of :meth:`gate_weights`.
    GATE_ORDER: str = ""
    #: The keys of the cache that ``forward`` returns and ``backward`` takes.
    CACHE_KEYS: tuple[str, ...] = ()
    #: name used in error messages and ``repr``.
    keras_class: str = ""

    def __init__(self, input_size, hidden_size, *, seed=None, dtype="float64"):
        self.input_size = check_int("input_size", input_size)
        self.hidden_size = check_int("hidden_size", hidden_size)
        self.dtype = check_dtype(dtype)
        check_int("seed", seed, minimum=0, allow_none=True)
        self.params: dict[str, np.ndarray] = {}
        self._init_params(np.random.default_rng(seed))

    # ------------------------------------------------------------------ construction
    def _init_params(self, rng):  # pragma: no cover - abstract
        raise NotImplementedError

    def _glorot_kernel(self, rng):
        """Keras' default kernel initializer for ``W_x``: glorot_uniform over (D, nH)."""
        n = len(self.GATE_ORDER) * self.hidden_size
        return glorot_uniform(rng, self.input_size, n, self.dtype)

    def _orthogonal_recurrent(self, rng):
        """Keras' default ``recurrent_initializer`` for ``W_h``: orthogonal (H, nH)."""
        n = len(self.GATE_ORDER) * self.hidden_size
        return orthogonal(rng, self.hidden_size, n, self.dtype)

    def _scratch(self, name, shape):
        """A scratch array kept between calls (same name, shape and dtype -> same memory).

        Only for buffers that never leave a method (the backward pass's dL/dz): reusing them
        saves the operating system from handing out, and zeroing, fresh pages on every call.
        """
        scratch = self.__dict__.setdefault("_scratch_buffers", {})
        buf = scratch.get(name)
        if buf is None or buf.shape != tuple(shape) or buf.dtype != self.dtype:
            buf = scratch[name] = np.empty(shape, self.dtype)
        return buf

    @property
    def num_params(self) -> int:
        """Total number of scalar parameters."""
        return int(sum(p.size for p in self.params.values()))

    def __repr__(self):
        return (
            f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size}, "
            f"dtype={self.dtype.name!r})"
        )

    # ------------------------------------------------------------------ gate views
    def gate_weights(self, arrays=None):
        """Read-only per-gate views named after the equations.

        For each gate letter ``k`` of :attr:`GATE_ORDER`: ``W_xk`` ``(D, H)``, ``W_hk``
        ``(H, H)`` and ``b_k`` ``(H,)`` (GRU: ``b_xk`` and ``b_hk``, the input and recurrent
        biases). They are views into ``params`` (or ``arrays``): they follow every update of the
        fused arrays.

        Args:
            arrays: a dict with the fused ``"W_x"``, ``"W_h"`` and ``"b"`` of this layer's
                shapes to split instead of ``params``, for example the ``grads`` that
                ``backward`` returns. Other keys (an LSTM's peepholes) are left out.
        """
        H = self.hidden_size
        arrays = self.params if arrays is None else arrays
        views = {}
        for j, k in enumerate(self.GATE_ORDER):
            cols = slice(j * H, (j + 1) * H)
            views[f"W_x{k}"] = arrays["W_x"][:, cols]
            views[f"W_h{k}"] = arrays["W_h"][:, cols]
            b = arrays["b"]
            if b.ndim == 2:  # GRU (reset_after): b[0] input bias, b[1] recurrent bias
                views[f"b_x{k}"] = b[0, cols]
                views[f"b_h{k}"] = b[1, cols]
            else:
                views[f"b_{k}"] = b[cols]
        for v in views.values():
            v.flags.writeable = False
        return views

    def __getattr__(self, name):
        # W_xi, W_hf, b_o ... as attributes (read-only views); only called for missing names.
        if name.startswith(("W_", "b_")) and "params" in self.__dict__:
            views = self.gate_weights()
            if name in views:
                return views[name]
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    # ------------------------------------------------------------------ input checks
    def _check_array(self, name, value, shape, what):
        """Return ``value`` as a C-contiguous array of ``self.dtype`` after checking it."""
        arr = check_array(name, value, what)
        if arr.ndim != len(shape):
            raise ValueError(
                f"{name} must be a {len(shape)}-D array {what}, got shape {arr.shape} ({arr.ndim}-D)"
            )
        for got, want in zip(arr.shape, shape, strict=True):
            if want is not None and got != want:
                raise ValueError(f"{name} must have shape {what} = {_fmt(shape)}, got {arr.shape}")
            if want is None and got < 1:
                raise ValueError(f"{name} must be non-empty {what}, got shape {arr.shape}")
        arr = np.ascontiguousarray(arr, dtype=self.dtype)
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} must contain only finite values, got NaN or inf in {name}")
        return arr

    def _check_x(self, x):
        """Check ``x`` is ``(B, T, D)`` with ``D == input_size``; return it as ``self.dtype``."""
        return self._check_array("x", x, (None, None, self.input_size), "(B, T, D=input_size)")

    def _check_h(self, name, h, batch):
        """Check one hidden-state array is ``(B, H)``."""
        return self._check_array(name, h, (batch, self.hidden_size), "(B, H=hidden_size)")

    def _check_state(self, state, batch, name="state"):
        """Check a state of one ``(B, H)`` array (None: zeros); the LSTM overrides it for (h, c)."""
        if state is None:
            return np.zeros((batch, self.hidden_size), self.dtype)
        if isinstance(state, (tuple, list)):
            raise ValueError(
                f"{name} of a {self.keras_class} must be one (B, H) array or None, "
                f"got a {type(state).__name__}"
            )
        return self._check_h(name, state, batch)

    def _check_dh_seq(self, dh_seq, batch, steps):
        return self._check_array("dh_seq", dh_seq, (batch, steps, self.hidden_size), "(B, T, H) like h_seq")

    def _check_cache(self, cache):
        """Check that ``cache`` is a cache of ``forward`` of a layer of this one's class, shapes
        and dtype, as ``backward`` needs it."""
        name = type(self).__name__
        if not isinstance(cache, dict) or any(k not in cache for k in self.CACHE_KEYS):
            got = f"a dict with the keys {sorted(cache)}" if isinstance(cache, dict) else type(cache).__name__
            raise ValueError(
                f"cache must be the third value returned by {name}.forward (a dict with the keys "
                f"{list(self.CACHE_KEYS)}), got {got}"
            )
        D, H = self.input_size, self.hidden_size
        for key, size in self._cache_widths().items():
            arr = cache[key]
            if not isinstance(arr, np.ndarray) or arr.shape[-1] != size or arr.dtype != self.dtype:
                got = f"{arr.shape} {arr.dtype}" if isinstance(arr, np.ndarray) else type(arr).__name__
                raise ValueError(
                    f"cache[{key!r}] has shape and dtype {got}, not those of a {name} with D={D}, "
                    f"H={H} and dtype {self.dtype.name}: pass the cache that forward of this layer "
                    "returned"
                )

    def _cache_widths(self):  # pragma: no cover - abstract
        """``{key: size of the last axis}`` of the arrays of a forward cache."""
        raise NotImplementedError

    # ------------------------------------------------------------------ Keras interop
    @classmethod
    def _keras_arrays(cls, layer):
        """The (kernel, recurrent_kernel, bias) of a built Keras layer of the matching class."""
        name = type(layer).__name__
        if name != cls.keras_class:
            raise ValueError(
                f"{cls.__name__}.from_keras expects a keras.layers.{cls.keras_class}, got {name}"
            )
        if not getattr(layer, "built", False):
            raise ValueError(
                f"{cls.__name__}.from_keras needs a built layer (call it on data or .build() "
                "it first), got an unbuilt layer"
            )
        cell = getattr(layer, "cell", layer)
        if getattr(layer, "go_backwards", False):
            raise ValueError(f"{cls.__name__}.from_keras supports go_backwards=False only, got True")
        for attr, want in (("activation", "tanh"), ("recurrent_activation", "sigmoid")):
            fn = getattr(cell, attr, None)
            if fn is not None and getattr(fn, "__name__", want) != want:
                raise ValueError(
                    f"{cls.__name__}.from_keras supports {attr}='{want}' only, "
                    f"got {getattr(fn, '__name__', fn)!r}"
                )
        weights = [np.asarray(w) for w in layer.get_weights()]
        if not getattr(cell, "use_bias", True):
            weights.append(None)
        return weights[0], weights[1], weights[2], np.dtype(weights[0].dtype).name

    @classmethod
    def _copy_keras(cls, layer):
        """A new layer of this class holding the weights of the built Keras ``layer``:
        ``kernel -> W_x``, ``recurrent_kernel -> W_h``, ``bias -> b`` (zeros without a bias)."""
        kernel, recurrent, bias, dtype = cls._keras_arrays(layer)
        m = cls(kernel.shape[0], kernel.shape[1] // len(cls.GATE_ORDER), dtype=dtype)
        m.params["W_x"][...] = kernel
        m.params["W_h"][...] = recurrent
        m.params["b"][...] = 0.0 if bias is None else bias
        return m


def _fmt(shape):
    return "(" + ", ".join("?" if s is None else str(s) for s in shape) + ")"
