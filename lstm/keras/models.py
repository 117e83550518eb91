"""Keras models of chapters 4-7: the article's, the configurable sentiment classifier, the
adding problem's regressor, and the layers they need.

The source article's worked example (its section 4) is, in today's Keras 3 spelling::

    (x_train, y_train), (x_test, y_test) = load_imdb(num_words=10000)
    x = pad(x, maxlen=50, padding="post")  # (B, T=50)
    # (B, T, 100) -> (B, 100) -> (B, 1)
    Embedding(10000, 100) -> LSTM(100) -> Dense(1, sigmoid)
    compile(loss="binary_crossentropy", optimizer="adam")
    fit(batch_size=32, epochs=5)

:func:`article_model` builds exactly that, with the article's numbers (:data:`lstm.recipes.ARTICLE`)
as its defaults; :func:`sentiment_model` is the configurable builder for better models
(bidirectional, pooling over time, dropout, masking, windows, GRU or SimpleRNN instead of LSTM);
:func:`adding_model` is the small regressor of the adding problem.

Parameter counts (:func:`recurrent_param_count`), for input width ``D`` and ``H`` units:

- Keras ``LSTM``: ``4 * (H * (D + H) + H)`` -- four blocks i, f, g (candidate), o, each
  with an input kernel ``(D, H)``, a recurrent kernel ``(H, H)`` and a bias ``(H,)``;
- Keras ``GRU`` (``reset_after=True``, the default): ``3 * (H * (D + H) + 2 * H)``;
- ``SimpleRNN``: ``H * (D + H) + H``; a ``Bidirectional`` wrapper doubles any of them.

Masking: with ``mask_zero=True`` the embedding marks id 0 (padding) as absent; the
recurrent layer then skips those steps (it carries its state through them unchanged) and
returns the state at the last real word. Keras' ``GlobalMaxPooling1D`` ignores masks,
so :class:`MaskedGlobalMaxPooling1D` is provided: the maximum over real steps only.

References: the article (section 4); Maas et al. (2011) for the data; Hochreiter &
Schmidhuber (1997), Gers et al. (2000) for the LSTM; Loshchilov & Hutter (2017) for the cosine
decay.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from ..checks import check_choice, check_int, check_number, check_rate
from ..core.lstm import chrono_bias
from ..recipes import ARTICLE

__all__ = [
    "MaskedGlobalMaxPooling1D",
    "Regroup",
    "adding_model",
    "article_model",
    "compile_binary",
    "describe",
    "recurrent_param_count",
    "sentiment_model",
]

_CELLS = {"lstm": layers.LSTM, "gru": layers.GRU, "simple": layers.SimpleRNN}
_POOLINGS = ("last", "max", "avg", "maxavg")


@keras.saving.register_keras_serializable(package="lstm")
class MaskedGlobalMaxPooling1D(layers.Layer):
    """Maximum over time of ``(B, T, F)`` -> ``(B, F)``, over unmasked steps only.

    Keras' ``GlobalMaxPooling1D`` ignores the mask, so padded steps (where a masked
    recurrent layer with ``return_sequences=True`` outputs zeros) take part in the max.
    A row with every step masked gives zeros.

    Introduced in :doc:`chapter 6 </chapters/05_imdb_better_model>`.
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
class Regroup(layers.Layer):
    """``(N, T, F) -> (N * T / steps, steps, F)``: the same values regrouped into sequences of
    ``steps`` time steps (the mask ``(N, T)`` is regrouped the same way).

    ``Regroup(window)`` cuts every review of ``maxlen`` steps into windows that a recurrent
    layer then reads side by side, as separate sequences; ``Regroup(maxlen)`` puts the windows'
    outputs back into one sequence per review.

    Introduced in :doc:`chapter 6 </chapters/05_imdb_better_model>`.
    """

    def __init__(self, steps, **kwargs):
        super().__init__(**kwargs)
        self.steps = check_int("steps", steps)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        return ops.reshape(inputs, (-1, self.steps, inputs.shape[-1]))

    def compute_mask(self, inputs, mask=None):
        return None if mask is None else ops.reshape(mask, (-1, self.steps))

    def compute_output_shape(self, input_shape):
        return (None, self.steps, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "steps": self.steps}


