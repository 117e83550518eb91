"""Keras models and training helpers for the IMDB sentiment chapters (chapter 4 onward).

The source article's worked example (its section 4) is, in today's Keras 3 spelling::

    (x_train, y_train), (x_test, y_test) = load_imdb(num_words=10000)
    x = keras.utils.pad_sequences(x, maxlen=50, padding="post")          # (B, T=50)
    Embedding(10000, 100) -> LSTM(100) -> Dense(1, sigmoid)              # (B, T, 100) -> (B, 100) -> (B, 1)
    compile(loss="binary_crossentropy", optimizer="adam"); fit(batch_size=32, epochs=5)

:func:`article_model` builds exactly that, with the article's numbers as its defaults;
:func:`sentiment_model` is the configurable builder for better models (bidirectional,
pooling over time, dropout, masking, GRU or SimpleRNN instead of LSTM);
:func:`prepare_imdb` turns the raw-text loader :func:`lstm.data.load_imdb` into padded
train / validation / test arrays, with the validation set held out *from the training
set* (the article validates on the test set, which then stops being a test), at random or,
like the test set, by movie (:func:`movie_holdout`).
:func:`fit`, :func:`evaluate` and :func:`predict` run Keras on arrays through a seeded
``tf.data`` pipeline (:func:`to_dataset` says why); :class:`EpochTimer`,
:class:`EvaluateEachEpoch`, :class:`WeightSnapshots`, :func:`best_epoch` and
:func:`fit_summary` are small training companions; :class:`SplitWindows` and
:class:`MergeWindows` let a recurrent layer read a long review as windows side by side.

Parameter counts (what the tests check), for input width ``D`` and ``H`` units:

- Keras ``LSTM``: ``4 * (H * (D + H) + H)`` -- four blocks i, f, g (candidate), o, each
  with an input kernel ``(D, H)``, a recurrent kernel ``(H, H)`` and a bias ``(H,)``;
- Keras ``GRU`` (``reset_after=True``, the default): ``3 * (H * (D + H) + 2 * H)``;
- ``SimpleRNN``: ``H * (D + H) + H``; a ``Bidirectional`` wrapper doubles any of them.

Masking: with ``mask_zero=True`` the embedding marks id 0 (padding) as absent; the
recurrent layer then skips those steps (it carries its state through them unchanged) and
returns the state at the last real word. Keras' ``GlobalMaxPooling1D`` ignores masks,
so :class:`MaskedGlobalMaxPooling1D` is provided: the maximum over real steps only.

References: the article (``shared/article``, section 4); Maas et al. (2011) for the
data; Hochreiter & Schmidhuber (1997), Gers et al. (2000) for the LSTM.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import keras
import numpy as np
from keras import layers, ops

#: The article's configuration (section 4), the defaults of the builders below.
ARTICLE = {
    "num_words": 10000,
    "embedding_dim": 100,
    "units": 100,
    "maxlen": 50,
    "padding": "post",
    "truncating": "pre",  # the article does not say; it is Keras' default
    "batch_size": 32,
    "epochs": 5,
}

_CELLS = {"lstm": layers.LSTM, "gru": layers.GRU, "simple": layers.SimpleRNN}
_POOLINGS = ("last", "max", "avg", "maxavg")


# --------------------------------------------------------------------------- checks
def _check_int(name, value, *, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _check_rate(name, value, *, upper=1.0, inclusive_upper=False):
    ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
    ok = ok and 0.0 <= value and (value <= upper if inclusive_upper else value < upper)
    if not ok:
        bracket = "]" if inclusive_upper else ")"
        raise ValueError(f"{name} must be a number in [0, {upper}{bracket}, got {value!r}")
    return float(value)


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def _check_side(name, value):
    return _check_choice(name, value, ("pre", "post"))


def _check_learning_rate(value):
    ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool) and value > 0
    if not ok or not np.isfinite(value):
        raise ValueError(f"learning_rate must be a positive finite number, got {value!r}")
    return float(value)


# --------------------------------------------------------------------------- data
class ImdbSplits(NamedTuple):
    """Padded IMDB arrays: ``x_*`` int32 ``(N, maxlen)``, ``y_*`` int64 ``(N,)`` (1 = positive).

    No chapter uses it directly: returned by ``prepare_imdb``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def pad(sequences, maxlen=ARTICLE["maxlen"], padding=ARTICLE["padding"], truncating="pre", value=0):
    """``keras.utils.pad_sequences`` with its arguments checked; returns int32 ``(N, maxlen)``.

    ``padding`` says where zeros go in a short review; ``truncating`` which end of a long
    review is cut ("pre" cuts the beginning and keeps the end).

    No chapter uses it directly: used by ``prepare_imdb`` and ``predict_texts``.
    """
    maxlen = _check_int("maxlen", maxlen)
    _check_side("padding", padding)
    _check_side("truncating", truncating)
    if len(sequences) == 0:
        raise ValueError("sequences is empty: expected at least one sequence of word ids")
    return keras.utils.pad_sequences(
        sequences, maxlen=maxlen, dtype="int32", padding=padding, truncating=truncating, value=value
    )


