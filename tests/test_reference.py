"""The fast layers equal the reference equations of ``lstm.core.reference``, forward and backward.

NumPy only (no TensorFlow): random shapes and weights from fixed seeds, asserts only. In float64 the
two agree to round-off (12 digits); in float32 to float32's round-off, also at a batch large enough
for the fast LSTM's threaded row blocks. The reference itself is checked against central
differences, and its argument checks against bad calls.
"""

import ast
import inspect

import numpy as np
import pytest

from lstm import GRU, LSTM, SimpleRNN
from lstm.core import reference as ref
from lstm.core import threads
from lstm.core.gradcheck import numerical_gradient, relative_error

SEEDS = [0, 1, 2, 3]
# (name, layer class, constructor keywords)
CASES = [
    ("lstm", LSTM, {}),
    ("lstm-peephole-c_t", LSTM, {"peephole": True, "output_peephole": "c_t"}),
    ("lstm-peephole-c_prev", LSTM, {"peephole": True, "output_peephole": "c_prev"}),
    ("gru", GRU, {}),
    ("rnn", SimpleRNN, {}),
]
LSTM_CASES = [c for c in CASES if c[1] is LSTM]
# float64: the fast path and the reference compute the same sums in different orders (fused
# GEMMs, sigmoid through tanh), so they differ by round-off only: a few units of 2^-53 ~ 1e-16.
TOL = 1e-12
# float32: the unit round-off is u = 2^-24 ~ 6e-8, and the differences grow with the length of
# the sums: the weight gradients sum B*T rows, in one GEMM in the fast path and step by step in the
# reference. Over 1,500 draws of the float32 test below (H from 4 to 8, T < 30) the largest
# relative error was 4.5e-6 (99% under 1e-6, median 2e-7), and 6e-7 in the threaded test (B = 520,
# H = 32); a real error, such as one term missing from a gradient, is of order 1e-2 or larger.
# Layers of one unit are left out: each gradient is then a single sum whose terms can cancel, which
# magnifies its relative round-off (up to 2.7e-5 measured with H = 1).
TOL32 = 1e-5


def make_layer(cls, kwargs, rng, *, dtype="float64", shape=None, scale=0.6):
    """A layer of random small shape (or ``shape = (D, H)``) whose parameters are all random
    (not Keras' init), drawn from N(0, scale^2)."""
    D, H = shape or (int(v) for v in rng.integers(1, 6, size=2))
    m = cls(D, H, seed=int(rng.integers(1 << 30)), dtype=dtype, **kwargs)
    for v in m.params.values():
        v[...] = rng.normal(0.0, scale, v.shape)
    return m


def random_state(m, B, rng):
    shape = (B, m.hidden_size)
    if isinstance(m, LSTM):
        return rng.normal(size=shape).astype(m.dtype), rng.normal(size=shape).astype(m.dtype)
    return rng.normal(size=shape).astype(m.dtype)


def flat(state):
    return list(state) if isinstance(state, tuple) else [state]


def run_ref(m, x, state, dh_seq, dstate):
    """The reference's forward and backward for layer ``m``: (h_seq, final, dx, grads, dstate0)."""
    p = ref.params_of(m)
    if isinstance(m, LSTM):
        h_seq, final, caches = ref.lstm_forward(x, p, state, output_peephole=m.output_peephole)
        return (h_seq, final, *ref.lstm_backward(dh_seq, caches, p, dstate))
    forward, backward = (
        (ref.gru_forward, ref.gru_backward) if isinstance(m, GRU) else (ref.rnn_forward, ref.rnn_backward)
    )
    h_seq, final, caches = forward(x, p, state)
    return (h_seq, final, *backward(dh_seq, caches, p, dstate))


def per_gate(m, grads):
    """The fast layer's fused gradients as per-gate arrays named like ``params_of``."""
    out = m.gate_weights(grads)
    out.update({k: grads[k] for k in ref.PEEPHOLE_KEYS if k in grads})
    return out


