"""lstm.book.notebook.setup: seeds, quiet TensorFlow, and clear errors.

``setup`` changes process-wide state (environment variables, global random generators,
TensorFlow's op determinism), so every check of what it does runs in a fresh Python process
and compares what that process reports with values written out here.
"""

import importlib.util
import json
import os
import random
import subprocess
import sys

import numpy as np
import pytest

from lstm.book.notebook import setup

HAS_TF = all(importlib.util.find_spec(name) is not None for name in ("tensorflow", "keras"))
needs_tf = pytest.mark.skipif(not HAS_TF, reason="checks what setup() does to TensorFlow/Keras")

#: What lstm/book/notebook.py documents for TF_ENVIRONMENT, written out by hand.
DOCUMENTED_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "KERAS_BACKEND": "tensorflow",
}


def clean_env(**env):
    """This process's environment without setup's variables (conftest.py sets them here), plus
    ``env``."""
    ours = {*DOCUMENTED_ENVIRONMENT, "LSTM_BOOK_SEED", "LSTM_BOOK_ONEDNN"}
    keep = {k: v for k, v in os.environ.items() if k not in ours}
    return {**keep, **env}


def run_python(code, **env):
    """Run ``code`` in a fresh interpreter with ``clean_env(**env)``; return its last stdout
    line, parsed as JSON."""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean_env(**env))
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def draws_by_hand(seed):
    """Python's and NumPy's first draws after seeding them by hand with ``seed`` (generators of
    their own: random.seed and np.random.seed would change this process's global ones)."""
    return [random.Random(seed).random(), np.random.RandomState(seed).rand(3).tolist()]


DRAWS = "[random.random(), np.random.rand(3).tolist()]"


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True, None])
def test_setup_rejects_bad_seeds(seed, monkeypatch):
    monkeypatch.delenv("LSTM_BOOK_SEED", raising=False)
    with pytest.raises(ValueError, match="seed must be an int >= 0"):  # lstm.checks.check_int
        setup(seed)  # raises before it changes anything, so it can run in this process


def test_setup_sets_the_documented_environment_over_other_values():
    code = (
        "import json, os\n"
        "from lstm.book.notebook import TF_ENVIRONMENT, setup\n"
        "before = {k: os.environ.get(k) for k in TF_ENVIRONMENT}\n"
        "setup(seed=3)\n"
        "try:\n    import keras\n    backend = keras.backend.backend()\n"
        "except ImportError:\n    backend = None\n"
        "after = {k: os.environ.get(k) for k in TF_ENVIRONMENT}\n"
        "print(json.dumps([before, after, backend]))\n"
    )
    before, after, backend = run_python(
        code, TF_CPP_MIN_LOG_LEVEL="0", TF_ENABLE_ONEDNN_OPTS="1", KERAS_BACKEND="numpy"
    )
    assert before == {"TF_CPP_MIN_LOG_LEVEL": "0", "TF_ENABLE_ONEDNN_OPTS": "1", "KERAS_BACKEND": "numpy"}
    assert after == {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "KERAS_BACKEND": "tensorflow"}
    assert backend == ("tensorflow" if HAS_TF else None)


@needs_tf
def test_setup_draws_equal_seeding_by_hand():
    """After setup(seed=3), Python's and NumPy's generators give the draws of random.seed(3) and
    np.random.seed(3), and Keras' and TensorFlow's those of keras.utils.set_random_seed(3) in a
    fresh process."""
    tf_draws = "[float(keras.random.uniform(())), float(tf.random.uniform(()))]"
    code = (
        "import json, random\n"
        "from lstm.book.notebook import setup\n"
        "setup(seed=SEED)\n"
        "import numpy as np, keras, tensorflow as tf\n"
        f"print(json.dumps([{DRAWS}, {tf_draws}]))\n"
    )
    by_hand = (  # the same draws, in the same order: Keras seeds its global generator from random
        "import json, random\n"
        "import numpy as np, keras, tensorflow as tf\n"
        "keras.utils.set_random_seed(SEED)\n"
        f"print(json.dumps([{DRAWS}, {tf_draws}]))\n"
    )
    ours, ours_tf = run_python(code.replace("SEED", "3"))
    assert ours == draws_by_hand(3)
    assert [ours, ours_tf] == run_python(by_hand.replace("SEED", "3"), **DOCUMENTED_ENVIRONMENT)
    other, other_tf = run_python(code.replace("SEED", "4"))
    assert other == draws_by_hand(4) and other != ours
    assert [other, other_tf] == run_python(by_hand.replace("SEED", "4"), **DOCUMENTED_ENVIRONMENT)
    assert other_tf != ours_tf


