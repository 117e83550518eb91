"""The NumPy LSTM, GRU and SimpleRNN without TensorFlow: this module imports NumPy and lstm only.

It proves that every analytic gradient (weights, inputs, initial states; plain, Graves-peephole
and article-peephole LSTM, GRU, SimpleRNN) equals central differences; that the peephole LSTM
follows Graves' equations gate by gate; that float32 layers stay float32, seeded initialisation
is deterministic and the named gate views follow the packed parameters; that bad input and bad
constructor arguments raise ValueError with a clear message; that sigmoid, tanh and the cells
stay finite and warning-free at |x| = 1e4; that the whole-block gate derivative equals the
per-block formulas; that the threaded row-block time loop equals the single-block loop; and that
chrono bias initialisation has its documented layout and range.

The comparisons with Keras (forward) and TensorFlow's GradientTape (backward) are in
tests/test_cells_keras.py, which is skipped where TensorFlow is not installed.
"""

import os
import warnings

import numpy as np
import pytest
from cell_helpers import as_list, as_state, rel_err

from lstm import GRU, LSTM, SimpleRNN, chrono_bias, gradcheck
from lstm.core import reference as ref
from lstm.core import threads
from lstm.core.activations import gate_derivative, sigmoid, tanh


# ---------------------------------------------------------------------------- peepholes
def test_lstm_zero_peepholes_equal_plain_lstm():
    rng = np.random.default_rng(2)
    plain = LSTM(3, 4, seed=0)
    peep = LSTM(3, 4, peephole=True, seed=0)
    for k in ("w_ci", "w_cf", "w_co"):
        peep.params[k][...] = 0.0
    for k in ("W_x", "W_h", "b"):
        peep.params[k][...] = plain.params[k]
    x = rng.standard_normal((2, 5, 3))
    np.testing.assert_array_equal(plain.forward(x)[0], peep.forward(x)[0])


@pytest.mark.parametrize("output_peephole", ["c_t", "c_prev"])
def test_peephole_forward_equals_equations(output_peephole):
    """The peephole LSTM follows Graves' equations (or the article's c_{t-1} output gate) gate by
    gate: every gate value and cell state of the fast layer's cache equals the reference's
    (lstm.core.reference.lstm_step, one line per equation)."""
    rng = np.random.default_rng(3)
    m = LSTM(3, 4, peephole=True, output_peephole=output_peephole, seed=1)
    for v in m.params.values():
        v[...] = rng.standard_normal(v.shape) * 0.5
    x = rng.standard_normal((2, 6, 3))
    h0, c0 = rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    h_seq, (h_T, c_T), cache = m.forward(x, (h0, c0))
    p = ref.params_of(m)
    ref_seq, (ref_h, ref_c), steps = ref.lstm_forward(x, p, (h0, c0), output_peephole=output_peephole)
    assert rel_err(h_seq, ref_seq) < 1e-12
    assert rel_err(h_T, ref_h) < 1e-12 and rel_err(c_T, ref_c) < 1e-12
    gates = LSTM.gate_values(cache)
    assert gates["c"].shape == (2, 6, 4)
    for k in "ifgoc":
        assert rel_err(gates[k], np.stack([step[k] for step in steps], axis=1)) < 1e-12, k


def test_output_peephole_variants_differ():
    """The article's c_{t-1} output peephole is a different function from Graves' c_t."""
    rng = np.random.default_rng(4)
    a = LSTM(2, 3, peephole=True, seed=5)
    b = LSTM(2, 3, peephole=True, output_peephole="c_prev", seed=5)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    x = rng.standard_normal((2, 4, 2))
    assert rel_err(a.forward(x)[0], b.forward(x)[0]) > 1e-3


# ---------------------------------------------------------------------------- central differences
GRADCHECK_CASES = {
    "LSTM": lambda D, H: LSTM(D, H, seed=0),
    "LSTM-peephole": lambda D, H: LSTM(D, H, peephole=True, seed=0),
    "LSTM-peephole-article": lambda D, H: LSTM(D, H, peephole=True, output_peephole="c_prev", seed=0),
    "GRU": lambda D, H: GRU(D, H, seed=0),
    "SimpleRNN": lambda D, H: SimpleRNN(D, H, seed=0),
}


