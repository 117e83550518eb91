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


class _StepwiseLSTM(LSTM):
    """An LSTM whose backward runs the fast backward one step at a time, from t = T down to 1,
    carrying dL/dh and dL/dc between the steps; with ``forget_unit=k`` it forgets the forget
    gate's path c_{t-1} -> c_t in unit k: the dL/dc_{t-1} = f_t * dL/dc_t it carries back is set
    to 0 there, as if that term of the backward pass were missing for one unit."""

    forget_unit = None

    def backward(self, dh_seq, cache, dstate=None):
        T = cache["gates"].shape[1]
        dh, dc = dstate if dstate is not None else (np.zeros_like(dh_seq[:, 0]),) * 2
        dx, grads = [None] * T, {k: np.zeros_like(v) for k, v in self.params.items()}
        for t in reversed(range(T)):
            step = {"xh": cache["xh"][t : t + 2], "c": cache["c"][:, t : t + 2]}
            step |= {k: cache[k][:, t : t + 1] for k in ("gates", "tanh_c")}
            dx_t, g, (dh, dc) = super().backward(dh_seq[:, t : t + 1], step, (dh, dc))
            if self.forget_unit is not None:
                dc[:, self.forget_unit] = 0.0
            dx[t] = dx_t[:, 0]
            for k in grads:
                grads[k] += g[k]
        return np.stack(dx, axis=1), grads, (dh, dc)


def test_gradcheck_catches_a_wrong_gradient():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 2))
    right = _StepwiseLSTM(2, 3, seed=0)
    assert max(gradcheck(right, x).values()) < 1e-6  # one step at a time is still BPTT
    broken = _StepwiseLSTM(2, 3, seed=0)
    broken.forget_unit = 1
    report = gradcheck(broken, x)
    # Every gradient that flows back through unit 1's cell state over a step is wrong: the
    # inputs of all steps but the last, and all weights.
    assert min(report.values()) > 1e-3, report


def test_gradcheck_subset_and_state_keys():
    rng = np.random.default_rng(2)
    m = SimpleRNN(4, 5, seed=0)
    report = gradcheck(m, rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5)), max_checks=7)
    assert set(report) == {"W_x", "W_h", "b", "x", "state"}
    assert max(report.values()) < 1e-6