@needs_tf
def test_setup_seeds_numpy_and_keras_reproducibly():
    code = (
        "from lstm.book.notebook import setup; setup(seed=3)\n"
        "import numpy as np, keras\n"
        "print(np.random.rand(), float(keras.random.uniform(())))\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean_env())
        for _ in range(2)
    ]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    # TensorFlow's import and first ops print nothing to stderr once setup() has run
    assert runs[0].stderr == "", runs[0].stderr


@needs_tf
def test_setup_quiets_tensorflow_and_asks_for_deterministic_kernels():
    code = (
        "import json, logging\n"
        "from lstm.book.notebook import setup\n"
        "setup(seed=0, deterministic=DETERMINISTIC)\n"
        "import tensorflow as tf\n"
        "from tensorflow.python.framework import config\n"
        "print(json.dumps([tf.get_logger().level == logging.ERROR,"
        " config.is_op_determinism_enabled()]))\n"
    )
    quiet, deterministic = run_python(code.replace("DETERMINISTIC", "True"))
    assert quiet is True and deterministic is True
    quiet, deterministic = run_python(code.replace("DETERMINISTIC", "False"))
    assert quiet is True and deterministic is False


@needs_tf
def test_setup_after_tensorflow_import_with_other_settings_is_an_error():
    code = (
        "import os; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '0'\n"
        "import tensorflow\n"
        "from lstm.book.notebook import setup\n"
        "try:\n    setup(0)\nexcept ValueError as e:\n    print('ValueError:', e)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean_env())
    expected = "ValueError: TensorFlow was imported before lstm.book.notebook.setup()"
    assert expected in run.stdout, run.stdout + run.stderr


@needs_tf
def test_setup_again_after_tensorflow_import_is_fine():
    """A second setup() (a re-run first cell) finds TensorFlow imported with its own settings."""
    code = (
        "import json\n"
        "from lstm.book.notebook import setup\n"
        "setup(seed=1)\n"
        "import tensorflow\n"
        "print(json.dumps(setup(seed=2)))\n"
    )
    assert run_python(code) == 2


def test_seed_variable_overrides_the_argument():
    code = (
        "import json, random\n"
        "import numpy as np\n"
        "from lstm.book.notebook import setup\n"
        "seed = setup(seed=0)\n"
        f"print(json.dumps([seed, {DRAWS}]))\n"
    )
    seed, draws = run_python(code, LSTM_BOOK_SEED="5")
    assert seed == 5
    assert draws == draws_by_hand(5) and draws != draws_by_hand(0)
    seed, draws = run_python(code)  # without the variable: the argument
    assert seed == 0 and draws == draws_by_hand(0)


@pytest.mark.parametrize("value", ["-1", "one", "1.5", ""])
def test_bad_seed_variable_is_a_clear_error(value):
    """A bad LSTM_BOOK_SEED raises before setup changes anything (no environment set, no
    TensorFlow imported)."""
    code = (
        "import json, os, sys\n"
        "from lstm.book.notebook import setup\n"
        "try:\n"
        "    setup(seed=0)\n"
        "    error = None\n"
        "except ValueError as e:\n"
        "    error = str(e)\n"
        "print(json.dumps([error, os.environ.get('TF_CPP_MIN_LOG_LEVEL'),"
        " 'tensorflow' in sys.modules]))\n"
    )
    error, log_level, tf_imported = run_python(code, LSTM_BOOK_SEED=value)
    assert error == f"LSTM_BOOK_SEED must be a non-negative integer, got {value!r}"
    assert log_level is None and tf_imported is False


ENVIRONMENT_AFTER_SETUP = (
    "import json, os\n"
    "from lstm.book.notebook import setup\n"
    "try:\n"
    "    setup(seed=0)\n"
    "    error = None\n"
    "except ValueError as e:\n"
    "    error = str(e)\n"
    "print(json.dumps([error, os.environ.get('TF_ENABLE_ONEDNN_OPTS')]))\n"
)


@pytest.mark.parametrize(("value", "expected"), [(None, "0"), ("0", "0"), ("1", "1")])
def test_onednn_variable_turns_onednn_on(value, expected):
    """LSTM_BOOK_ONEDNN=1 (tools/spread.py's TensorFlow variant) keeps oneDNN on; otherwise off."""
    env = {} if value is None else {"LSTM_BOOK_ONEDNN": value}
    assert run_python(ENVIRONMENT_AFTER_SETUP, **env) == [None, expected]


@pytest.mark.parametrize("value", ["yes", "2", ""])
def test_bad_onednn_variable_is_a_clear_error(value):
    error, onednn = run_python(ENVIRONMENT_AFTER_SETUP, LSTM_BOOK_ONEDNN=value)
    assert error == f"LSTM_BOOK_ONEDNN must be 0 or 1, got {value!r}"
    assert onednn is None
