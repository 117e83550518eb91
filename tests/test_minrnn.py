"""minGRU/minLSTM: the log-space parallel scan equals the sequential recurrence."""

import numpy as np
import pytest

from lstm.core.minrnn import (
    MinGRU,
    MinLSTM,
    g,
    hillis_steele_scan_log,
    log_g,
    parallel_scan_log,
    sequential_scan,
)

CASES = [(seed, *np.random.default_rng(seed).integers(1, 9, size=4)) for seed in range(6)]


@pytest.mark.parametrize("cls", [MinGRU, MinLSTM])
@pytest.mark.parametrize("seed,B,T,D,H", CASES)
def test_parallel_equals_sequential(cls, seed, B, T, D, H):
    rng = np.random.default_rng(seed)
    layer = cls(int(D), int(H), seed=seed)
    for name in layer.params:  # non-zero biases, both signs of the pre-activations
        layer.params[name] = layer.params[name] + rng.normal(0, 1.0, layer.params[name].shape)
    x = rng.normal(0, 2.0, (B, T * 7, D))  # (B, T, D)
    h0 = rng.uniform(0, 2.0, (B, H))
    seq = layer.forward(x, h0, mode="sequential")
    par = layer.forward(x, h0, mode="parallel")
    assert par.shape == (B, T * 7, H)
    np.testing.assert_allclose(par, seq, rtol=1e-10, atol=0)
    # a zero initial state (log h0 = -inf) works as well
    np.testing.assert_allclose(layer.forward(x), layer.forward(x, mode="sequential"), rtol=1e-10, atol=0)


def test_long_sequence_stays_accurate():
    layer = MinGRU(3, 5, seed=1)
    x = np.random.default_rng(1).normal(size=(2, 2000, 3))
    np.testing.assert_allclose(layer.forward(x), layer.forward(x, mode="sequential"), rtol=1e-9, atol=0)


@pytest.mark.parametrize("T", [1, 2, 3, 7, 8, 33])
def test_scans_agree(T):
    rng = np.random.default_rng(T)
    a = rng.uniform(0.05, 1.0, (3, T, 4))
    b = rng.uniform(0.0, 2.0, (3, T, 4))
    h0 = rng.uniform(0.1, 1.0, (3, 4))
    ref = sequential_scan(a, b, h0)
    np.testing.assert_allclose(parallel_scan_log(np.log(a), np.log(b), np.log(h0)), ref, rtol=1e-12)
    np.testing.assert_allclose(hillis_steele_scan_log(np.log(a), np.log(b), np.log(h0)), ref, rtol=1e-12)


def test_g_positive_continuous_and_log_g_matches():
    x = np.linspace(-30, 30, 1001)
    assert np.all(g(x) > 0)
    assert g(np.array(0.0)) == 0.5 and np.isclose(g(np.array(-1e-12)), 0.5)
    np.testing.assert_allclose(log_g(x), np.log(g(x)), rtol=1e-12)


def test_float32_dtype_kept():
    layer = MinLSTM(2, 3, seed=0, dtype="float32")
    out = layer.forward(np.ones((1, 4, 2)))
    assert out.dtype == np.float32 and layer.params["W_xf"].dtype == np.float32


@pytest.mark.parametrize(
    "kwargs",
    [
        {"input_size": 0, "hidden_size": 3},
        {"input_size": 2, "hidden_size": 2.5},
        {"input_size": 2, "hidden_size": 3, "dtype": "int32"},
    ],
)
def test_bad_construction_raises(kwargs):
    with pytest.raises(ValueError):
        MinGRU(**kwargs)  # the constructor itself, not a later forward(None), must refuse


@pytest.mark.parametrize(
    "x,h0,mode",
    [
        (np.ones((4, 2)), None, "parallel"),
        (np.ones((1, 4, 5)), None, "parallel"),
        (np.ones((1, 0, 2)), None, "parallel"),
        (np.ones((1, 4, 2)), np.ones((2, 3)), "parallel"),
        (np.ones((1, 4, 2)), -np.ones((1, 3)), "parallel"),
        (np.ones((1, 4, 2)), None, "scan"),
    ],
)
def test_bad_input_raises(x, h0, mode):
    layer = MinGRU(input_size=2, hidden_size=3)  # outside pytest.raises: this one is valid
    with pytest.raises(ValueError):
        layer.forward(x, h0, mode=mode)


@pytest.mark.parametrize("cls", [MinGRU, MinLSTM])
def test_log_coefficients_are_logs_of_coefficients(cls):
    layer = cls(3, 4, seed=2)
    x = np.random.default_rng(2).normal(0, 3.0, (2, 9, 3))
    a, b = layer.coefficients(x)
    log_a, log_b = layer.log_coefficients(x)
    assert np.all((a > 0) & (a < 1)) and np.all(b > 0)
    np.testing.assert_allclose(np.exp(log_a), a, rtol=1e-12)
    np.testing.assert_allclose(np.exp(log_b), b, rtol=1e-12)
