"""Small helpers shared by tests/test_cells_numpy.py and tests/test_cells_keras.py."""

import numpy as np


def rel_err(a, b):
    """max |a - b| / max |b|."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def as_state(name, states):
    return tuple(states) if name == "LSTM" else states[0]


def as_list(state):
    return list(state) if isinstance(state, tuple) else [state]
