r"""Just enough to train the NumPy layers: a dense read-out, losses, Adam, clipping, a loop.

A :class:`SequenceModel` is a recurrent layer (:class:`lstm.LSTM`, :class:`lstm.GRU` or
:class:`lstm.SimpleRNN`) followed by a :class:`Dense` read-out, applied to the last hidden
state :math:`h_T` (many-to-one, ``return_sequences=False``) or to every :math:`h_t`
(many-to-many). :func:`fit` trains it by mini-batch gradient descent:

.. math::

    g = \nabla_\theta L, \qquad
    g \leftarrow g \cdot \min\!\left(1, \frac{c}{\lVert g \rVert_2}\right)

(global-norm clipping, Pascanu et al. 2013), then one Adam step (Kingma & Ba 2015),
written exactly as ``keras.optimizers.Adam``:

.. math::

    m &\leftarrow m + (1-\beta_1)(g - m),\\
    v &\leftarrow v + (1-\beta_2)(g^2 - v),\\
    \theta &\leftarrow \theta - \alpha_t \frac{m}{\sqrt v + \epsilon}, \qquad
    \alpha_t = \eta \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}.

Losses return ``(loss, dloss/dprediction)``; they are means over examples (and time steps),
like Keras' defaults: ``"mse"``, ``"sparse_categorical_crossentropy"`` (integer labels,
logits in) and ``"binary_crossentropy"`` (0/1 targets, one logit in).

Everything is seeded: the initializers by ``seed=``, the shuffling in :func:`fit` by its
``seed``; two runs with the same seeds give the same numbers.

References: Kingma & Ba (2015), *Adam*; Pascanu, Mikolov & Bengio (2013), *On the
difficulty of training recurrent neural networks*; Keras documentation of ``Dense``,
``Adam`` and ``global_clipnorm``.
"""

from __future__ import annotations

import numpy as np
from tqdm import tqdm

from .checks import check_dtype, check_int
from .core.layer import glorot_uniform
from .core.threads import blas_threads as set_blas_threads

__all__ = [
    "Dense",
    "SequenceModel",
    "Adam",
    "clip_by_global_norm",
    "mse",
    "sparse_categorical_crossentropy",
    "binary_crossentropy",
    "LOSSES",
    "evaluate",
    "fit",
]


# ---------------------------------------------------------------------------- layers
class Dense:
    """``y = h W + b`` over the last axis: ``h`` ``(..., in_features)`` -> ``y`` ``(..., out_features)``.

    ``params``: ``"W"`` ``(in_features, out_features)`` (glorot-uniform), ``"b"`` ``(out_features,)`` (zeros).
    """

    def __init__(self, in_features, out_features, *, seed=None, dtype="float64"):
        self.in_features = check_int("in_features", in_features)
        self.out_features = check_int("out_features", out_features)
        self.dtype = check_dtype(dtype)
        rng = np.random.default_rng(seed)
        self.params = {
            "W": glorot_uniform(rng, self.in_features, self.out_features, self.dtype),
            "b": np.zeros(self.out_features, self.dtype),
        }

    def forward(self, h):
        h = np.asarray(h, self.dtype)
        if h.ndim < 1 or h.shape[-1] != self.in_features:
            raise ValueError(f"Dense input must have shape (..., {self.in_features}), got {h.shape}")
        return h @ self.params["W"] + self.params["b"], h

    def backward(self, dy, cache):
        """``dy`` like the output -> ``dh`` like the input, ``grads`` (``"W"``, ``"b"``)."""
        h = cache
        dy = np.asarray(dy, self.dtype)
        h2, dy2 = h.reshape(-1, self.in_features), dy.reshape(-1, self.out_features)
        grads = {"W": h2.T @ dy2, "b": dy2.sum(axis=0)}
        return dy @ self.params["W"].T, grads


