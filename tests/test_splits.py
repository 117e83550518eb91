"""Tests of lstm.data.splits (padding, hold-outs, padded splits): NumPy only, no TensorFlow."""

import subprocess
import sys

import numpy as np
import pytest

from lstm.data.splits import movie_holdout, pad, prepare_imdb, split_validation


def _ids(rng, n, lengths, vocab):
    return [list(rng.integers(3, vocab, size=int(length))) for length in rng.choice(lengths, size=n)]


def test_splits_and_recipes_import_no_tensorflow():
    code = (
        "import sys, lstm, lstm.data.splits, lstm.data.tasks, lstm.recipes, lstm.train, lstm.core.reference; "
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _fake_data(n_train=50, n_test=30, vocab=20, seed=0):
    rng = np.random.default_rng(seed)
    x_train = _ids(rng, n_train, [1, 4, 12], vocab)
    x_test = _ids(rng, n_test, [2, 9], vocab)
    return (x_train, rng.integers(0, 2, n_train)), (x_test, rng.integers(0, 2, n_test))


def test_prepare_imdb_holds_out_validation_from_training_set():
    data = _fake_data()
    s = prepare_imdb(num_words=20, maxlen=6, val_split=0.2, seed=1, data=data)
    assert s.x_train.shape == (40, 6) and s.x_val.shape == (10, 6) and s.x_test.shape == (30, 6)
    assert s.x_train.dtype == np.int32 and s.y_train.shape == (40,) and s.y_test.shape == (30,)
    train_idx, val_idx = split_validation(50, 0.2, seed=1)
    assert not set(train_idx) & set(val_idx) and len(set(train_idx) | set(val_idx)) == 50
    full = pad(data[0][0], 6)
    np.testing.assert_array_equal(s.x_val, full[val_idx])
    np.testing.assert_array_equal(s.y_train, np.asarray(data[0][1])[train_idx])
    again = prepare_imdb(num_words=20, maxlen=6, val_split=0.2, seed=1, data=data)
    np.testing.assert_array_equal(s.x_val, again.x_val)
    other = prepare_imdb(num_words=20, maxlen=6, val_split=0.2, seed=2, data=data)
    assert not np.array_equal(s.x_val, other.x_val)


def test_movie_holdout_keeps_blocks_of_neighbouring_ids_together():
    rng = np.random.default_rng(3)
    ids = np.concatenate([rng.permutation(400), rng.permutation(300)])  # two label folders
    labels = np.repeat([0, 1], [400, 300])
    train_idx, val_idx = movie_holdout(ids, labels, val_split=0.2, seed=1, block=50)
    assert not set(train_idx) & set(val_idx) and len(train_idx) + len(val_idx) == 700
    # 20 % of each label's blocks: 8 blocks of label 0 -> 2 held out, 6 of label 1 -> 1
    assert np.sum(labels[val_idx] == 0) == 100 and np.sum(labels[val_idx] == 1) == 50
    val_blocks = {(l, i // 50) for l, i in zip(labels[val_idx], ids[val_idx])}
    train_blocks = {(l, i // 50) for l, i in zip(labels[train_idx], ids[train_idx])}
    assert not val_blocks & train_blocks and len(val_blocks) == 3
    again = movie_holdout(ids, labels, val_split=0.2, seed=1, block=50)
    np.testing.assert_array_equal(again[1], val_idx)
    others = {tuple(movie_holdout(ids, labels, val_split=0.2, seed=s, block=50)[1]) for s in range(5)}
    assert len(others) > 1


def test_prepare_imdb_movie_holdout_uses_the_review_files(monkeypatch):
    data = _fake_data(n_train=40)
    labels = np.asarray(data[0][1])
    ids = np.zeros(40, dtype=np.int64)
    for label in (0, 1):  # ids 0, 250, 500, ... within each label: two reviews per block of 500
        ids[labels == label] = 250 * np.arange(np.sum(labels == label))
    import lstm.data.imdb

    monkeypatch.setattr(
        lstm.data.imdb, "load_imdb_info", lambda path=None: ({"review_id": ids, "label": labels}, None)
    )
    s = prepare_imdb(num_words=20, maxlen=6, val_split=0.25, seed=0, holdout="movie", data=data)
    train_idx, val_idx = movie_holdout(ids, labels, 0.25, 0)
    np.testing.assert_array_equal(s.x_val, pad(data[0][0], 6)[val_idx])
    np.testing.assert_array_equal(s.y_train, labels[train_idx])
    shuffled = ((data[0][0], 1 - labels), data[1])  # labels that do not line up with the files
    with pytest.raises(ValueError, match="line up"):
        prepare_imdb(num_words=20, maxlen=6, holdout="movie", data=shuffled)


def test_pad_padding_and_truncating_sides():
    seqs = [[5, 6, 7, 8], [9]]
    np.testing.assert_array_equal(pad(seqs, 3, "post", "pre"), [[6, 7, 8], [9, 0, 0]])
    np.testing.assert_array_equal(pad(seqs, 3, "pre", "post"), [[5, 6, 7], [0, 0, 9]])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda d: prepare_imdb(num_words=20, maxlen=0, data=d), "maxlen"),
        (lambda d: prepare_imdb(num_words=20, padding="left", data=d), "padding"),
        (lambda d: prepare_imdb(num_words=20, truncating="middle", data=d), "truncating"),
        (lambda d: prepare_imdb(num_words=20, val_split=1.0, data=d), "val_split"),
        (lambda d: prepare_imdb(num_words=20, val_split=0, data=d), "val_split"),
        (lambda d: prepare_imdb(num_words=10, data=d), "num_words"),
        (lambda d: prepare_imdb(num_words=20, data=((d[0][0], d[0][1][:3]), d[1])), "labels"),
        (lambda d: pad([], 5), "empty"),
        (lambda d: prepare_imdb(num_words=20, holdout="movies", data=d), "holdout"),
        (lambda d: movie_holdout([1, 2, 3], [0, 1], 0.2), "same length"),
        (lambda d: movie_holdout([0.5, 1.5], [0, 1], 0.2), "integer"),
        (lambda d: movie_holdout(np.arange(10), np.zeros(10, int), 0.2, block=10), "block"),
        (lambda d: movie_holdout(np.arange(10), np.zeros(10, int), 1.5), "val_split"),
    ],
)
def test_data_helpers_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call(_fake_data())