# --------------------------------------------------------------------------- models
def compile_binary(model, learning_rate=1e-3, decay_steps=None):
    """Compile for binary sentiment: Adam, binary cross-entropy, accuracy. Returns the model.

    ``decay_steps=None`` keeps the learning rate constant; an int makes it follow a cosine from
    ``learning_rate`` down to 0 over that many updates (``keras.optimizers.schedules.CosineDecay``;
    Loshchilov & Hutter 2017), and stay at 0 after them.
    """
    rate = check_number("learning_rate", learning_rate, positive=True)
    if decay_steps is not None:
        rate = keras.optimizers.schedules.CosineDecay(rate, check_int("decay_steps", decay_steps))
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
    vocab_size = check_int("vocab_size", vocab_size, minimum=2)
    embedding_dim = check_int("embedding_dim", embedding_dim)
    units = check_int("units", units)
    maxlen = check_int("maxlen", maxlen)
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
    num_layers=1,
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
        units: units of each recurrent layer (per direction when bidirectional).
        cell: ``"lstm"``, ``"gru"`` or ``"simple"`` (SimpleRNN).
        num_layers: recurrent layers stacked, each reading the state sequence of the one below
            (all but the last return every step).
        bidirectional: read the review both ways and concatenate (``2 * units`` features).
        pooling: how the sequence of hidden states becomes one vector:
            ``"last"`` the final state (the article's choice), ``"max"`` / ``"avg"`` the
            maximum / mean over (unmasked) time steps, ``"maxavg"`` both concatenated.
        window: None reads each review as one sequence of ``maxlen`` steps. An int cuts
            it into ``maxlen // window`` windows of ``window`` words that the recurrent
            layer reads side by side, each from a zero state (:class:`Regroup`), so
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
    vocab_size = check_int("vocab_size", vocab_size, minimum=2)
    embedding_dim = check_int("embedding_dim", embedding_dim)
    units = check_int("units", units)
    maxlen = check_int("maxlen", maxlen)
    cell_cls = _CELLS[check_choice("cell", cell, tuple(_CELLS))]
    num_layers = check_int("num_layers", num_layers)
    check_choice("pooling", pooling, _POOLINGS)
    spatial_dropout = check_rate("spatial_dropout", spatial_dropout)
    word_dropout = check_rate("word_dropout", word_dropout)
    dropout = check_rate("dropout", dropout)
    if window is not None:
        window = check_int("window", window)
        if maxlen % window:
            raise ValueError(f"maxlen={maxlen} must be a multiple of window={window}")
        if pooling == "last":
            raise ValueError("window needs a pooling over time ('max', 'avg', 'maxavg'), got pooling='last'")
    if name is None:
        name = f"{'bi' if bidirectional else ''}{cell}_{pooling}" + (f"_w{window}" if window else "")
        name += f"_x{num_layers}" if num_layers > 1 else ""

    inputs = keras.Input(shape=(maxlen,), dtype="int32", name="word_ids")  # (B, T)
    x = layers.Embedding(vocab_size, embedding_dim, mask_zero=bool(mask_zero))(inputs)  # (B, T, E)
    if spatial_dropout:
        x = layers.SpatialDropout1D(spatial_dropout)(x)
    if word_dropout:
        x = layers.Dropout(word_dropout, noise_shape=(None, maxlen, 1), name="word_dropout")(x)
    if window:
        x = Regroup(window)(x)  # (B * T / w, w, E)
    # cuDNN (Keras' GPU kernel) accepts only right-padded masks with no fully masked sequence, and
    # checks this at run time instead of falling back: windows cut from a padded review can be all
    # padding, so windowed masked models use the generic kernel (the same numbers; CPUs always do).
    kernel = {"use_cudnn": False} if window and mask_zero and cell != "simple" else {}
    for k in range(num_layers):
        rnn = cell_cls(units, return_sequences=pooling != "last" or k < num_layers - 1, **kernel)
        if bidirectional:
            rnn = layers.Bidirectional(rnn)
        x = rnn(x)  # (B, T, F) or, last layer with pooling "last", (B, F); F = units * (1 or 2)
    if window:
        x = Regroup(maxlen)(x)  # (B, T, F)
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


def describe(model):
    """A compact table of a built model's layers: name, type, output shape and parameters.

    ``model.summary()`` also lists the operations of a functional graph (``not_equal``,
    ``reshape``, ...) and draws boxes wider than a book's page; this lists the layers only, one
    line each, in columns as wide as their longest entry, and the total.

    Introduced in :doc:`chapter 6 </chapters/05_imdb_better_model>`.

    Raises:
        ValueError: if the model is not built (give it a ``keras.Input`` first).
    """
    if not model.built:
        raise ValueError(f"model {model.name!r} is not built: start it with keras.Input(shape=...)")
    rows = [
        (layer.name, type(layer).__name__, str(tuple(layer.output.shape)), layer.count_params())
        for layer in model.layers
    ]
    w_name = max(len("layer"), *(len(r[0]) for r in rows))
    w_type = max(len("type"), *(len(r[1]) for r in rows))
    w_shape = max(len("output shape"), *(len(r[2]) for r in rows))
    lines = [f"{'layer':{w_name}s} {'type':{w_type}s} {'output shape':{w_shape}s} {'parameters':>10s}"]
    lines += [f"{n:{w_name}s} {t:{w_type}s} {s:{w_shape}s} {c:10,d}" for n, t, s, c in rows]
    lines.append(f"{'total':{w_name + w_type + w_shape + 2}s} {model.count_params():10,d}")
    return "\n".join(lines)


def recurrent_param_count(cell, input_dim, units, *, bidirectional=False):
    """Trainable parameters of one Keras recurrent layer (see the module docstring).

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.
    """
    check_choice("cell", cell, tuple(_CELLS))
    d, h = check_int("input_dim", input_dim), check_int("units", units)
    per_gate = h * (d + h)
    count = {"lstm": 4 * (per_gate + h), "gru": 3 * (per_gate + 2 * h), "simple": per_gate + h}[cell]
    return 2 * count if bidirectional else count


def adding_model(
    units=32,
    *,
    cell="lstm",
    learning_rate=1e-2,
    clipnorm=1.0,
    chrono_max_lag=None,
    compile=True,
):
    """The adding problem's regressor: ``Input(None, 2) -> cell(units) -> Dense(1)``, MSE.

    Inputs ``(B, T, 2)`` of any length T (values, markers; :func:`lstm.data.tasks.adding_problem`)
    -> the state after the last step ``(B, units)`` -> the predicted sum ``(B, 1)``. Adam with
    each gradient clipped to a norm of ``clipnorm`` (Keras' ``clipnorm``: per variable).

    Introduced in :doc:`chapter 6 </chapters/06_future_trends>`.

    Args:
        units: units of the recurrent layer.
        cell: ``"lstm"``, ``"gru"`` or ``"simple"`` (SimpleRNN).
        learning_rate: Adam's learning rate.
        clipnorm: the norm Adam clips each variable's gradient to.
        chrono_max_lag: None for Keras' initialization; an int gives an LSTM the chrono
            initialization of its biases for dependencies up to that many steps
            (:func:`lstm.chrono_bias`).
        compile: compile with Adam and the mean squared error.
    """
    units = check_int("units", units)
    cell_cls = _CELLS[check_choice("cell", cell, tuple(_CELLS))]
    rnn = cell_cls(units)
    model = keras.Sequential(
        [
            keras.Input(shape=(None, 2)),  # (B, T, 2), any T
            rnn,  # (B, H): the state after the last step
            layers.Dense(1),  # (B, 1): the predicted sum
        ],
        name=f"adding_{cell}",
    )
    if chrono_max_lag is not None:
        if cell != "lstm":
            raise ValueError(f"chrono_max_lag needs cell='lstm', got cell={cell!r}")
        rnn.cell.bias.assign(chrono_bias(units, chrono_max_lag))  # fused bias, gates i, f, g, o
    if compile:
        rate = check_number("learning_rate", learning_rate, positive=True)
        clip = check_number("clipnorm", clipnorm, positive=True)
        model.compile(optimizer=keras.optimizers.Adam(rate, clipnorm=clip), loss="mse")
    return model