@pytest.mark.parametrize("case", list(GRADCHECK_CASES))
def test_central_differences(case):
    rng = np.random.default_rng([6, len(case)])
    B, T, D, H = 2, 4, 3, 3
    m = GRADCHECK_CASES[case](D, H)
    for v in m.params.values():  # random weights and biases, not the initializer's zeros
        v[...] = rng.standard_normal(v.shape) * 0.6
    x = rng.standard_normal((B, T, D))
    state = [rng.standard_normal((B, H)) for _ in range(2 if case.startswith("LSTM") else 1)]
    report = gradcheck(m, x, as_state("LSTM" if len(state) == 2 else "GRU", state), seed=1)
    expected = set(m.params) | {"x"} | ({"state[0]", "state[1]"} if len(state) == 2 else {"state"})
    assert set(report) == expected
    assert max(report.values()) <= 1e-6, report


def test_float32_stays_float32():
    rng = np.random.default_rng(7)
    for cls in (LSTM, GRU, SimpleRNN):
        m = cls(3, 4, seed=0, dtype="float32")
        assert all(v.dtype == np.float32 for v in m.params.values())
        h_seq, final, cache = m.forward(rng.standard_normal((2, 3, 3)))  # float64 input is cast
        assert h_seq.dtype == np.float32
        assert all(s.dtype == np.float32 for s in as_list(final))
        dx, grads, d0 = m.backward(np.ones_like(h_seq), cache)
        assert dx.dtype == np.float32 and all(g.dtype == np.float32 for g in grads.values())
        assert all(s.dtype == np.float32 for s in as_list(d0))


def test_params_are_read_at_call_time_and_views_follow():
    m = LSTM(2, 3, seed=0)
    x = np.ones((1, 2, 2))
    before = m.forward(x)[0]
    assert m.W_xi.shape == (2, 3) and m.W_hf.shape == (3, 3) and m.b_o.shape == (3,)
    np.testing.assert_array_equal(m.b_f, 1.0)  # Keras' unit_forget_bias
    with pytest.raises(ValueError):
        m.W_xi[0, 0] = 5.0  # read-only view
    m.params["W_x"][:, :3] += 1.0
    np.testing.assert_array_equal(m.W_xi, m.params["W_x"][:, :3])
    assert not np.allclose(m.forward(x)[0], before)
    g = GRU(2, 3, seed=0)
    assert set(g.gate_weights()) == {f"{w}{k}" for w in ("W_x", "W_h", "b_x", "b_h") for k in "zrh"}


def test_seeded_init_is_deterministic_and_keras_like():
    a, b, c = LSTM(4, 5, seed=3), LSTM(4, 5, seed=3), LSTM(4, 5, seed=4)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert not np.array_equal(a.params["W_x"], c.params["W_x"])
    W_h = a.params["W_h"]  # orthogonal (H, 4H): orthonormal rows
    np.testing.assert_allclose(W_h @ W_h.T, np.eye(5), atol=1e-12)


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("cls", [LSTM, GRU, SimpleRNN])
def test_bad_input_raises_value_error(cls):
    m = cls(3, 4, seed=0)
    good = np.zeros((2, 5, 3))
    cases = [
        (np.zeros((5, 3)), "3-D"),  # wrong rank
        (np.zeros((2, 5, 4)), "D=input_size"),  # wrong feature size
        (np.zeros((2, 0, 3)), "non-empty"),
        (np.full((2, 5, 3), np.nan), "finite"),
    ]
    for x, words in cases:
        with pytest.raises(ValueError, match=words):
            m.forward(x)
    bad_h = np.zeros((3, 4))  # batch 3 != 2
    bad_state = (bad_h, np.zeros((2, 4))) if cls is LSTM else bad_h
    with pytest.raises(ValueError, match=r"\(2, 4\)"):
        m.forward(good, bad_state)
    inf_h = np.full((2, 4), np.inf)
    with pytest.raises(ValueError, match="finite"):
        m.forward(good, (inf_h, inf_h) if cls is LSTM else inf_h)
    h_seq, final, cache = m.forward(good)
    with pytest.raises(ValueError, match="dh_seq"):
        m.backward(np.zeros((2, 4, 4)), cache)
    with pytest.raises(ValueError, match="dstate"):
        bad_dstate = (np.zeros((2, 5)),) * 2 if cls is LSTM else np.zeros((2, 5))
        m.backward(np.zeros_like(h_seq), cache, bad_dstate)
    # a cache that forward of this layer did not make: a bare KeyError before, now a ValueError
    with pytest.raises(
        ValueError, match=rf"cache must be the third value returned by {cls.__name__}.forward"
    ):
        m.backward(np.zeros_like(h_seq), {"x": good})
    other = GRU if cls is LSTM else LSTM
    with pytest.raises(ValueError, match=rf"{cls.__name__}.forward \(a dict with the keys"):
        m.backward(np.zeros_like(h_seq), other(3, 4, seed=0).forward(good)[2])
    for wrong in (cls(3, 5, seed=0), cls(3, 4, seed=0, dtype="float32")):  # another H, dtype
        with pytest.raises(ValueError, match=rf"not those of a {cls.__name__} with D=3, H=4"):
            m.backward(np.zeros_like(h_seq), wrong.forward(good)[2])