class SequenceModel:
    """A recurrent layer plus a dense read-out.

    Introduced in :doc:`chapter 2 </chapters/02_core_concepts>`.

    Args:
        rnn: an :class:`lstm.LSTM`, :class:`lstm.GRU` or :class:`lstm.SimpleRNN`.
        output_size: outputs of the read-out (1 for regression or one binary logit,
            the number of classes for softmax classification).
        return_sequences: read out every ``h_t`` (``(B, T, output_size)``) instead of ``h_T``
            (``(B, output_size)``).
        seed: seed of the read-out's initializer.

    ``params`` is a flat dict (``"rnn.W_x"``, ..., ``"dense.W"``, ``"dense.b"``) of the SAME
    arrays the two layers hold, so updating it in place trains them.
    """

    def __init__(self, rnn, output_size, *, return_sequences=False, seed=None):
        if not all(hasattr(rnn, a) for a in ("forward", "backward", "params", "hidden_size")):
            raise ValueError(f"rnn must be an lstm.LSTM, GRU or SimpleRNN, got {type(rnn).__name__}")
        self.rnn = rnn
        self.dense = Dense(rnn.hidden_size, output_size, seed=seed, dtype=rnn.dtype.name)
        self.return_sequences = bool(return_sequences)

    @property
    def params(self):
        """All parameters, ``{"rnn.W_x": ..., "dense.W": ...}``: the layers' own arrays."""
        p = {f"rnn.{k}": v for k, v in self.rnn.params.items()}
        p.update({f"dense.{k}": v for k, v in self.dense.params.items()})
        return p

    @property
    def dtype(self):
        """The recurrent layer's dtype (the read-out uses the same)."""
        return self.rnn.dtype

    def forward(self, x):
        """``x`` ``(B, T, D)`` -> predictions ``(B, [T,] output_size)`` and a cache."""
        h_seq, state, rnn_cache = self.rnn.forward(x)
        h = h_seq if self.return_sequences else h_seq[:, -1]
        y, dense_cache = self.dense.forward(h)
        return y, (h_seq.shape, rnn_cache, dense_cache)

    def backward(self, dy, cache):
        """Gradient of the loss w.r.t. the predictions -> ``grads`` keyed like :attr:`params`."""
        shape, rnn_cache, dense_cache = cache
        dh, dense_grads = self.dense.backward(dy, dense_cache)
        if self.return_sequences:
            dh_seq = dh
        else:
            dh_seq = np.zeros(shape, self.dtype)
            dh_seq[:, -1] = dh
        _, rnn_grads, _ = self.rnn.backward(dh_seq, rnn_cache)
        grads = {f"rnn.{k}": v for k, v in rnn_grads.items()}
        grads.update({f"dense.{k}": v for k, v in dense_grads.items()})
        return grads

    def predict(self, x, *, batch_size=256):
        """Predictions for ``x`` ``(N, T, D)``, computed ``batch_size`` sequences at a time."""
        x = np.asarray(x)
        return np.concatenate([self.forward(x[k : k + batch_size])[0] for k in range(0, len(x), batch_size)])


# ---------------------------------------------------------------------------- losses
def _match(pred, target, name):
    pred, target = np.asarray(pred), np.asarray(target, pred.dtype)
    if target.shape != pred.shape and pred.shape[-1:] == (1,) and target.shape == pred.shape[:-1]:
        target = target[..., None]  # (B,) targets for (B, 1) predictions
    if target.shape != pred.shape:
        raise ValueError(
            f"{name}: targets of shape {target.shape} do not match predictions of shape {pred.shape}"
        )
    return pred, target


def mse(pred, target):
    """Mean squared error over all entries; returns ``(loss, dloss/dpred)``.

    Introduced in :doc:`chapter 3 </chapters/03_lstm_equations>` (as ``fit(..., loss="mse")``).
    """
    pred, target = _match(np.asarray(pred), target, "mse")
    diff = pred - target
    return float(np.mean(diff**2)), (2.0 / diff.size) * diff


def binary_crossentropy(logits, target):
    """Binary cross-entropy from logits (one per example or step), mean; ``(loss, dlogits)``.

    ``log(1 + e^z) - y z``, computed without overflow; the gradient is ``sigmoid(z) - y``.

    No chapter uses it (they use Keras' loss of that name): selected by
    ``loss="binary_crossentropy"`` in ``fit`` and ``evaluate``.
    """
    logits, target = _match(np.asarray(logits), target, "binary_crossentropy")
    loss = np.logaddexp(0.0, logits) - target * logits
    p = 0.5 * np.tanh(0.5 * logits) + 0.5  # sigmoid without overflow
    return float(np.mean(loss)), (p - target) / logits.size


