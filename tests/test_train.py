"""Training pieces of lstm.train: Dense, losses, Adam (= Keras), clipping, the seeded loop."""

import numpy as np
import pytest

from lstm import GRU, LSTM, SimpleRNN
from lstm.core import threads
from lstm.core.gradcheck import numerical_gradient, relative_error
from lstm.core.threads import blas_threads
from lstm.train import (
    Adam,
    Dense,
    SequenceModel,
    binary_crossentropy,
    clip_by_global_norm,
    evaluate,
    fit,
    mse,
    sparse_categorical_crossentropy,
)


def test_dense_backward_matches_central_differences():
    rng = np.random.default_rng(0)
    d = Dense(4, 3, seed=0)
    d.params["b"][...] = rng.standard_normal(3)
    h = rng.standard_normal((2, 5, 4))  # works on (..., in_features)
    w = rng.standard_normal((2, 5, 3))
    y, cache = d.forward(h)
    assert y.shape == (2, 5, 3)
    dh, grads = d.backward(w, cache)
    f = lambda: float(np.sum(w * d.forward(h)[0]))  # noqa: E731
    for k in ("W", "b"):
        assert relative_error(numerical_gradient(f, d.params[k]), grads[k]) < 1e-8
    assert relative_error(numerical_gradient(f, h), dh) < 1e-8
    with pytest.raises(ValueError, match=r"\(\.\.\., 4\)"):
        d.forward(np.zeros((2, 3)))


LOSS_CASES = {
    "mse": (mse, lambda rng: (rng.standard_normal((6, 1)), rng.standard_normal(6))),
    "bce": (
        binary_crossentropy,
        lambda rng: (rng.standard_normal((6, 4, 1)) * 3, rng.integers(0, 2, (6, 4)).astype(float)),
    ),
    "scce": (
        sparse_categorical_crossentropy,
        lambda rng: (rng.standard_normal((6, 5)) * 3, rng.integers(0, 5, 6)),
    ),
}


@pytest.mark.parametrize("name", list(LOSS_CASES))
def test_loss_gradients(name):
    fn, make = LOSS_CASES[name]
    pred, target = make(np.random.default_rng(1))
    value, grad = fn(pred, target)
    assert grad.shape == pred.shape
    num = numerical_gradient(lambda: fn(pred, target)[0], pred)
    assert relative_error(num, grad) < 1e-8


def test_losses_equal_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(2)
    p, t = LOSS_CASES["mse"][1](rng)
    ref = keras.losses.MeanSquaredError()(t[:, None], p)
    assert mse(p, t)[0] == pytest.approx(float(ref), rel=1e-6)
    p, t = LOSS_CASES["bce"][1](rng)
    ref = keras.losses.BinaryCrossentropy(from_logits=True)(t[..., None], p)
    assert binary_crossentropy(p, t)[0] == pytest.approx(float(ref), rel=1e-6)
    p, t = LOSS_CASES["scce"][1](rng)
    ref = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(t, p)
    assert sparse_categorical_crossentropy(p, t)[0] == pytest.approx(float(ref), rel=1e-6)


def test_losses_are_finite_for_huge_logits():
    big = np.array([[1e4], [-1e4]])
    assert np.isfinite(binary_crossentropy(big, [0.0, 1.0])[0])
    assert np.isfinite(sparse_categorical_crossentropy(np.array([[1e4, -1e4]]), np.array([1]))[0])