def split_validation(n, val_split=0.2, seed=0):
    """Indices ``(train_idx, val_idx)`` of a seeded random hold-out of ``val_split * n`` items.

    No chapter uses it directly: used by ``prepare_imdb``.
    """
    n = _check_int("n", n, minimum=2)
    val_split = _check_rate("val_split", val_split)
    if val_split == 0:
        raise ValueError("val_split must be > 0 to hold out a validation set, got 0")
    n_val = round(n * val_split)
    if not 1 <= n_val < n:
        raise ValueError(f"val_split={val_split} of n={n} leaves {n_val} validation items")
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def movie_holdout(review_ids, labels, val_split=0.2, seed=0, *, block=500):
    """Indices ``(train_idx, val_idx)`` of a hold-out that keeps most movies on one side.

    The IMDB dataset's training and test sets are about disjoint sets of movies (its
    README), and it numbers the reviews of one movie with neighbouring ids inside each
    label folder (chapter 4 measures this from the text: neighbouring reviews share many
    more rare words than random pairs). A random hold-out leaves other reviews of the
    validation movies in training -- their names, characters and plots -- so validation
    accuracy overstates test accuracy, whose movies are all new. Here each label's ids are cut into blocks of ``block``
    consecutive ids, and a seeded random ``val_split`` share of every label's blocks is
    held out whole: a movie can be on both sides only at the two edges of a block, and
    both labels keep their share.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.

    Args:
        review_ids, labels: ``(N,)`` ints per training review, from
            :func:`lstm.data.load_imdb_info`.
        val_split: share of each label's blocks held out.
        seed: seed of the choice of blocks.
        block: consecutive ids per block.
    """
    review_ids = np.asarray(review_ids)
    labels = np.asarray(labels)
    if review_ids.ndim != 1 or labels.shape != review_ids.shape or review_ids.size < 2:
        raise ValueError(
            f"review_ids and labels must be 1-D of the same length >= 2, got shapes "
            f"{review_ids.shape} and {labels.shape}"
        )
    if not (np.issubdtype(review_ids.dtype, np.integer) and np.issubdtype(labels.dtype, np.integer)):
        raise ValueError(
            f"review_ids and labels must be integer arrays, got {review_ids.dtype} and {labels.dtype}"
        )
    val_split = _check_rate("val_split", val_split)
    block = _check_int("block", block)
    rng = np.random.default_rng(seed)
    blocks = review_ids // block  # (N,) the block of each review, within its label
    val = np.zeros(len(labels), dtype=bool)
    for label in np.unique(labels):
        rows = labels == label
        names = np.unique(blocks[rows])
        n_val = round(len(names) * val_split)
        if not 1 <= n_val < len(names):
            raise ValueError(
                f"label {label} has {len(names)} blocks of {block} ids; val_split={val_split} holds "
                f"out {n_val} of them: lower block or change val_split so that at least one block "
                f"is held out and one kept"
            )
        chosen = rng.choice(names, size=n_val, replace=False)
        val |= rows & np.isin(blocks, chosen)
    return np.flatnonzero(~val), np.flatnonzero(val)