def errors(m, x, state, dh_seq, dstate):
    """``{what: relative error}`` of the fast layer against the reference, for every output and
    gradient; also checks that both return the layer's dtype."""
    h_seq, final, cache = m.forward(x, state)
    dx, grads, dstate0 = m.backward(dh_seq, cache, dstate)
    h_ref, final_ref, dx_ref, grads_ref, dstate0_ref = run_ref(m, x, state, dh_seq, dstate)
    split = per_gate(m, grads)
    assert split.keys() == grads_ref.keys() == ref.params_of(m).keys()
    pairs = {"h_seq": (h_seq, h_ref), "dx": (dx, dx_ref)}
    pairs |= {f"final[{k}]": ab for k, ab in enumerate(zip(flat(final), flat(final_ref), strict=True))}
    pairs |= {f"dstate0[{k}]": ab for k, ab in enumerate(zip(flat(dstate0), flat(dstate0_ref), strict=True))}
    pairs |= {k: (split[k], g) for k, g in grads_ref.items()}
    for a, b in pairs.values():
        assert a.dtype == b.dtype == m.dtype
    return {k: relative_error(a, b) for k, (a, b) in pairs.items()}


@pytest.mark.parametrize("with_state", [False, True], ids=["zero-state", "state"])
@pytest.mark.parametrize("name,cls,kwargs", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("seed", SEEDS)
def test_fast_layer_equals_reference(seed, name, cls, kwargs, with_state):
    rng = np.random.default_rng([seed, len(name), with_state])
    m = make_layer(cls, kwargs, rng)
    B, T = int(rng.integers(1, 5)), int(rng.integers(1, 7))
    x = rng.normal(size=(B, T, m.input_size))
    state = random_state(m, B, rng) if with_state else None
    dstate = random_state(m, B, rng) if with_state else None
    dh_seq = rng.normal(size=(B, T, m.hidden_size))
    err = errors(m, x, state, dh_seq, dstate)
    assert max(err.values()) < TOL, err


@pytest.mark.parametrize("name,cls,kwargs", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("seed", SEEDS)
def test_fast_layer_equals_reference_in_float32(seed, name, cls, kwargs):
    """float32 in, float32 out on both paths, equal to float32's round-off (:data:`TOL32`)."""
    rng = np.random.default_rng([seed, len(name), 32])
    D, H = int(rng.integers(1, 9)), int(rng.integers(4, 9))
    m = make_layer(cls, kwargs, rng, dtype="float32", shape=(D, H))
    B, T = int(rng.integers(1, 9)), int(rng.integers(1, 30))
    x = rng.normal(size=(B, T, m.input_size)).astype(np.float32)
    dh_seq = rng.normal(size=(B, T, m.hidden_size)).astype(np.float32)
    err = errors(m, x, random_state(m, B, rng), dh_seq, random_state(m, B, rng))
    assert max(err.values()) < TOL32, err


@pytest.mark.parametrize("dtype,tol", [("float64", TOL), ("float32", TOL32)])
@pytest.mark.parametrize("name,cls,kwargs", LSTM_CASES, ids=[c[0] for c in LSTM_CASES])
def test_fast_lstm_in_threaded_row_blocks_equals_reference(name, cls, kwargs, dtype, tol, monkeypatch):
    """A batch large enough that LSTM.forward and LSTM.backward split their time loops over
    row blocks in threads (lstm.core.threads.row_blocks: B * 4H >= PARALLEL_WORK and at least
    MIN_ROWS rows per block). The machine's core count is set to 4, so that the blocks run on any
    machine, 1-core CI included; the thresholds are the real ones."""
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 4)
    rng = np.random.default_rng([11, len(name), len(dtype)])
    D, H, T = 3, 32, 6
    B = threads.PARALLEL_WORK // (4 * H) + 8  # 520 rows
    assert len(threads.row_blocks(B, 4 * H)) == 4
    # Weights of scale 1/sqrt(H): a recurrence that does not amplify round-off step by step
    # (with N(0, 0.6^2) weights at H = 32 the float32 paths drift apart like a chaotic system).
    m = make_layer(cls, kwargs, rng, dtype=dtype, shape=(D, H), scale=1 / np.sqrt(H))
    x = rng.normal(size=(B, T, D)).astype(dtype)
    dh_seq = rng.normal(size=(B, T, H)).astype(dtype)
    err = errors(m, x, random_state(m, B, rng), dh_seq, random_state(m, B, rng))
    assert max(err.values()) < tol, err


@pytest.mark.parametrize("name,cls,kwargs", CASES, ids=[c[0] for c in CASES])
def test_reference_backward_matches_central_differences(name, cls, kwargs):
    rng = np.random.default_rng([7, len(name)])
    B, T, D, H = 2, 3, 3, 2
    m = cls(D, H, seed=0, dtype="float64", **kwargs)
    p = {k: rng.normal(0.0, 0.6, v.shape) for k, v in ref.params_of(m).items()}
    x = rng.normal(size=(B, T, D))
    state = random_state(m, B, rng)
    w_seq = rng.normal(size=(B, T, H))
    w_final = [rng.normal(size=(B, H)) for _ in flat(state)]
    lstm = cls is LSTM

    def forward():
        if lstm:
            return ref.lstm_forward(x, p, state, output_peephole=m.output_peephole)
        return (ref.gru_forward if cls is GRU else ref.rnn_forward)(x, p, state)

    def loss():  # sum(h_seq * w) + terms on the final state
        h_seq, final, _ = forward()
        return float(np.sum(h_seq * w_seq) + sum(np.sum(s * w) for s, w in zip(flat(final), w_final)))

    _, _, caches = forward()
    dstate = tuple(w_final) if lstm else w_final[0]
    back = ref.lstm_backward if lstm else (ref.gru_backward if cls is GRU else ref.rnn_backward)
    dx, grads, dstate0 = back(w_seq, caches, p, dstate)

    checks = [(dx, x)] + list(zip(flat(dstate0), flat(state), strict=True))
    names = ["W_hf", "b_o", "w_co", "w_ci"] if lstm else ["W_hh", "W_xr" if cls is GRU else "b_h"]
    checks += [(grads[k], p[k]) for k in names if k in p]
    for analytic, a in checks:
        assert relative_error(analytic, numerical_gradient(loss, a)) < 1e-8


# ---------------------------------------------------------------------------- argument checks
@pytest.mark.parametrize(
    "step,args,keys",
    [
        (ref.lstm_step, lambda x, h: (x, h, h), ref.LSTM_KEYS),
        (ref.gru_step, lambda x, h: (x, h), ref.GRU_KEYS),
        (ref.rnn_step, lambda x, h: (x, h), ref.RNN_KEYS),
    ],
    ids=["lstm", "gru", "rnn"],
)
def test_bad_input_raises(step, args, keys):
    x, h = np.zeros((2, 3)), np.zeros((2, 4))
    p = {k: np.zeros((3, 4) if k.startswith("W_x") else (4, 4) if k.startswith("W_h") else 4) for k in keys}
    step(*args(x, h), p)  # the valid call works
    missing = {k: v for k, v in p.items() if k != keys[1]}
    with pytest.raises(ValueError, match=rf"missing \['{keys[1]}'\]"):
        step(*args(x, h), missing)
    with pytest.raises(ValueError, match="2-D"):
        step(*args(x[None], h), p)
    with pytest.raises(ValueError, match=r"x has 5 features \(shape \(2, 5\)\) but p is for D=3"):
        step(*args(np.zeros((2, 5)), h), p)
    with pytest.raises(ValueError, match=r"h_prev must have shape \(B, H\) = \(2, 4\).*got \(3, 4\)"):
        step(*args(x, np.zeros((3, 4))), p)
    with pytest.raises(ValueError, match=rf"p\['{keys[1]}'\] has shape \(3, 4\), expected \(4, 4\)"):
        step(*args(x, h), {**p, keys[1]: np.zeros((3, 4))})
    with pytest.raises(ValueError, match="finite"):
        step(*args(np.full((2, 3), np.nan), h), p)
    forward = {ref.lstm_step: ref.lstm_forward, ref.gru_step: ref.gru_forward}.get(step, ref.rnn_forward)
    with pytest.raises(ValueError, match="3-D"):
        forward(x, p)
    with pytest.raises(ValueError, match=rf"missing \['{keys[-1]}'\]"):
        forward(x[None], {k: v for k, v in p.items() if k != keys[-1]})


def test_lstm_peephole_params_missing_one_raises():
    p = ref.params_of(LSTM(2, 3, peephole=True, seed=0))
    del p["w_cf"]
    with pytest.raises(ValueError, match=r"missing \['w_cf'\]"):
        ref.lstm_forward(np.zeros((1, 2, 2)), p)


def test_reference_checks_states_against_the_batch():
    """A state of another batch size than x is an error, not a broadcast (it used to give an
    h_seq of the state's batch without a word)."""
    p = ref.params_of(LSTM(3, 4, seed=0))
    x = np.zeros((1, 5, 3))
    with pytest.raises(ValueError, match=r"state\[0\] \(h0\) must have shape \(B, H\) = \(1, 4\)"):
        ref.lstm_forward(x, p, (np.zeros((2, 4)), np.zeros((2, 4))))
    with pytest.raises(ValueError, match=r"pair \(h, c\)"):
        ref.lstm_forward(x, p, np.zeros((1, 4)))
    with pytest.raises(ValueError, match="output_peephole"):
        ref.lstm_forward(x, p, output_peephole="c")
    for forward, layer in ((ref.gru_forward, GRU), (ref.rnn_forward, SimpleRNN)):
        q = ref.params_of(layer(3, 4, seed=0))
        with pytest.raises(ValueError, match=r"state must have shape \(B, H\) = \(1, 4\)"):
            forward(x, q, np.zeros((2, 4)))
        with pytest.raises(ValueError, match="one"):
            forward(x, q, (np.zeros((1, 4)),))


@pytest.mark.parametrize("name,cls,kwargs", CASES, ids=[c[0] for c in CASES])
def test_reference_keeps_float32_and_its_zero_state_takes_the_input_dtype(name, cls, kwargs):
    m = cls(3, 4, seed=0, dtype="float32", **kwargs)
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype(np.float32)
    h_seq, final, _, grads, dstate0 = run_ref(m, x, None, np.ones((2, 5, 4), np.float32), None)
    arrays = [h_seq, *flat(final), *grads.values(), *flat(dstate0)]
    assert {a.dtype for a in arrays} == {np.dtype(np.float32)}
    p16 = {k: v.astype(np.float16) for k, v in ref.params_of(m).items()}
    forward = {LSTM: ref.lstm_forward, GRU: ref.gru_forward, SimpleRNN: ref.rnn_forward}[cls]
    with pytest.raises(ValueError, match="float32 or float64"):
        forward(x.astype(np.float16), p16)


def test_reference_backward_checks_its_caches_and_gradients():
    p = ref.params_of(LSTM(3, 4, seed=0))
    x = np.zeros((2, 5, 3))
    h_seq, _, caches = ref.lstm_forward(x, p)
    with pytest.raises(ValueError, match=r"dh_seq must have shape \(B, T, H\) = \(2, 5, 4\)"):
        ref.lstm_backward(h_seq[:, 1:], caches, p)
    with pytest.raises(ValueError, match="caches must be the list of step caches that lstm_forward"):
        ref.lstm_backward(h_seq, caches[0], p)
    q = ref.params_of(SimpleRNN(3, 4, seed=0))
    with pytest.raises(ValueError, match=r"caches\[0\] must be a cache returned by rnn_step"):
        ref.rnn_backward(h_seq, caches, q)  # LSTM caches
    with pytest.raises(ValueError, match=r"pair \(dL/dh_T, dL/dc_T\)"):
        ref.lstm_backward(h_seq, caches, p, np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"dstate\[1\] \(dc\) must have shape \(B, H\) = \(2, 4\)"):
        ref.lstm_backward(h_seq, caches, p, (np.zeros((2, 4)), np.zeros((1, 4))))
    with pytest.raises(ValueError, match=r"dc must have shape \(B, H\) = \(2, 4\)"):
        ref.lstm_step_backward(np.zeros((2, 4)), np.zeros((2, 3)), caches[0], p)
    with pytest.raises(ValueError, match="cache must be a cache returned by lstm_step"):
        ref.lstm_step_backward(np.zeros((2, 4)), np.zeros((2, 4)), {"x": x}, p)


def test_params_of_lstm_with_peepholes_has_15_keys():
    p = ref.params_of(LSTM(3, 4, peephole=True, seed=0))
    expected = {f"{w}{k}" for k in "ifgo" for w in ("W_x", "W_h", "b_")}
    assert set(p) == expected | {"w_ci", "w_cf", "w_co"}
    assert len(p) == 15


def test_every_statement_of_the_reference_is_one_line():
    """Chapter 3 prints the reference's functions: one statement per line, none broken over
    several by a formatter (ruff formats the package to 110 characters, so they fit)."""
    split = []
    for name in ref.__all__:
        function = ast.parse(inspect.getsource(getattr(ref, name))).body[0]
        for node in ast.walk(function):
            is_docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            if isinstance(node, ast.stmt) and not hasattr(node, "body") and not is_docstring:
                if node.end_lineno != node.lineno:
                    split.append(f"{name}: {ast.unparse(node)[:60]}")
    assert split == []
