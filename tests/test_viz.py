"""Tests for lstm.book.viz: the Jacobian measurement against finite differences, the decay fit,
and the figures (drawn off-screen, checked for what they contain)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lstm import GRU, LSTM, SimpleRNN
from lstm.book.viz import (
    decay_rate,
    draw_lstm_cell,
    draw_unrolled_rnn,
    plot_gate_heatmaps,
    plot_gradient_decay,
    state_jacobian_norms,
)


def _final_h(model, x, state):
    _, final, _ = model.forward(x, state)
    return final[0] if isinstance(final, tuple) else final


def _numerical_jacobian_norm(model, x, d, which, eps=1e-6):
    """RMS singular value of dh_T / ds_{T-d}, by central differences of forward passes only."""
    B, T, _ = x.shape
    H = model.hidden_size
    state = None
    for t in range(T - d):
        _, state, _ = model.forward(x[:, t : t + 1], state)
    zeros = np.zeros((B, H))
    if state is None:
        state = (zeros, zeros.copy()) if isinstance(model, LSTM) else zeros
    norms = np.zeros(B)
    for k in range(H):
        plus = [np.array(s, copy=True) for s in (state if isinstance(state, tuple) else (state,))]
        minus = [p.copy() for p in plus]
        plus[which][:, k] += eps
        minus[which][:, k] -= eps
        wrap = tuple if isinstance(state, tuple) else (lambda a: a[0])
        col = (_final_h(model, x[:, T - d :], wrap(plus)) - _final_h(model, x[:, T - d :], wrap(minus))) / (
            2 * eps
        )
        norms += (col**2).sum(axis=1)
    return np.mean(np.sqrt(norms / H))


@pytest.mark.parametrize("cls", [SimpleRNN, GRU, LSTM])
def test_state_jacobian_norms_match_finite_differences(cls):
    rng = np.random.default_rng(1)
    model = cls(3, 5, seed=2)
    x = rng.normal(size=(4, 7, 3))
    out = state_jacobian_norms(model, x)
    np.testing.assert_array_equal(out["distance"], np.arange(1, 8))
    names = ["h", "c"] if cls is LSTM else ["h"]
    assert sorted(k for k in out if k != "distance") == sorted(names)
    for which, name in enumerate(names):
        for d in (1, 3, 7):
            expected = _numerical_jacobian_norm(model, x, d, which)
            assert out[name][d - 1] == pytest.approx(expected, rel=1e-6)


def test_state_jacobian_norms_identity_recurrence_does_not_decay():
    # h_t = tanh(x W_x + h W_h + b) with W_x = 0, b = 0 and h_0 = 0 stays at 0, where tanh' = 1:
    # with W_h orthogonal the Jacobian is a product of orthogonal matrices, norm exactly 1.
    model = SimpleRNN(2, 6, seed=0)
    model.params["W_x"][...] = 0.0
    out = state_jacobian_norms(model, np.ones((3, 12, 2)))
    np.testing.assert_allclose(out["h"], 1.0, rtol=1e-12)


def test_state_jacobian_norms_rejects_bad_x():
    with pytest.raises(ValueError, match=r"\(B, T, D\)"):
        state_jacobian_norms(SimpleRNN(2, 3, seed=0), np.zeros((4, 2)))


def test_decay_rate_recovers_a_geometric_sequence_and_ignores_underflow():
    d = np.arange(1, 41)
    norms = 3.0 * 0.8**d
    norms[-5:] = 0.0  # underflowed
    assert decay_rate(d, norms) == pytest.approx(0.8, rel=1e-10)


@pytest.mark.parametrize("d, n", [([1, 2], [1.0]), ([1, 2], [0.0, 0.0])])
def test_decay_rate_rejects_bad_input(d, n):
    with pytest.raises(ValueError):
        decay_rate(d, n)


def test_drawings_contain_their_labels():
    ax = draw_lstm_cell(peephole=True)
    texts = {t.get_text() for t in ax.texts}
    assert {
        "$c_{t-1}$",
        "$c_t$",
        "$h_{t-1}$",
        "$x_t$",
        "$f_t$",
        "$i_t$",
        "$g_t$",
        "$o_t$",
        "$w_{co}$",
    } <= texts
    plain = {t.get_text() for t in draw_lstm_cell().texts}
    assert "$w_{co}$" not in plain
    ax = draw_unrolled_rnn(3)
    assert {"$x_{1}$", "$x_{3}$", "$h_{3}$", "$h_0$"} <= {t.get_text() for t in ax.texts}
    with pytest.raises(ValueError, match="T must be"):
        draw_unrolled_rnn(0)
    plt.close("all")


def test_plots_draw_every_curve_and_heatmap():
    ax = plot_gradient_decay({"RNN": ([1, 2, 3], [1.0, 0.5, 0.25]), "LSTM": ([1, 2, 3], [1.0, 0.9, 0.8])})
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"
    gates = {"i": np.full((5, 3), 0.5), "c": np.linspace(-2, 2, 15).reshape(5, 3)}
    axes = plot_gate_heatmaps(gates, symbols="ab|ab")
    assert len(axes) == 2
    assert [t.get_text() for t in axes[-1].get_xticklabels()] == list("ab|ab")
    assert axes[0].images[0].get_clim() == (0.0, 1.0)
    assert axes[1].images[0].get_clim() == (-2.0, 2.0)  # diverging scale for values outside [0, 1]
    with pytest.raises(ValueError, match="symbols"):
        plot_gate_heatmaps(gates, symbols="ab")
    with pytest.raises(ValueError, match="one shape"):
        plot_gate_heatmaps({"i": np.zeros((5, 3)), "f": np.zeros((4, 3))})
    plt.close("all")
