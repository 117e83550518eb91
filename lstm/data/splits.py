"""IMDB splits: padding, a validation set held out from the training reviews, padded arrays.

:func:`prepare_imdb` turns the raw-text loader :func:`lstm.data.imdb.load_imdb` into padded
train / validation / test arrays, with the validation set held out *from the training set*
(the source article validates on the test set, which then stops being a test), at random
(:func:`split_validation`) or, like the test set, by movie (:func:`movie_holdout`).
NumPy only: nothing here imports TensorFlow.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..checks import check_choice, check_int, check_rate
from ..recipes import ARTICLE

__all__ = ["ImdbSplits", "movie_holdout", "pad", "prepare_imdb", "split_validation"]


class ImdbSplits(NamedTuple):
    """Padded IMDB arrays: ``x_*`` int32 ``(N, maxlen)``, ``y_*`` int64 ``(N,)`` (1 = positive)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def pad(
    sequences,
    maxlen=ARTICLE["maxlen"],
    padding=ARTICLE["padding"],
    truncating=ARTICLE["truncating"],
    value=0,
):
    """Pad or cut every sequence of ids to ``maxlen``: an int32 array ``(N, maxlen)``.

    The same result as ``keras.utils.pad_sequences(..., dtype="int32")``, in NumPy.
    ``padding`` says where the ``value`` ids go in a short sequence; ``truncating`` which end
    of a long one is cut ("pre" cuts the beginning and keeps the end). The defaults are the
    article's (:data:`lstm.recipes.ARTICLE`): 50 ids, padded at the end, cut at the start.
    """
    maxlen = check_int("maxlen", maxlen)
    check_choice("padding", padding, ("pre", "post"))
    check_choice("truncating", truncating, ("pre", "post"))
    if len(sequences) == 0:
        raise ValueError("sequences is empty: expected at least one sequence of word ids")
    out = np.full((len(sequences), maxlen), value, dtype=np.int32)  # (N, maxlen)
    for row, seq in enumerate(sequences):
        seq = np.asarray(seq, dtype=np.int32).reshape(-1)
        seq = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        if len(seq):
            if padding == "post":
                out[row, : len(seq)] = seq
            else:
                out[row, -len(seq) :] = seq
    return out


def split_validation(n, val_split=0.2, seed=0):
    """Indices ``(train_idx, val_idx)`` of a seeded random hold-out of ``val_split * n`` items."""
    n = check_int("n", n, minimum=2)
    val_split = check_rate("val_split", val_split)
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
    accuracy overstates test accuracy, whose movies are all new. Here each label's ids are cut
    into blocks of ``block`` consecutive ids, and a seeded random ``val_split`` share of every
    label's blocks is held out whole: a movie can be on both sides only at the two edges of a block, and
    both labels keep their share.

    Introduced in :doc:`chapter 4 </chapters/04_imdb_sentiment>`.

    Args:
        review_ids, labels: ``(N,)`` ints per training review, from
            :func:`lstm.data.imdb.load_imdb_info`.
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
    val_split = check_rate("val_split", val_split)
    block = check_int("block", block)
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
    """Load IMDB with :func:`lstm.data.imdb.load_imdb`, hold out validation, pad every split.

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
    num_words = check_int("num_words", num_words, minimum=4)
    check_choice("holdout", holdout, ("random", "movie"))
    if data is None:
        from .imdb import load_imdb

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
        from .imdb import load_imdb_info

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
        x_train_all[train_idx],
        y_train[train_idx],
        x_train_all[val_idx],
        y_train[val_idx],
        x_test,
        np.asarray(y_test, dtype=np.int64),
    )
