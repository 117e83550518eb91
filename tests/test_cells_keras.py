"""The NumPy LSTM, GRU and SimpleRNN against Keras and TensorFlow (skipped without TensorFlow).

It proves that the forward pass equals Keras' layers (float64 and float32, zero and random
initial states), that the backward pass equals TensorFlow's GradientTape gradients (weights,
inputs, initial states), that ``from_keras`` copies layers without bias and rejects layers it
cannot represent, and that chrono bias initialisation fits Keras' fused LSTM bias. The NumPy-only
checks are in tests/test_cells_numpy.py.
"""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from cell_helpers import as_list, as_state, rel_err  # noqa: E402

from lstm import GRU, LSTM, SimpleRNN, chrono_bias  # noqa: E402

CELLS = {
    "LSTM": (LSTM, keras.layers.LSTM),
    "GRU": (GRU, keras.layers.GRU),
    "SimpleRNN": (SimpleRNN, keras.layers.SimpleRNN),
}


def random_shape(rng):
    B, T, D, H = (int(v) for v in rng.integers([1, 1, 1, 1], [5, 8, 6, 7]))
    return B, T, D, H


def keras_pair(name, rng, dtype, shape):
    """A built Keras layer with random weights (incl. biases) and its NumPy copy."""
    cls, K = CELLS[name]
    B, T, D, H = shape
    layer = K(H, return_sequences=True, return_state=True, dtype=dtype)
    layer.build((None, T, D))
    layer.set_weights([(rng.standard_normal(w.shape) * 0.5).astype(dtype) for w in layer.get_weights()])
    return layer, cls.from_keras(layer)


def random_state(name, rng, B, H, dtype, zero):
    make = (lambda: np.zeros((B, H), dtype)) if zero else (lambda: rng.standard_normal((B, H)).astype(dtype))
    return [make(), make()] if name == "LSTM" else [make()]


# ---------------------------------------------------------------------------- forward = Keras
@pytest.mark.parametrize("zero_state", [True, False], ids=["zero-state", "random-state"])
@pytest.mark.parametrize("dtype,tol", [("float64", 1e-9), ("float32", 2e-5)])
@pytest.mark.parametrize("name", list(CELLS))
def test_forward_equals_keras(name, dtype, tol, zero_state):
    rng = np.random.default_rng([1, len(name), int(zero_state), len(dtype)])
    B, T, D, H = shape = random_shape(rng)
    layer, m = keras_pair(name, rng, dtype, shape)
    assert m.dtype == np.dtype(dtype) and (m.input_size, m.hidden_size) == (D, H)
    x = rng.standard_normal((B, T, D)).astype(dtype)
    states = random_state(name, rng, B, H, dtype, zero_state)
    ref = [np.asarray(v) for v in layer(x, initial_state=states)]
    h_seq, final, _ = m.forward(x, None if zero_state else as_state(name, states))
    assert h_seq.shape == (B, T, H) and h_seq.dtype == np.dtype(dtype)
    assert rel_err(h_seq, ref[0]) <= tol
    for mine, theirs in zip(as_list(final), ref[1:], strict=True):
        assert mine.dtype == np.dtype(dtype)
        assert rel_err(mine, theirs) <= tol


# ---------------------------------------------------------------------------- backward = autodiff
@pytest.mark.parametrize("name", list(CELLS))
def test_backward_equals_gradient_tape(name):
    rng = np.random.default_rng([5, len(name)])
    B, T, D, H = shape = random_shape(rng)
    layer, m = keras_pair(name, rng, "float64", shape)
    x = rng.standard_normal((B, T, D))
    states = random_state(name, rng, B, H, "float64", zero=False)
    w_seq = rng.standard_normal((B, T, H))
    w_fin = [rng.standard_normal((B, H)) for _ in states]

    x_tf = tf.constant(x)
    s_tf = [tf.constant(s) for s in states]
    with tf.GradientTape() as tape:
        tape.watch([x_tf, *s_tf])
        out = layer(x_tf, initial_state=s_tf)
        loss = tf.reduce_sum(out[0] * w_seq) + sum(
            tf.reduce_sum(o * w) for o, w in zip(out[1:], w_fin, strict=True)
        )
    weights = layer.trainable_weights  # kernel, recurrent_kernel, bias
    g_w, g_x, g_s = tape.gradient(loss, [weights, x_tf, s_tf])

    _, _, cache = m.forward(x, as_state(name, states))
    dx, grads, dstate0 = m.backward(w_seq, cache, as_state(name, w_fin))
    assert set(grads) == set(m.params)
    for key in m.params:
        assert grads[key].shape == m.params[key].shape and grads[key].dtype == np.float64
    for key, g in zip(("W_x", "W_h", "b"), g_w, strict=True):
        assert rel_err(grads[key], np.asarray(g)) <= 1e-9, key
    assert rel_err(dx, np.asarray(g_x)) <= 1e-9
    for mine, theirs in zip(as_list(dstate0), g_s, strict=True):
        assert rel_err(mine, np.asarray(theirs)) <= 1e-9


# ---------------------------------------------------------------------------- from_keras
def test_from_keras_without_bias():
    rng = np.random.default_rng(8)
    layer = keras.layers.GRU(3, use_bias=False, return_sequences=True, dtype="float64")
    x = rng.standard_normal((2, 4, 2))
    ref = np.asarray(layer(x))
    m = GRU.from_keras(layer)
    np.testing.assert_array_equal(m.params["b"], 0.0)
    assert rel_err(m.forward(x)[0], ref) <= 1e-9


def test_from_keras_rejects_wrong_layers():
    with pytest.raises(ValueError, match="keras.layers.LSTM"):
        LSTM.from_keras(keras.layers.GRU(3))
    with pytest.raises(ValueError, match="built"):
        LSTM.from_keras(keras.layers.LSTM(3))
    relu = keras.layers.SimpleRNN(3, activation="relu")
    relu.build((None, 2, 2))
    with pytest.raises(ValueError, match="activation"):
        SimpleRNN.from_keras(relu)
    with pytest.raises(ValueError, match="reset_after"):
        layer = keras.layers.GRU(3, reset_after=False)
        layer.build((None, 2, 2))
        GRU.from_keras(layer)


# ---------------------------------------------------------------------------- chrono initialisation
def test_chrono_bias_fits_the_numpy_layer_and_keras_fused_bias():
    H, T = 50, 40
    m = LSTM(2, H, seed=0)
    m.params["b"][...] = chrono_bias(H, T, dtype="float64")  # the NumPy layer takes it as is
    layer = keras.layers.LSTM(H)
    layer.build((None, 5, 2))
    layer.cell.bias.assign(chrono_bias(H, T))  # and Keras' fused bias (same gate order)
    np.testing.assert_allclose(np.asarray(layer.cell.bias), m.params["b"], rtol=1e-6)