def test_bad_construction_and_state_structure():
    for kwargs, words in [
        (dict(input_size=0, hidden_size=3), "input_size"),
        (dict(input_size=2, hidden_size=2.5), "hidden_size"),
        (dict(input_size=2, hidden_size=3, dtype="float16"), "dtype"),
        (dict(input_size=2, hidden_size=3, peephole="yes"), "peephole"),
        (dict(input_size=2, hidden_size=3, peephole=True, output_peephole="c"), "output_peephole"),
        (dict(input_size=2, hidden_size=3, output_peephole="c_prev"), "peephole=True"),
    ]:
        with pytest.raises(ValueError, match=words):
            LSTM(**kwargs)
    x = np.zeros((1, 2, 2))
    with pytest.raises(ValueError, match="pair"):
        LSTM(2, 3).forward(x, np.zeros((1, 3)))
    with pytest.raises(ValueError, match="one"):
        GRU(2, 3).forward(x, (np.zeros((1, 3)), np.zeros((1, 3))))


# ---------------------------------------------------------------------------- stability
def test_sigmoid_tanh_finite_and_warning_free_at_1e4():
    for dtype in (np.float32, np.float64):
        x = np.array([-1e4, -800.0, -1.0, 0.0, 1.0, 800.0, 1e4], dtype)
        with warnings.catch_warnings(), np.errstate(all="raise"):
            warnings.simplefilter("error")
            s, t = sigmoid(x), tanh(x)
        assert s.dtype == dtype and np.isfinite(s).all() and np.isfinite(t).all()
        np.testing.assert_array_equal(s[[0, -1]], [0.0, 1.0])
        np.testing.assert_array_equal(t[[0, -1]], [-1.0, 1.0])
        assert s[3] == 0.5
        exact = 1 / (1 + np.exp(-x[[2, 4]].astype(np.float64)))
        np.testing.assert_allclose(s[[2, 4]], exact, rtol=1e-6)


@pytest.mark.parametrize("cls", [LSTM, GRU, SimpleRNN])
def test_cells_saturate_without_warnings(cls):
    m = cls(2, 3, seed=0, dtype="float32")
    x = np.full((1, 3, 2), 1e4, np.float32)
    x[0, 1] = -1e4
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        h_seq, _, cache = m.forward(x)
        dx, grads, _ = m.backward(np.ones_like(h_seq), cache)
    assert np.isfinite(h_seq).all() and np.isfinite(dx).all()
    assert all(np.isfinite(g).all() for g in grads.values())


