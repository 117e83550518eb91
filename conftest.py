"""Shared pytest configuration.

The chapter notebooks run in Jupyter kernels that nbval starts in ``chapters/``; they
import the ``lstm`` package from the repository root, so the root goes on PYTHONPATH
before any kernel starts. TensorFlow is kept quiet and deterministic the same way.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent

os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

# nbval compares words exactly and numbers within each cell's tolerance (tests/nbcompare.py).
sys.path.insert(0, str(ROOT / "tests"))
import nbcompare  # noqa: E402

nbcompare.install()
