"""Make a chapter notebook reproducible: quiet TensorFlow, seeded everything.

Every chapter starts with a hidden cell::

    from lstm.book.notebook import setup
    SEED = setup(seed=0)

and derives every seed it uses from ``SEED`` (``seed=SEED``, ``seed=SEED + 1``, ...). The
stored outputs are made with ``SEED = 0``. To measure how far a chapter's results move with
the seed (``tools/spread.py``), set the environment variable ``LSTM_BOOK_SEED``: ``setup``
then uses it instead of its argument. It exists for that purpose only.

``setup`` must run before TensorFlow or Keras is imported, because TensorFlow reads its
logging variables once, at import time. It is introduced in chapter 1.
"""

from __future__ import annotations

import os
import random
import sys

from ..checks import check_int

#: Environment variables that keep TensorFlow's import and kernels quiet and deterministic.
TF_ENVIRONMENT = {
    # Drop INFO, WARNING and ERROR lines from TensorFlow's C++ logging: some harmless ones
    # (e.g. "NodeDef mentions attribute use_unbounded_threadpool") carry a timestamp and would
    # make a cell's output differ from run to run. Python exceptions still surface as usual.
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",  # oneDNN's custom ops reorder float sums: results drift run to run
    "KERAS_BACKEND": "tensorflow",
}


#: The environment variable that overrides ``setup``'s seed (for ``tools/spread.py`` only).
SEED_VARIABLE = "LSTM_BOOK_SEED"
#: Set to ``1`` to keep oneDNN's kernels on (``TF_ENABLE_ONEDNN_OPTS=1``): TensorFlow's float
#: sums then take another path, as on another CPU (for ``tools/spread.py`` only).
ONEDNN_VARIABLE = "LSTM_BOOK_ONEDNN"


def tf_environment() -> dict[str, str]:
    """The TensorFlow environment that :func:`setup` sets: :data:`TF_ENVIRONMENT`, with oneDNN on
    where ``LSTM_BOOK_ONEDNN=1``.

    Raises:
        ValueError: if ``LSTM_BOOK_ONEDNN`` is set to anything but ``0`` or ``1``.
    """
    onednn = os.environ.get(ONEDNN_VARIABLE)
    if onednn not in (None, "0", "1"):
        raise ValueError(f"{ONEDNN_VARIABLE} must be 0 or 1, got {onednn!r}")
    return {**TF_ENVIRONMENT, "TF_ENABLE_ONEDNN_OPTS": onednn or TF_ENVIRONMENT["TF_ENABLE_ONEDNN_OPTS"]}


def setup(seed: int = 0, *, deterministic: bool = True) -> int:
    """Seed Python, NumPy and (if installed) Keras/TensorFlow, and silence TensorFlow.

    Introduced in :doc:`chapter 1 </chapters/01_background>`.

    Args:
        seed: the seed for every random number generator.
        deterministic: also ask TensorFlow for deterministic kernels
            (``tf.config.experimental.enable_op_determinism``).

    Returns:
        int: the seed in force, ``seed`` or the value of ``LSTM_BOOK_SEED`` when that is set.

    Raises:
        ValueError: if ``seed`` (or ``LSTM_BOOK_SEED``) is not a non-negative integer, or
            ``LSTM_BOOK_ONEDNN`` is not ``0`` or ``1``.
    """
    check_int("seed", seed, minimum=0)
    override = os.environ.get(SEED_VARIABLE)
    if override is not None:
        if not override.isdigit():
            raise ValueError(f"{SEED_VARIABLE} must be a non-negative integer, got {override!r}")
        seed = int(override)
    environment = tf_environment()
    if "tensorflow" in sys.modules:
        for key, value in environment.items():
            if os.environ.get(key) != value:
                raise ValueError(
                    f"TensorFlow was imported before lstm.book.notebook.setup() with {key}="
                    f"{os.environ.get(key)!r}; call setup() first, in the notebook's first cell"
                )
    os.environ.update(environment)
    random.seed(seed)

    import numpy as np

    np.random.seed(seed)  # noqa: NPY002 - the legacy global generator, for readers who use it
    try:
        import keras
    except ImportError:  # the NumPy chapters work without TensorFlow
        return seed
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")  # tf.distribute's INFO lines, retracing warnings
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    return seed