def prepare_imdb(
    num_words=ARTICLE["num_words"],
    maxlen=ARTICLE["maxlen"],
    padding=ARTICLE["padding"],
    truncating=ARTICLE["truncating"],
    val_split=0.2,
    seed=0,
    *,
    holdout="random",
    data=None,
    path=None,
) -> ImdbSplits:
    """Load IMDB with :func:`lstm.data.load_imdb`, hold out validation, pad every split.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.

    Args:
        num_words: vocabulary size (ids ``>= num_words`` become the OOV id 2).
        maxlen: length every review is padded or truncated to.
        padding, truncating: ``"pre"`` or ``"post"`` (see :func:`pad`).
        val_split: share of the *training* reviews held out for validation (the test
            set is never used to choose anything).
        seed: seed of the validation hold-out.
        holdout: ``"random"`` holds out random reviews (:func:`split_validation`);
            ``"movie"`` holds out whole blocks of neighbouring review ids, so that the
            validation movies are, like the test movies, mostly unseen in training
            (:func:`movie_holdout`).
        data: an already loaded ``((x_train, y_train), (x_test, y_test))`` with the same
            ``num_words`` (saves re-reading the cache); None loads it. With
            ``holdout="movie"`` it must come from ``load_imdb`` with its default ``seed``
            and no ``maxlen`` (the labels are checked against the files').
        path: passed to ``load_imdb`` (None: ``LSTM_IMDB_PATH``, Keras cache, download).
    """
    num_words = _check_int("num_words", num_words, minimum=4)
    _check_choice("holdout", holdout, ("random", "movie"))
    if data is None:
        from lstm.data import load_imdb

        data = load_imdb(path=path, num_words=num_words)
    (x_train, y_train), (x_test, y_test) = data
    if len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise ValueError(
            f"data has {len(x_train)} training reviews but {len(y_train)} labels, "
            f"{len(x_test)} test reviews but {len(y_test)} labels"
        )
    if holdout == "random":
        train_idx, val_idx = split_validation(len(x_train), val_split, seed)
    else:
        from lstm.data import load_imdb_info

        info, _ = load_imdb_info(path=path)
        if len(info["label"]) != len(y_train) or np.any(info["label"] != np.asarray(y_train)):
            raise ValueError(
                "holdout='movie' needs the training reviews in load_imdb's order (default seed, "
                f"no maxlen): the {len(y_train)} labels of data do not line up with the "
                f"{len(info['label'])} review files; pass data=None or load it with load_imdb(num_words=...)"
            )
        train_idx, val_idx = movie_holdout(info["review_id"], info["label"], val_split, seed)
    x_train_all = pad(x_train, maxlen, padding, truncating)
    x_test = pad(x_test, maxlen, padding, truncating)
    if x_train_all.max() >= num_words or x_test.max() >= num_words:
        raise ValueError(f"data holds ids >= num_words={num_words}: load it with the same num_words")
    y_train = np.asarray(y_train, dtype=np.int64)
    return ImdbSplits(
        x_train_all[train_idx], y_train[train_idx],
        x_train_all[val_idx], y_train[val_idx],
        x_test, np.asarray(y_test, dtype=np.int64),
    )


