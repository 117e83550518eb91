"""The fast layers equal the reference equations of ``lstm.core.reference``, forward and backward.

NumPy only (no TensorFlow): random shapes and weights from fixed seeds, float64, asserts only.
The reference itself is checked against central differences.
"""

import numpy as np
import pytest

from lstm import GRU, LSTM, SimpleRNN
from lstm.core import reference as ref

SEEDS = [0, 1, 2, 3]
# (name, layer class, constructor keywords)
CASES = [
    ("lstm", LSTM, {}),
    ("lstm-peephole-c_t", LSTM, {"peephole": True, "output_peephole": "c_t"}),
    ("lstm-peephole-c_prev", LSTM, {"peephole": True, "output_peephole": "c_prev"}),
    ("gru", GRU, {}),
    ("rnn", SimpleRNN, {}),
]
TOL = 1e-12


def rel_err(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)


def make_layer(cls, kwargs, rng):
    """A float64 layer of random small shape whose parameters are all random (not Keras' init)."""
    D, H = (int(v) for v in rng.integers(1, 6, size=2))
    m = cls(D, H, seed=int(rng.integers(1 << 30)), dtype="float64", **kwargs)
    for v in m.params.values():
        v[...] = rng.normal(0.0, 0.6, v.shape)
    return m


def run_ref(m, x, state):
    """Reference forward for layer ``m``: (h_seq, final state, caches)."""
    p = ref.params_of(m)
    if isinstance(m, LSTM):
        return ref.lstm_forward(x, p, state, output_peephole=m.output_peephole)
    return (ref.gru_forward if isinstance(m, GRU) else ref.rnn_forward)(x, p, state)


def run_ref_backward(m, dh_seq, caches, dstate):
    p = ref.params_of(m)
    back = {LSTM: ref.lstm_backward, GRU: ref.gru_backward, SimpleRNN: ref.rnn_backward}
    return back[type(m)](dh_seq, caches, p, dstate)


def split_grads(m, grads):
    """The fast layer's fused gradients as per-gate arrays named like ``params_of``."""
    H = m.hidden_size
    out = {}
    for j, k in enumerate(m.gates):
        cols = slice(j * H, (j + 1) * H)
        out[f"W_x{k}"] = grads["W_x"][:, cols]
        out[f"W_h{k}"] = grads["W_h"][:, cols]
        if grads["b"].ndim == 2:  # GRU: row 0 input bias, row 1 recurrent bias
            out[f"b_x{k}"] = grads["b"][0, cols]
            out[f"b_h{k}"] = grads["b"][1, cols]
        else:
            out[f"b_{k}"] = grads["b"][cols]
    for k in ref.PEEPHOLE_KEYS:
        if k in grads:
            out[k] = grads[k]
    return out


def random_state(m, B, rng):
    shape = (B, m.hidden_size)
    if isinstance(m, LSTM):
        return rng.normal(size=shape), rng.normal(size=shape)
    return rng.normal(size=shape)


def flat(state):
    return list(state) if isinstance(state, tuple) else [state]


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

    h_seq, final, cache = m.forward(x, state)
    h_ref, final_ref, caches = run_ref(m, x, state)
    assert rel_err(h_seq, h_ref) < TOL
    for a, b in zip(flat(final), flat(final_ref), strict=True):
        assert rel_err(a, b) < TOL

    dx, grads, dstate0 = m.backward(dh_seq, cache, dstate)
    dx_ref, grads_ref, dstate0_ref = run_ref_backward(m, dh_seq, caches, dstate)
    assert rel_err(dx, dx_ref) < TOL
    for a, b in zip(flat(dstate0), flat(dstate0_ref), strict=True):
        assert rel_err(a, b) < TOL
    split = split_grads(m, grads)
    assert split.keys() == grads_ref.keys() == ref.params_of(m).keys()
    for k, g in grads_ref.items():
        assert rel_err(split[k], g) < TOL, k


def numeric_grad(f, a, eps=1e-6):
    """Central differences of the scalar ``f()`` with respect to every entry of ``a`` (in place)."""
    g = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        old = a[idx]
        a[idx] = old + eps
        up = f()
        a[idx] = old - eps
        down = f()
        a[idx] = old
        g[idx] = (up - down) / (2 * eps)
    return g


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
        return np.sum(h_seq * w_seq) + sum(np.sum(s * w) for s, w in zip(flat(final), w_final))

    _, _, caches = forward()
    dstate = tuple(w_final) if lstm else w_final[0]
    back = ref.lstm_backward if lstm else (ref.gru_backward if cls is GRU else ref.rnn_backward)
    dx, grads, dstate0 = back(w_seq, caches, p, dstate)

    checks = [(dx, x)] + list(zip(flat(dstate0), flat(state), strict=True))
    names = ["W_hf", "b_o", "w_co", "w_ci"] if lstm else ["W_hh", "W_xr" if cls is GRU else "b_h"]
    checks += [(grads[k], p[k]) for k in names if k in p]
    for analytic, a in checks:
        assert rel_err(analytic, numeric_grad(loss, a)) < 1e-7


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


def test_params_of_lstm_with_peepholes_has_15_keys():
    p = ref.params_of(LSTM(3, 4, peephole=True, seed=0))
    expected = {f"{w}{k}" for k in "ifgo" for w in ("W_x", "W_h", "b_")}
    assert set(p) == expected | {"w_ci", "w_cf", "w_co"}
    assert len(p) == 15
