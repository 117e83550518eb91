"""Training Keras models on NumPy arrays: seeded ``tf.data`` pipelines, fit / evaluate /
predict, small callbacks and summaries of a run.

:func:`fit`, :func:`evaluate` and :func:`predict` run Keras on arrays through a seeded
``tf.data`` pipeline (:func:`to_dataset` says why); :class:`EpochTimer`,
:class:`EvaluateEachEpoch`, :class:`WeightSnapshots`, :func:`best_epoch` and
:func:`fit_summary` are small training companions; :func:`one_epoch` is the quick
comparison run of chapters 4 and 5; :func:`confusion_matrix` and :func:`predict_texts` look at
a trained classifier.
"""

from __future__ import annotations

import time

import keras
import numpy as np

from ..checks import check_choice, check_int
from ..data.splits import pad
from ..recipes import ARTICLE

__all__ = [
    "EpochTimer",
    "EvaluateEachEpoch",
    "WeightSnapshots",
    "best_epoch",
    "confusion_matrix",
    "evaluate",
    "fit",
    "fit_summary",
    "one_epoch",
    "predict",
    "predict_texts",
    "to_dataset",
]


def to_dataset(x, y=None, batch_size=32, *, shuffle=False, seed=0):
    """A ``tf.data`` pipeline of ``(x, y)`` (or ``x``) batches, reshuffled every epoch if asked.

    Why not hand NumPy arrays to Keras? Keras' NumPy input pipeline uses a parallel
    ``map``; with TensorFlow's op determinism on (:func:`lstm.book.notebook.setup`) TensorFlow
    rewrites it into a sequential one and logs a harmless internal error line about
    ``use_unbounded_threadpool`` to stderr, which would end up in the notebooks. A plain
    ``from_tensor_slices -> shuffle -> batch`` pipeline has no ``map`` and logs nothing.
    The shuffle is seeded, so training is reproducible.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """
    import tensorflow as tf

    batch_size = check_int("batch_size", batch_size)
    if y is not None and len(x) != len(y):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)}")
    if len(x) == 0:
        raise ValueError("x is empty: expected at least one row")
    ds = tf.data.Dataset.from_tensor_slices(x if y is None else (x, y))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size)


def fit(model, x, y, *, batch_size=32, epochs=1, validation_data=None, seed=0, **kwargs):
    """``model.fit`` on arrays through :func:`to_dataset` (seeded shuffle). Returns the History.

    ``validation_data`` is an ``(x_val, y_val)`` pair; other keyword arguments (``verbose``,
    ``callbacks``, ...) go to ``model.fit``.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """
    train = to_dataset(x, y, batch_size, shuffle=True, seed=seed)
    if validation_data is not None:
        validation_data = to_dataset(*validation_data, batch_size=max(batch_size, 256))
    return model.fit(
        train, epochs=check_int("epochs", epochs), validation_data=validation_data, shuffle=False, **kwargs
    )


def one_epoch(splits, *, seed=0, batch_size=128, **model_kwargs):
    """Train a fresh seeded sentiment model for one epoch; return its validation accuracy and the
    seconds the epoch took.

    The quick comparisons of chapters 4 and 5 (padding and masking, length, windows, the model's
    choices) each train one of these: ``lstm.keras.models.sentiment_model(maxlen=..., **model_kwargs)``
    with its maxlen read from the data, seeded with ``seed`` (weights and shuffling), on
    ``splits.x_train``, validated on ``splits.x_val``.

    Args:
        splits: a :class:`lstm.data.splits.ImdbSplits` (``prepare_imdb``'s result).
        seed: the seed for the weights and the shuffle.
        batch_size: the training batch.
        **model_kwargs: passed on to ``sentiment_model``.

    Returns:
        tuple: ``(validation accuracy, seconds)``; the seconds include the one-off graph tracing.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """
    from .models import sentiment_model

    keras.utils.set_random_seed(check_int("seed", seed, minimum=0))
    model = sentiment_model(maxlen=splits.x_train.shape[1], **model_kwargs)
    timer = EpochTimer()
    history = fit(
        model,
        splits.x_train,
        splits.y_train,
        batch_size=batch_size,
        epochs=1,
        seed=seed,
        validation_data=(splits.x_val, splits.y_val),
        verbose=0,
        callbacks=[timer],
    )
    return history.history["val_accuracy"][-1], timer.times[-1]


def evaluate(model, x, y, batch_size=256):
    """``model.evaluate`` on arrays through :func:`to_dataset`: a dict such as {"loss", "accuracy"}.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """
    return model.evaluate(to_dataset(x, y, batch_size), verbose=0, return_dict=True)


def predict(model, x, batch_size=256):
    """``model.predict`` on arrays through :func:`to_dataset`, flattened to ``(N,)`` for one output.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """
    out = model.predict(to_dataset(x, batch_size=batch_size), verbose=0)
    return out.reshape(-1) if out.ndim == 2 and out.shape[1] == 1 else out