# --------------------------------------------------------------------------- layers
@keras.saving.register_keras_serializable(package="lstm")
class MaskedGlobalMaxPooling1D(layers.Layer):
    """Maximum over time of ``(B, T, F)`` -> ``(B, F)``, over unmasked steps only.

    Keras' ``GlobalMaxPooling1D`` ignores the mask, so padded steps (where a masked
    recurrent layer with ``return_sequences=True`` outputs zeros) take part in the max.
    A row with every step masked gives zeros.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):  # inputs (B, T, F), mask (B, T)
        if mask is None:
            return ops.max(inputs, axis=1)
        keep = ops.expand_dims(ops.cast(mask, "bool"), -1)  # (B, T, 1)
        lowest = ops.full_like(inputs, -np.inf)
        pooled = ops.max(ops.where(keep, inputs, lowest), axis=1)  # (B, F)
        return ops.where(ops.any(keep, axis=1), pooled, ops.zeros_like(pooled))

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


@keras.saving.register_keras_serializable(package="lstm")
class SplitWindows(layers.Layer):
    """``(B, T, D) -> (B * T / window, window, D)``: cut every review into windows of
    ``window`` steps that a recurrent layer then reads side by side, as separate sequences
    (the mask ``(B, T)`` is cut the same way). :class:`MergeWindows` undoes it.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """

    def __init__(self, window, **kwargs):
        super().__init__(**kwargs)
        self.window = _check_int("window", window)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        return ops.reshape(inputs, (-1, self.window, inputs.shape[-1]))

    def compute_mask(self, inputs, mask=None):
        return None if mask is None else ops.reshape(mask, (-1, self.window))

    def compute_output_shape(self, input_shape):
        return (None, self.window, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "window": self.window}


@keras.saving.register_keras_serializable(package="lstm")
class MergeWindows(layers.Layer):
    """``(B * T / window, window, F) -> (B, T, F)``, the inverse of :class:`SplitWindows`.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """

    def __init__(self, maxlen, **kwargs):
        super().__init__(**kwargs)
        self.maxlen = _check_int("maxlen", maxlen)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        return ops.reshape(inputs, (-1, self.maxlen, inputs.shape[-1]))

    def compute_mask(self, inputs, mask=None):
        return None if mask is None else ops.reshape(mask, (-1, self.maxlen))

    def compute_output_shape(self, input_shape):
        return (None, self.maxlen, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "maxlen": self.maxlen}


# --------------------------------------------------------------------------- models
def compile_binary(model, learning_rate=1e-3, decay_steps=None):
    """Compile for binary sentiment: Adam, binary cross-entropy, accuracy. Returns the model.

    ``decay_steps=None`` keeps the learning rate constant; an int makes it follow a cosine from
    ``learning_rate`` down to 0 over that many updates (``keras.optimizers.schedules.CosineDecay``;
    Loshchilov & Hutter 2017), and stay at 0 after them.

    No chapter uses it directly: used by ``article_model`` and ``sentiment_model``.
    """
    rate = _check_learning_rate(learning_rate)
    if decay_steps is not None:
        rate = keras.optimizers.schedules.CosineDecay(rate, _check_int("decay_steps", decay_steps))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def article_model(
    vocab_size=ARTICLE["num_words"],
    embedding_dim=ARTICLE["embedding_dim"],
    units=ARTICLE["units"],
    maxlen=ARTICLE["maxlen"],
    *,
    mask_zero=False,
    learning_rate=1e-3,
    compile=True,
    name="article_lstm",
):
    """The article's model in Keras 3 spelling: ``Embedding -> LSTM -> Dense(1, sigmoid)``.

    Defaults are the article's: ``Embedding(10000, 100)``, ``LSTM(100)``, inputs of 50 ids,
    Adam (Keras' default learning rate 1e-3), binary cross-entropy, accuracy. The article
    writes ``Embedding(..., input_length=max_length)``; Keras 3 deprecated that argument,
    and the input length is given by ``keras.Input(shape=(maxlen,))`` instead.
    ``mask_zero=False`` is the article's (it pads without masking).

    Shapes: ``(B, maxlen)`` ids -> ``(B, maxlen, embedding_dim)`` -> ``(B, units)`` -> ``(B, 1)``.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """
    vocab_size = _check_int("vocab_size", vocab_size, minimum=2)
    embedding_dim = _check_int("embedding_dim", embedding_dim)
    units = _check_int("units", units)
    maxlen = _check_int("maxlen", maxlen)
    model = keras.Sequential(
        [
            keras.Input(shape=(maxlen,), dtype="int32"),
            layers.Embedding(vocab_size, embedding_dim, mask_zero=bool(mask_zero)),  # (B, T, E)
            layers.LSTM(units),  # (B, H): the state after the last step
            layers.Dense(1, activation="sigmoid"),  # (B, 1): P(positive)
        ],
        name=name,
    )
    return compile_binary(model, learning_rate) if compile else model


def sentiment_model(
    vocab_size=20000,
    embedding_dim=64,
    units=32,
    maxlen=400,
    *,
    cell="lstm",
    bidirectional=True,
    pooling="max",
    window=None,
    mask_zero=True,
    spatial_dropout=0.2,
    word_dropout=0.0,
    dropout=0.3,
    learning_rate=2e-3,
    decay_steps=None,
    compile=True,
    name=None,
):
    """A configurable recurrent sentiment classifier (the book's "better model" family).

    ``Embedding(mask_zero) -> SpatialDropout1D -> [Bidirectional] cell -> pooling over
    time -> Dropout -> Dense(1, sigmoid)``.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.

    Args:
        vocab_size, embedding_dim, maxlen: input ids ``(B, maxlen)`` below ``vocab_size``.
        units: units of the recurrent layer (per direction when bidirectional).
        cell: ``"lstm"``, ``"gru"`` or ``"simple"`` (SimpleRNN).
        bidirectional: read the review both ways and concatenate (``2 * units`` features).
        pooling: how the sequence of hidden states becomes one vector:
            ``"last"`` the final state (the article's choice), ``"max"`` / ``"avg"`` the
            maximum / mean over (unmasked) time steps, ``"maxavg"`` both concatenated.
        window: None reads each review as one sequence of ``maxlen`` steps. An int cuts
            it into ``maxlen // window`` windows of ``window`` words that the recurrent
            layer reads side by side, each from a zero state (:class:`SplitWindows`), so
            a step of the recurrence processes ``B * maxlen / window`` windows at once and
            one pass takes ``window`` sequential steps instead of ``maxlen``. Needs a
            pooling over time (not ``"last"``) and ``maxlen`` divisible by ``window``.
        mask_zero: treat id 0 as padding that the recurrent layer and pooling skip.
        spatial_dropout: rate of ``SpatialDropout1D`` on the embeddings (whole embedding
            channels dropped per review); 0 leaves it out.
        word_dropout: rate at which whole words are dropped in training: their embedding
            vectors become zeros (``Dropout`` with one draw per word); 0 leaves it out.
        dropout: rate of ``Dropout`` before the read-out; 0 leaves it out.
        learning_rate: Adam's learning rate (the initial one with ``decay_steps``).
        decay_steps: None for a constant learning rate, or the number of updates over which it
            decays to 0 along a cosine (:func:`compile_binary`), for example
            ``epochs * ceil(n_train / batch_size)``.
        compile: compile with :func:`compile_binary`.
        name: model name (default derived from the configuration).
    """
    vocab_size = _check_int("vocab_size", vocab_size, minimum=2)
    embedding_dim = _check_int("embedding_dim", embedding_dim)
    units = _check_int("units", units)
    maxlen = _check_int("maxlen", maxlen)
    cell_cls = _CELLS[_check_choice("cell", cell, tuple(_CELLS))]
    _check_choice("pooling", pooling, _POOLINGS)
    spatial_dropout = _check_rate("spatial_dropout", spatial_dropout)
    word_dropout = _check_rate("word_dropout", word_dropout)
    dropout = _check_rate("dropout", dropout)
    if window is not None:
        window = _check_int("window", window)
        if maxlen % window:
            raise ValueError(f"maxlen={maxlen} must be a multiple of window={window}")
        if pooling == "last":
            raise ValueError("window needs a pooling over time ('max', 'avg', 'maxavg'), got pooling='last'")
    if name is None:
        name = f"{'bi' if bidirectional else ''}{cell}_{pooling}" + (f"_w{window}" if window else "")

    inputs = keras.Input(shape=(maxlen,), dtype="int32", name="word_ids")  # (B, T)
    x = layers.Embedding(vocab_size, embedding_dim, mask_zero=bool(mask_zero))(inputs)  # (B, T, E)
    if spatial_dropout:
        x = layers.SpatialDropout1D(spatial_dropout)(x)
    if word_dropout:
        x = layers.Dropout(word_dropout, noise_shape=(None, maxlen, 1), name="word_dropout")(x)
    rnn = cell_cls(units, return_sequences=pooling != "last")
    if bidirectional:
        rnn = layers.Bidirectional(rnn)
    if window:
        x = SplitWindows(window)(x)  # (B * T / w, w, E)
    x = rnn(x)  # (B, T, F) or (B, F), F = units * (2 if bidirectional else 1)
    if window:
        x = MergeWindows(maxlen)(x)  # (B, T, F)
    if pooling == "max":
        x = MaskedGlobalMaxPooling1D()(x)  # (B, F)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling1D()(x)  # (B, F), respects the mask
    elif pooling == "maxavg":
        x = layers.Concatenate()([MaskedGlobalMaxPooling1D()(x), layers.GlobalAveragePooling1D()(x)])
    if dropout:
        x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)  # (B, 1)
    model = keras.Model(inputs, outputs, name=name)
    return compile_binary(model, learning_rate, decay_steps) if compile else model


def recurrent_param_count(cell, input_dim, units, *, bidirectional=False):
    """Trainable parameters of one Keras recurrent layer (see the module docstring).

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """
    _check_choice("cell", cell, tuple(_CELLS))
    d, h = _check_int("input_dim", input_dim), _check_int("units", units)
    per_gate = h * (d + h)
    count = {"lstm": 4 * (per_gate + h), "gru": 3 * (per_gate + 2 * h), "simple": per_gate + h}[cell]
    return 2 * count if bidirectional else count


# --------------------------------------------------------------------------- training
def to_dataset(x, y=None, batch_size=32, *, shuffle=False, seed=0):
    """A ``tf.data`` pipeline of ``(x, y)`` (or ``x``) batches, reshuffled every epoch if asked.

    Why not hand NumPy arrays to Keras? Keras' NumPy input pipeline uses a parallel
    ``map``; with TensorFlow's op determinism on (``lstm.notebook.setup``) TensorFlow
    rewrites it into a sequential one and logs a harmless internal error line about
    ``use_unbounded_threadpool`` to stderr, which would end up in the notebooks. A plain
    ``from_tensor_slices -> shuffle -> batch`` pipeline has no ``map`` and logs nothing.
    The shuffle is seeded, so training is reproducible.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """
    import tensorflow as tf

    batch_size = _check_int("batch_size", batch_size)
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
    return model.fit(train, epochs=_check_int("epochs", epochs), validation_data=validation_data,
                     shuffle=False, **kwargs)


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
    _check_choice("mode", mode, ("min", "max"))
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


def predict_texts(model, texts, *, word_index=None, num_words=ARTICLE["num_words"], maxlen=None,
                  padding=ARTICLE["padding"], truncating=ARTICLE["truncating"]):
    """P(positive) for raw review strings, encoded exactly like the training data.

    ``maxlen`` defaults to the model's input length. Words never seen in training are
    dropped, rare ones (``>= num_words``) become the OOV id, as in :func:`lstm.data.load_imdb`.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """
    from lstm.data import encode_review, get_word_index

    if isinstance(texts, str) or len(texts) == 0:
        raise ValueError(f"texts must be a non-empty list of strings, got {texts!r}")
    if maxlen is None:
        maxlen = model.input_shape[1]
    if word_index is None:
        word_index = get_word_index()
    ids = [encode_review(t, word_index, num_words=num_words) for t in texts]
    return predict(model, pad(ids, maxlen, padding, truncating))