def test_loss_bad_input():
    with pytest.raises(ValueError, match="do not match"):
        mse(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="integers"):
        sparse_categorical_crossentropy(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        sparse_categorical_crossentropy(np.zeros((3, 2)), np.array([0, 1, 2]))


def test_adam_equals_keras_adam():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(3)
    start = {"a": rng.standard_normal((3, 2)), "b": rng.standard_normal(4)}
    grads = [{k: rng.standard_normal(v.shape) for k, v in start.items()} for _ in range(5)]
    mine = {k: v.copy() for k, v in start.items()}
    opt = Adam(learning_rate=0.01)
    ref_vars = [keras.Variable(start[k], dtype="float64") for k in ("a", "b")]
    ref = keras.optimizers.Adam(learning_rate=0.01)
    for g in grads:
        opt.step(mine, g)
        ref.apply_gradients([(g["a"], ref_vars[0]), (g["b"], ref_vars[1])])
    assert opt.iterations == 5
    # Keras keeps learning_rate, beta_1 and beta_2 as float32 values, so its bias corrections
    # differ from exact float64 ones by ~7e-6 relative (checked: 1 - sqrt((1 - fl32(0.999)) / 0.001)
    # = 6.4e-6, plus 2.4e-7 from fl32(0.9)). A wrong formula would be off by O(1).
    for k, var in zip(("a", "b"), ref_vars, strict=True):
        step_mine, step_keras = mine[k] - start[k], np.asarray(var) - start[k]
        assert relative_error(step_mine, step_keras) < 2e-5
        assert np.abs(step_mine).min() > 1e-3


def test_adam_first_step_by_hand():
    p = {"w": np.array([1.0, -2.0])}
    Adam(learning_rate=0.1).step(p, {"w": np.array([0.5, -3.0])})
    # m = 0.1 g, v = 0.001 g^2, alpha = 0.1 sqrt(0.001) / 0.1: step = 0.1 * sign(g) (eps aside)
    np.testing.assert_allclose(p["w"], [0.9, -1.9], rtol=1e-6)
    with pytest.raises(ValueError, match="keys"):
        Adam().step(p, {"v": np.zeros(2)})
    with pytest.raises(ValueError, match="learning_rate"):
        Adam(learning_rate=0)


def test_clip_by_global_norm():
    g = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    assert clip_by_global_norm(g, 10.0) == pytest.approx(5.0)
    np.testing.assert_array_equal(g["a"], [3.0, 0.0])  # below the threshold: unchanged
    assert clip_by_global_norm(g, 1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(g["a"], [0.6, 0.0])
    np.testing.assert_allclose(g["b"], [[0.8]])
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm(g, 0)


@pytest.mark.parametrize("cls", [LSTM, GRU, SimpleRNN])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_sequence_model_gradients(cls, return_sequences):
    rng = np.random.default_rng(4)
    model = SequenceModel(cls(3, 4, seed=0), 2, return_sequences=return_sequences, seed=1)
    x = rng.standard_normal((2, 5, 3))
    pred, cache = model.forward(x)
    assert pred.shape == ((2, 5, 2) if return_sequences else (2, 2))
    w = rng.standard_normal(pred.shape)
    grads = model.backward(w, cache)
    assert set(grads) == set(model.params)
    f = lambda: float(np.sum(w * model.forward(x)[0]))  # noqa: E731
    for k in ("rnn.W_h", "dense.W", "dense.b"):
        assert relative_error(numerical_gradient(f, model.params[k]), grads[k]) < 1e-7, k


def _toy(seed=0, n=96):
    """Many-to-one: the target is the mean of the first feature over time."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 6, 2))
    return x, x[:, :, 0].mean(axis=1)


def test_fit_is_deterministic_and_learns(capsys):
    x, y = _toy()
    runs = []
    for _ in range(2):
        model = SequenceModel(LSTM(2, 8, seed=0), 1, seed=0)
        hist = fit(
            model,
            x,
            y,
            epochs=6,
            batch_size=16,
            learning_rate=0.02,
            seed=3,
            verbose=0,
            validation_data=_toy(1, 32),
        )
        runs.append((hist, {k: v.copy() for k, v in model.params.items()}))
    assert capsys.readouterr().out == ""
    (h1, p1), (h2, p2) = runs
    assert h1 == h2
    for k in p1:
        np.testing.assert_array_equal(p1[k], p2[k])
    assert set(h1) == {"loss", "grad_norm", "val_loss"} and len(h1["loss"]) == 6
    assert h1["loss"][-1] < 0.5 * h1["loss"][0]
    other = SequenceModel(LSTM(2, 8, seed=0), 1, seed=0)
    h3 = fit(other, x, y, epochs=1, batch_size=16, learning_rate=0.02, seed=4, verbose=0)
    assert h3["loss"][0] != h1["loss"][0]  # another shuffling seed, another run


def test_fit_classification_verbose_and_callback(capsys):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((40, 4, 3))
    y = (x[:, 0, 0] > 0).astype(np.int64)
    seen = []
    model = SequenceModel(GRU(3, 6, seed=0, dtype="float32"), 2, seed=0)
    hist = fit(
        model,
        x,
        y,
        loss="sparse_categorical_crossentropy",
        epochs=2,
        batch_size=8,
        verbose=2,
        on_epoch_end=lambda e, logs: seen.append(e),
        clipnorm=None,
    )
    assert seen == [0, 1]
    assert "accuracy" in hist and 0.0 <= hist["accuracy"][-1] <= 1.0
    assert capsys.readouterr().out.count("epoch ") == 2
    out = evaluate(model, x, y, loss="sparse_categorical_crossentropy")
    assert set(out) == {"loss", "accuracy"}
    assert all(v.dtype == np.float32 for v in model.params.values())


def test_fit_bad_input():
    x, y = _toy()
    model = SequenceModel(SimpleRNN(2, 3, seed=0), 1, seed=0)
    with pytest.raises(ValueError, match="loss"):
        fit(model, x, y, loss="hinge", verbose=0)
    with pytest.raises(ValueError, match="same length"):
        fit(model, x, y[:-1], verbose=0)
    with pytest.raises(ValueError, match="batch_size"):
        fit(model, x, y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="rnn"):
        SequenceModel(object(), 1)


def _blas_counts():
    return [lib["num_threads"] for lib in threads._blas().info()]


def test_blas_threads_sets_the_count_inside_and_restores_it():
    blas = threads._blas()
    if not blas.lib_controllers:
        pytest.skip(
            "threadpoolctl found no BLAS library with a thread API in this process (e.g. NumPy "
            "on Accelerate): blas_threads is a no-op here, so there is no count to check"
        )
    a = np.random.default_rng(6).standard_normal((64, 64))
    # A known count other than 1 outside, so that 1 inside proves blas_threads changed it.
    with blas.limit(limits=2, user_api="blas"):
        assert set(_blas_counts()) == {2}
        outside = a @ a
        with blas_threads(1):
            assert set(_blas_counts()) == {1}
            inside = a @ a
        assert set(_blas_counts()) == {2}
        np.testing.assert_allclose(inside, outside, rtol=1e-12)
        with pytest.raises(RuntimeError, match="boom"):  # restored when the block raises, too
            with blas_threads(1):
                assert set(_blas_counts()) == {1}
                raise RuntimeError("boom")
        assert set(_blas_counts()) == {2}
        with blas_threads(None):  # None: the setting is left alone
            assert set(_blas_counts()) == {2}


def test_blas_threads_without_a_blas_library_runs_the_block_unchanged(monkeypatch):
    """Where no BLAS library is found, blas_threads does nothing but still runs the block and
    lets its exceptions through."""
    none_found = threads._blas().select(user_api="no such library")
    assert none_found.lib_controllers == []
    monkeypatch.setattr(threads, "_BLAS", none_found)
    ran = []
    with blas_threads(1):
        ran.append(True)
    assert ran == [True]
    with pytest.raises(RuntimeError, match="boom"):
        with blas_threads(1):
            raise RuntimeError("boom")


def test_loop_threads_is_one_for_small_products_only():
    assert threads.loop_threads(2, 3, 4) == 1 and threads.loop_threads(1024, 1024, 1024) is None
    n = threads.SMALL_GEMM
    assert threads.loop_threads(1, 1, n - 1) == 1 and threads.loop_threads(1, 1, n) is None