def sparse_categorical_crossentropy(logits, labels):
    """Softmax cross-entropy from logits ``(..., C)`` and integer labels ``(...)``; mean.

    Returns ``(loss, dlogits)`` with ``dlogits = (softmax(logits) - onehot(labels)) / N``.

    Introduced in :doc:`chapter 2 </chapters/02_core_concepts>`
    (as ``fit(..., loss="sparse_categorical_crossentropy")``).
    """
    logits = np.asarray(logits)
    labels = np.asarray(labels)
    if labels.shape != logits.shape[:-1] or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"sparse_categorical_crossentropy: labels must be integers of shape {logits.shape[:-1]}, "
            f"got {labels.dtype} {labels.shape}"
        )
    C = logits.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= C):
        raise ValueError(f"labels must lie in [0, {C}), got values in [{labels.min()}, {labels.max()}]")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_z = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    log_p = shifted - log_z  # log softmax
    picked = np.take_along_axis(log_p, labels[..., None], axis=-1)
    n = labels.size
    grad = np.exp(log_p)
    np.put_along_axis(grad, labels[..., None], np.take_along_axis(grad, labels[..., None], -1) - 1, -1)
    return float(-picked.mean()), grad / n


LOSSES = {
    "mse": mse,
    "binary_crossentropy": binary_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
}


def _accuracy(loss_name, pred, target):
    if loss_name == "sparse_categorical_crossentropy":
        return float(np.mean(np.argmax(pred, axis=-1) == target))
    if loss_name == "binary_crossentropy":
        pred, target = _match(pred, target, loss_name)
        return float(np.mean((pred > 0) == (target > 0.5)))
    return None