class EpochTimer(keras.callbacks.Callback):
    """Records the wall time of every epoch in ``self.times`` (seconds).

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """

    def __init__(self):
        super().__init__()
        self.times = []
        self._start = None

    def on_train_begin(self, logs=None):
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._start)


class EvaluateEachEpoch(keras.callbacks.Callback):
    """Evaluates on ``(x, y)`` after every epoch and keeps ``self.history[metric]`` lists.

    For *looking* only (the book uses it to show what happens on the test set while
    training); never choose anything from these numbers.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """

    def __init__(self, x, y, batch_size=256):
        super().__init__()
        if len(x) != len(y):
            raise ValueError(f"x has {len(x)} rows but y has {len(y)}")
        self.data = to_dataset(x, y, batch_size)
        self.history = {}

    def on_train_begin(self, logs=None):
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        result = self.model.evaluate(self.data, verbose=0, return_dict=True)
        for key, value in result.items():
            self.history.setdefault(key, []).append(float(value))


class WeightSnapshots(keras.callbacks.Callback):
    """Keeps a copy of the weights after every epoch; ``restore(epoch)`` puts one back (1-based).

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_train_begin(self, logs=None):
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append([w.copy() for w in self.model.get_weights()])

    def restore(self, epoch):
        if not 1 <= epoch <= len(self.weights):
            raise ValueError(f"epoch must be in 1..{len(self.weights)}, got {epoch!r}")
        self.model.set_weights(self.weights[epoch - 1])


def best_epoch(history, monitor="val_loss", mode="min"):
    """The 1-based epoch with the best ``monitor`` value of a Keras ``History`` (or its dict).

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """
    values = getattr(history, "history", history).get(monitor)
    if not values:
        raise ValueError(f"history has no {monitor!r}; it has {sorted(getattr(history, 'history', history))}")
    check_choice("mode", mode, ("min", "max"))
    return int(np.argmin(values) if mode == "min" else np.argmax(values)) + 1


def fit_summary(history, digits=4, extra=None):
    """A compact per-epoch table of a Keras ``History`` (or its dict), values rounded.

    ``extra`` is an optional dict of more per-epoch columns (for example the test
    accuracy from :class:`EvaluateEachEpoch`). Timings are deliberately left out: they
    differ from run to run.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """
    logs = dict(getattr(history, "history", history))
    logs.update(extra or {})
    if not logs:
        raise ValueError("history is empty: nothing to summarize")
    n = {len(v) for v in logs.values()}
    if len(n) != 1:
        raise ValueError(f"columns have different lengths: { {k: len(v) for k, v in logs.items()} }")
    keys = sorted(logs, key=lambda k: (k.startswith("test_"), k.startswith("val_"), k))
    width = max(digits + 3, *(len(k) for k in keys))
    lines = ["epoch " + " ".join(k.rjust(width) for k in keys)]
    for i in range(n.pop()):
        lines.append(f"{i + 1:>5} " + " ".join(f"{logs[k][i]:{width}.{digits}f}" for k in keys))
    return "\n".join(lines)


# --------------------------------------------------------------------------- evaluation
def confusion_matrix(y_true, y_prob, threshold=0.5):
    """2x2 counts ``[[TN, FP], [FN, TP]]`` (rows: true label 0/1, columns: predicted).

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """
    y_true = np.asarray(y_true).reshape(-1)
    y_pred = (np.asarray(y_prob).reshape(-1) >= threshold).astype(np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but y_prob has {y_pred.size} predictions")
    if not np.isin(y_true, (0, 1)).all():
        raise ValueError("y_true must hold only 0 and 1")
    cm = np.zeros((2, 2), dtype=np.int64)
    np.add.at(cm, (y_true.astype(np.int64), y_pred), 1)
    return cm


def predict_texts(
    model,
    texts,
    *,
    word_index=None,
    num_words=ARTICLE["num_words"],
    maxlen=None,
    padding=ARTICLE["padding"],
    truncating=ARTICLE["truncating"],
):
    """P(positive) for raw review strings, encoded exactly like the training data.

    ``maxlen`` defaults to the model's input length. Words never seen in training are
    dropped, rare ones (``>= num_words``) become the OOV id, as in :func:`lstm.data.imdb.load_imdb`.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """
    from ..data.imdb import encode_review, get_word_index

    if isinstance(texts, str) or len(texts) == 0:
        raise ValueError(f"texts must be a non-empty list of strings, got {texts!r}")
    if maxlen is None:
        maxlen = model.input_shape[1]
    if word_index is None:
        word_index = get_word_index()
    ids = [encode_review(t, word_index, num_words=num_words) for t in texts]
    return predict(model, pad(ids, maxlen, padding, truncating))
