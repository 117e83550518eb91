"""lstm.notebook.setup: seeds, quiet TensorFlow, and clear errors."""

import os
import subprocess
import sys

import pytest

from lstm.notebook import TF_ENVIRONMENT, setup


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True, None])
def test_setup_rejects_bad_seeds(seed):
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        setup(seed)


def test_setup_seeds_numpy_and_keras_reproducibly():
    code = (
        "from lstm.notebook import setup; setup(seed=3)\n"
        "import numpy as np, keras\n"
        "print(np.random.rand(), float(keras.random.uniform(())))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env) for _ in range(2)]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    # TensorFlow's import and first ops print nothing to stderr once setup() has run
    assert runs[0].stderr == "", runs[0].stderr


def test_setup_after_tensorflow_import_with_other_settings_is_an_error():
    code = (
        "import os; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '0'\n"
        "import tensorflow\n"
        "from lstm.notebook import setup\n"
        "try:\n    setup(0)\nexcept ValueError as e:\n    print('ValueError:', e)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "ValueError: TensorFlow was imported before lstm.notebook.setup()" in run.stdout, run.stdout + run.stderr


def test_environment_is_quiet_and_deterministic():
    assert TF_ENVIRONMENT["TF_CPP_MIN_LOG_LEVEL"] == "3"
    assert TF_ENVIRONMENT["TF_ENABLE_ONEDNN_OPTS"] == "0"


def test_setup_returns_its_seed_and_the_environment_overrides_it(monkeypatch):
    monkeypatch.delenv("LSTM_BOOK_SEED", raising=False)
    assert setup(seed=4) == 4
    monkeypatch.setenv("LSTM_BOOK_SEED", "2")
    assert setup(seed=0) == 2
    import numpy as np

    first = np.random.rand()
    setup(seed=0)
    assert np.random.rand() == first  # seeded with 2 both times


@pytest.mark.parametrize("value", ["-1", "one", "1.5", ""])
def test_bad_seed_variable_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv("LSTM_BOOK_SEED", value)
    with pytest.raises(ValueError, match="LSTM_BOOK_SEED must be a non-negative integer"):
        setup(seed=0)