# ---------------------------------------------------------------------------- optimizer
def clip_by_global_norm(grads, max_norm):
    """Scale all gradients in place so that their joint L2 norm is at most ``max_norm``.

    Returns the norm BEFORE clipping (useful to watch gradients explode).
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be > 0, got {max_norm!r}")
    norm = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return norm


class Adam:
    """Adam, step for step as ``keras.optimizers.Adam`` (same defaults, same formula).

    ``step(params, grads)`` updates the arrays of ``params`` in place; moments are kept per
    key, created at the first step.
    """

    def __init__(self, learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
        for name, b in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {b!r}")
        self.learning_rate, self.beta_1, self.beta_2, self.epsilon = (learning_rate, beta_1, beta_2, epsilon)
        self.iterations = 0
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    def step(self, params, grads):
        if set(grads) != set(params):
            raise ValueError(f"grads keys {sorted(grads)} do not match params keys {sorted(params)}")
        self.iterations += 1
        t = self.iterations
        alpha = self.learning_rate * np.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        for k, p in params.items():
            g = grads[k]
            if g.shape != p.shape:
                raise ValueError(f"grads[{k!r}] has shape {g.shape}, params[{k!r}] has {p.shape}")
            m = self.m.setdefault(k, np.zeros_like(p))
            v = self.v.setdefault(k, np.zeros_like(p))
            m += (g - m) * (1 - self.beta_1)
            v += (g * g - v) * (1 - self.beta_2)
            p -= (m * p.dtype.type(alpha)) / (np.sqrt(v) + p.dtype.type(self.epsilon))


# ---------------------------------------------------------------------------- loop
def _loss_fn(loss):
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {loss!r}")
    return LOSSES[loss]


def evaluate(model, x, y, *, loss="mse", batch_size=256) -> dict[str, float]:
    """Loss (and accuracy for the cross-entropy losses) of ``model`` on ``(x, y)``.

    Introduced in :doc:`chapter 2 </chapters/02_core_concepts>`.
    """
    pred = model.predict(x, batch_size=batch_size)
    out = {"loss": _loss_fn(loss)(pred, y)[0]}
    acc = _accuracy(loss, pred, np.asarray(y))
    if acc is not None:
        out["accuracy"] = acc
    return out


def fit(
    model,
    x,
    y,
    *,
    loss="mse",
    epochs=10,
    batch_size=32,
    learning_rate=1e-3,
    optimizer=None,
    clipnorm=1.0,
    seed=0,
    validation_data=None,
    verbose=1,
    on_epoch_end=None,
    blas_threads=1,
) -> dict[str, list[float]]:
    """Train ``model`` (a :class:`SequenceModel`) with shuffled mini-batches, clipping and Adam.

    Introduced in :doc:`chapter 2 </chapters/02_core_concepts>`.

    Args:
        model: the model; its parameters are updated in place.
        x: inputs ``(N, T, D)``. y: targets (see the loss).
        loss: ``"mse"``, ``"binary_crossentropy"`` or ``"sparse_categorical_crossentropy"``.
        epochs, batch_size: as in Keras (the last batch may be smaller).
        learning_rate: Adam's step size, when ``optimizer`` is None.
        optimizer: an :class:`Adam` to continue with (keeps its moments), or None for a new one.
        clipnorm: global-norm clipping threshold, or None for no clipping.
        seed: seed of the shuffling.
        validation_data: optional ``(x_val, y_val)``, evaluated after every epoch.
        verbose: 0 silent (use in notebooks), 1 a tqdm progress bar, 2 one line per epoch.
        on_epoch_end: optional ``f(epoch, logs)`` called after every epoch.
        blas_threads: OpenBLAS threads while training (default 1: the small matrix products
            of small models run faster without thread hand-offs; None leaves the setting alone).

    Returns:
        dict: the history, one list entry per epoch, as
        ``{"loss": [...], "grad_norm": [...], "accuracy": [...], "val_loss": [...], ...}``
        (``loss`` and ``accuracy``, the latter for the cross-entropy losses only: means over
        the epoch's batches; ``grad_norm``: mean gradient norm before clipping; ``val_*``:
        with ``validation_data``).
    """
    loss_fn = _loss_fn(loss)
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    check_int("epochs", epochs)
    check_int("batch_size", batch_size)
    if verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}")
    opt = Adam(learning_rate) if optimizer is None else optimizer
    rng = np.random.default_rng(seed)
    with set_blas_threads(blas_threads):
        return _fit_loop(
            model,
            x,
            y,
            loss,
            loss_fn,
            epochs,
            batch_size,
            opt,
            clipnorm,
            rng,
            validation_data,
            verbose,
            on_epoch_end,
        )


def _fit_loop(
    model, x, y, loss, loss_fn, epochs, batch_size, opt, clipnorm, rng, validation_data, verbose, on_epoch_end
):
    n = len(x)
    steps = -(-n // batch_size)
    history: dict[str, list[float]] = {}
    bar = tqdm(total=epochs * steps, disable=verbose != 1, unit="batch", leave=False)
    for epoch in range(epochs):
        order = rng.permutation(n)
        sums = {"loss": 0.0, "grad_norm": 0.0, "accuracy": 0.0}
        for k in range(steps):
            idx = order[k * batch_size : (k + 1) * batch_size]
            pred, cache = model.forward(x[idx])
            value, dpred = loss_fn(pred, y[idx])
            grads = model.backward(dpred, cache)
            norm = (
                clip_by_global_norm(grads, clipnorm)
                if clipnorm is not None
                else float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))
            )
            opt.step(model.params, grads)
            sums["loss"] += value
            sums["grad_norm"] += norm
            acc = _accuracy(loss, pred, y[idx])
            if acc is not None:
                sums["accuracy"] += acc
            bar.update(1)
        logs = {"loss": sums["loss"] / steps, "grad_norm": sums["grad_norm"] / steps}
        if acc is not None:
            logs["accuracy"] = sums["accuracy"] / steps
        if validation_data is not None:
            val = evaluate(model, *validation_data, loss=loss)
            logs.update({f"val_{k}": v for k, v in val.items()})
        for key, v in logs.items():
            history.setdefault(key, []).append(v)
        bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items() if k != "grad_norm"})
        if verbose == 2:
            print(
                f"epoch {epoch + 1}/{epochs} - "
                + " - ".join(f"{k} {v:.4f}" for k, v in logs.items() if k != "grad_norm")
            )
        if on_epoch_end is not None:
            on_epoch_end(epoch, logs)
    bar.close()
    return history
