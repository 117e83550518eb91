"""Make a chapter notebook reproducible: quiet TensorFlow, seeded everything.

Every chapter starts with a hidden cell::

    from lstm.notebook import setup
    setup(seed=0)

``setup`` must run before TensorFlow or Keras is imported, because TensorFlow reads its
logging variables once, at import time. It is introduced in chapter 1.
"""

from __future__ import annotations

import os
import random
import sys

#: Environment variables that keep TensorFlow's import and kernels quiet and deterministic.
TF_ENVIRONMENT = {
    # Drop INFO, WARNING and ERROR lines from TensorFlow's C++ logging: some harmless ones
    # (e.g. "NodeDef mentions attribute use_unbounded_threadpool") carry a timestamp and would
    # make a cell's output differ from run to run. Python exceptions still surface as usual.
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",  # oneDNN's custom ops reorder float sums: results drift run to run
    "KERAS_BACKEND": "tensorflow",
}


def setup(seed: int = 0, *, deterministic: bool = True) -> None:
    """Seed Python, NumPy and (if installed) Keras/TensorFlow, and silence TensorFlow.

    Introduced in :doc:`chapter 1 </chapters/01_background>`.

    Args:
        seed: the seed for every random number generator.
        deterministic: also ask TensorFlow for deterministic kernels
            (``tf.config.experimental.enable_op_determinism``).

    Raises:
        ValueError: if ``seed`` is not a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if "tensorflow" in sys.modules:
        for key, value in TF_ENVIRONMENT.items():
            if os.environ.get(key) != value:
                raise ValueError(
                    f"TensorFlow was imported before lstm.notebook.setup() with {key}="
                    f"{os.environ.get(key)!r}; call setup() first, in the notebook's first cell"
                )
    os.environ.update(TF_ENVIRONMENT)
    random.seed(seed)

    import numpy as np

    np.random.seed(seed)
    try:
        import keras
    except ImportError:  # the NumPy chapters work without TensorFlow
        return
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")  # tf.distribute's INFO lines, retracing warnings
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
