"""The model configurations the book trains, written once: chapters and benchmarks import them.

Each recipe is a plain dict of keyword arguments (no TensorFlow is imported here):

- :data:`ARTICLE` -- the source article's worked example (its section 4): data and training
  settings as the article gives them, the defaults of :func:`lstm.keras.models.article_model`
  and of :func:`lstm.data.splits.prepare_imdb`.
- :data:`BASELINE` -- the small one-directional LSTM read at its last state that chapters 4, 5
  and 6 train on IMDB when they compare one thing at a time (masking, review length, cells,
  learning rates): keyword arguments of :func:`lstm.keras.models.sentiment_model`.
- :data:`BEST` and :data:`BEST_TRAINING` -- chapter 5's best model and how it is trained,
  chosen on a validation set held out by movie (``benchmarks/imdb_choices.py`` prints the trial
  runs behind each choice).

Use them as ``sentiment_model(**BASELINE, maxlen=256)`` or ``{**BEST, "vocab_size": 10000}``:
the dicts are never changed in place.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["ARTICLE", "BASELINE", "BEST", "BEST_TRAINING"]

#: The article's configuration (its section 4). ``truncating`` is not in the article; "pre"
#: is Keras' default.
ARTICLE = MappingProxyType(
    {
        "num_words": 10000,
        "embedding_dim": 100,
        "units": 100,
        "maxlen": 50,
        "padding": "post",
        "truncating": "pre",
        "batch_size": 32,
        "epochs": 5,
    }
)

#: The small baseline, ``Embedding(10000, 32) -> LSTM(32) -> Dense(1, sigmoid)``, masked, without
#: dropout, Adam at 2e-3 (``sentiment_model``'s default learning rate); the caller gives ``maxlen``.
BASELINE = MappingProxyType(
    {
        "vocab_size": 10000,
        "embedding_dim": 32,
        "units": 32,
        "cell": "lstm",
        "bidirectional": False,
        "pooling": "last",
        "spatial_dropout": 0.0,
        "dropout": 0.0,
    }
)

#: Chapter 4's best model, with 5,000 words and 400 ids read in windows of 50 by a bidirectional
#: LSTM, pooled by max and mean, with word and embedding dropout.
BEST = MappingProxyType(
    {
        "vocab_size": 5000,
        "embedding_dim": 64,
        "units": 32,
        "maxlen": 400,
        "window": 50,
        "bidirectional": True,
        "pooling": "maxavg",
        "spatial_dropout": 0.2,
        "word_dropout": 0.2,
        "dropout": 0.3,
        "learning_rate": 0.002,
    }
)

#: How :data:`BEST` is trained, with reviews padded at the end and cut at the start, batches of 64,
#: the learning rate falling to 0 along a cosine over all updates of a run
#: (``decay_steps = epochs * ceil(n / batch_size)``); ``epochs`` is the length of the run on the
#: movie hold-out, which chooses how many the final run on all training reviews takes.
BEST_TRAINING = MappingProxyType(
    {"batch_size": 64, "epochs": 2, "padding": "post", "truncating": "pre", "holdout": "movie"}
)