@pytest.mark.parametrize("kinds", ["ssts", "sst", "s", "t", "tst"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gate_derivative_equals_one_operation_per_block(kinds, dtype):
    """The whole-block gate derivative gives exactly the numbers of a - a**2 (sigmoid blocks) and
    1 - a**2 (tanh blocks) computed block by block, also on a strided view and with its own
    scratch array."""
    rng = np.random.default_rng(len(kinds))
    H, B = 5, 7
    full = rng.uniform(-1, 1, (B, (len(kinds) + 1) * H)).astype(dtype)
    a = full[:, : len(kinds) * H]  # a strided view, as LSTM.backward passes for Graves peepholes
    expected = np.empty_like(a)
    for j, kind in enumerate(kinds):
        block = a[:, j * H : (j + 1) * H]
        derivative = (block - block * block) if kind == "s" else (1 - block * block)
        expected[:, j * H : (j + 1) * H] = derivative
    for tmp in (None, np.empty_like(a)):
        out = np.full_like(a, np.nan)
        assert gate_derivative(a, kinds, H, out, tmp=tmp) is out
        np.testing.assert_array_equal(out, expected)


def test_sigmoid_accepts_python_scalars_and_0d_arrays():
    for x in (0.0, 2.0, np.float32(-3.0), np.array(1e4)):
        s = sigmoid(x)
        assert np.ndim(s) == 0
        np.testing.assert_allclose(s, 1 / (1 + np.exp(-np.float64(x))), rtol=1e-6)


# ---------------------------------------------------------------------------- batch-parallel loops
@pytest.mark.parametrize("case", [c for c in GRADCHECK_CASES if c.startswith("LSTM")])
def test_lstm_row_blocks_in_threads_equal_one_block(case, monkeypatch):
    """Large batches run the time loop over row blocks in threads (lstm.core.threads.row_blocks);
    forced here on a small layer, the result equals the single-block loop's."""
    rng = np.random.default_rng([9, len(case)])
    B, T, D, H = 7, 5, 3, 4
    m = GRADCHECK_CASES[case](D, H)
    for v in m.params.values():
        v[...] = rng.standard_normal(v.shape) * 0.6
    x, dh = rng.standard_normal((B, T, D)), rng.standard_normal((B, T, H))
    state = (rng.standard_normal((B, H)), rng.standard_normal((B, H)))
    dstate = (rng.standard_normal((B, H)), rng.standard_normal((B, H)))

    def run():
        h_seq, final, cache = m.forward(x, state)
        dx, grads, d0 = m.backward(dh, cache, dstate)
        return [h_seq, *final, dx, *grads.values(), *d0]

    single = run()
    monkeypatch.setattr(threads, "PARALLEL_WORK", 1)
    monkeypatch.setattr(threads, "MIN_ROWS", 2)
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 3)
    blocks = threads.row_blocks(B, 4 * H)
    assert [(s.start, s.stop) for s in blocks] == [(0, 2), (2, 4), (4, 7)]
    for a, b in zip(run(), single, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_row_blocks_stay_whole_for_small_work():
    assert threads.row_blocks(32, 4 * 100) == [slice(0, 32)]  # the small benchmark shape
    assert len(threads.row_blocks(128, 4 * 256)) == min(os.cpu_count() or 1, 8)
    with pytest.raises(ZeroDivisionError):
        threads.run_row_blocks(lambda rows: 1 / 0, [slice(0, 1), slice(1, 2)])  # errors surface


# ---------------------------------------------------------------------------- chrono initialisation
def test_chrono_bias_layout_range_and_memory():
    H, T = 50, 40
    b = chrono_bias(H, T, seed=3)
    assert b.shape == (4 * H,) and b.dtype == np.float32
    b_i, b_f, b_g, b_o = b.reshape(4, H)
    assert np.all(b_f >= 0) and np.all(b_f <= np.log(T - 1) + 1e-6)
    np.testing.assert_array_equal(b_i, -b_f)
    assert not b_g.any() and not b_o.any()
    memory = 1 / (1 - 1 / (1 + np.exp(-b_f.astype(np.float64))))  # 1 / (1 - f) = 1 + u steps
    assert memory.min() >= 2 - 1e-6 and memory.max() <= T + 1e-3 and memory.max() > T / 2
    np.testing.assert_array_equal(b, chrono_bias(H, T, seed=3))  # seeded
    assert not np.array_equal(b, chrono_bias(H, T, seed=4))


@pytest.mark.parametrize("args", [(0, 10), (4, 2), (4.0, 10), (True, 10), (4, "10")])
def test_chrono_bias_rejects_bad_arguments(args):
    with pytest.raises(ValueError, match="hidden_size|max_lag"):
        chrono_bias(*args)
