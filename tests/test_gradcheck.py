"""The central-difference helpers of lstm.gradcheck, including that they catch a wrong backward."""

import numpy as np
import pytest

from lstm import LSTM, SimpleRNN, gradcheck
from lstm.core.gradcheck import numerical_gradient, relative_error


def test_numerical_gradient_of_a_cubic():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4))
    before = a.copy()
    num = numerical_gradient(lambda: float(np.sum(a**3)), a)
    np.testing.assert_allclose(num, 3 * a**2, rtol=1e-8, atol=1e-9)
    np.testing.assert_array_equal(a, before)  # restored
    at = np.asfortranarray(rng.standard_normal((2, 3)))  # any memory layout
    np.testing.assert_allclose(numerical_gradient(lambda: float(np.sum(at**2)), at), 2 * at, rtol=1e-8)


def test_numerical_gradient_subset_and_errors():
    a = np.arange(5.0)
    num = numerical_gradient(lambda: float(np.sum(a**2)), a, indices=[1, 3])
    np.testing.assert_allclose(num, [0, 2, 0, 6, 0], atol=1e-8)
    with pytest.raises(ValueError, match="float"):
        numerical_gradient(lambda: 0.0, np.arange(3))
    with pytest.raises(ValueError, match="eps"):
        numerical_gradient(lambda: 0.0, a, eps=0.0)


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error([1.0, 0.0], [-1.0, 0.0]) == pytest.approx(1.0)
    assert relative_error([1.0, 1e-12], [1.0, 0.0]) < 1e-12  # a tiny entry does not dominate
    with pytest.raises(ValueError, match="shapes"):
        relative_error(np.zeros(2), np.zeros(3))


class _BrokenLSTM(LSTM):
    """An LSTM whose backward forgets the forget gate's path c_{t-1} -> c_t in one unit."""

    def backward(self, dh_seq, cache, dstate=None):
        dx, grads, d0 = super().backward(dh_seq, cache, dstate)
        grads["W_h"] = grads["W_h"] * 1.001
        return dx, grads, d0


def test_gradcheck_catches_a_wrong_gradient():
    rng = np.random.default_rng(1)
    m = _BrokenLSTM(2, 3, seed=0)
    report = gradcheck(m, rng.standard_normal((2, 3, 2)))
    assert report["W_h"] > 1e-4
    assert report["W_x"] < 1e-6 and report["x"] < 1e-6


def test_gradcheck_subset_and_state_keys():
    rng = np.random.default_rng(2)
    m = SimpleRNN(4, 5, seed=0)
    report = gradcheck(m, rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5)), max_checks=7)
    assert set(report) == {"W_x", "W_h", "b", "x", "state"}
    assert max(report.values()) < 1e-6
