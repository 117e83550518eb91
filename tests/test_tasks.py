"""Tests for the toy tasks in lstm.data.tasks: shapes, dtypes, the stated answers, seeding, validation."""

import numpy as np
import pytest

from lstm.data.tasks import (
    DELIMITER_SYMBOLS,
    adding_problem,
    delimiter_count,
    one_hot,
    recall_first,
)


@pytest.mark.parametrize("n, T", [(1, 2), (7, 3), (64, 50), (33, 101)])
def test_adding_problem_shapes_markers_and_target(n, T):
    x, y = adding_problem(n, T, seed=n + T)
    assert x.shape == (n, T, 2) and x.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.float32
    values, markers = x[..., 0], x[..., 1]
    assert values.min() >= 0.0 and values.max() < 1.0
    assert set(np.unique(markers)) <= {0.0, 1.0}
    half = T // 2
    assert np.all(markers[:, :half].sum(axis=1) == 1)  # one marker in each half
    assert np.all(markers[:, half:].sum(axis=1) == 1)
    np.testing.assert_allclose(y, (values * markers).sum(axis=1), rtol=1e-6)


def test_adding_problem_baseline_mse_is_one_sixth():
    _, y = adding_problem(50_000, 20, seed=0)
    assert abs(np.mean((y - 1.0) ** 2) - 1 / 6) < 0.005


def test_adding_problem_is_seeded():
    a, ya = adding_problem(5, 10, seed=3)
    b, yb = adding_problem(5, 10, seed=3)
    c, _ = adding_problem(5, 10, seed=4)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize(
    "bad",
    [dict(n_samples=0, T=10), dict(n_samples=3, T=1), dict(n_samples=2.5, T=10), dict(n_samples=3, T=True)],
)
def test_adding_problem_rejects_bad_arguments(bad):
    with pytest.raises(ValueError, match="must be an int"):
        adding_problem(**bad)


@pytest.mark.parametrize("k, S", [(1, 2), (5, 4), (20, 3)])
def test_recall_first_label_is_the_flagged_first_symbol(k, S):
    x, y = recall_first(40, k, n_symbols=S, seed=k)
    assert x.shape == (40, k + 1, S + 2) and x.dtype == np.float32
    assert y.shape == (40,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.argmax(x[:, 0, :S], axis=1), y)
    assert np.all(x[..., :S].sum(axis=-1) == 1)  # one symbol per step, from the same alphabet
    first, last = np.eye(k + 1)[0], np.eye(k + 1)[-1]
    np.testing.assert_array_equal(x[:, :, S], np.broadcast_to(first, (40, k + 1)))  # store flag
    np.testing.assert_array_equal(x[:, :, S + 1], np.broadcast_to(last, (40, k + 1)))  # answer flag
    assert y.min() >= 0 and y.max() < S


def test_recall_first_distractors_are_not_the_label():
    x, y = recall_first(2000, 6, n_symbols=4, seed=5)
    later = np.argmax(x[:, 1:, :4], axis=-1)  # (n, k) distractor symbols
    assert 0.15 < np.mean(later == y[:, None]) < 0.35  # independent of the key: 1/4 match it


def test_recall_first_labels_are_balanced_enough():
    _, y = recall_first(4000, 3, n_symbols=4, seed=0)
    counts = np.bincount(y, minlength=4) / 4000
    assert np.all(np.abs(counts - 0.25) < 0.03)


@pytest.mark.parametrize("bad", [dict(k=0), dict(k=3, n_symbols=1), dict(k="3"), dict(k=2, n_symbols=2.0)])
def test_recall_first_rejects_bad_arguments(bad):
    with pytest.raises(ValueError):
        recall_first(10, **bad)


def test_delimiter_count_matches_a_reference_loop():
    x, y, ids = delimiter_count(6, 40, seed=1)
    assert x.shape == (6, 40, 3) and y.shape == (6, 40) and ids.shape == (6, 40)
    np.testing.assert_array_equal(np.argmax(x, axis=-1), ids)
    for seq, target in zip(ids, y):
        count = 0
        for t, symbol in enumerate(seq):
            count = 0 if DELIMITER_SYMBOLS[symbol] == "|" else count + (DELIMITER_SYMBOLS[symbol] == "a")
            assert target[t] == count


def test_delimiter_count_max_count_saturates():
    _, y, _ = delimiter_count(20, 60, p_delim=0.02, max_count=3, seed=0)
    assert y.max() == 3


@pytest.mark.parametrize(
    "bad", [dict(p_delim=0.0), dict(p_delim=1.0), dict(p_a=1.5), dict(max_count=0), dict(T=0)]
)
def test_delimiter_count_rejects_bad_arguments(bad):
    kwargs = dict(n_samples=3, T=10) | bad
    with pytest.raises(ValueError):
        delimiter_count(**kwargs)


def test_one_hot_and_its_validation():
    np.testing.assert_array_equal(one_hot(np.array([[0, 2]]), 3), [[[1, 0, 0], [0, 0, 1]]])
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        one_hot(np.array([3]), 3)
    with pytest.raises(ValueError):
        one_hot(np.array([0.5]), 3)
