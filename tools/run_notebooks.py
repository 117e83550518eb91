"""Execute chapter notebooks in place, each in a fresh kernel, top to bottom, and time them.

    python tools/run_notebooks.py chapters/01_background.ipynb [...]

This is how stored outputs are made: one clean run, execution counts 1..N. Never edit an
output by hand. Prints the wall time of each notebook (record it in the issue note).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run(path: Path, timeout: int = 3600) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # start from nothing
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    root = str(Path(__file__).resolve().parents[1])  # the kernel imports lstm from the repo root
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    elapsed = time.perf_counter() - start
    nbformat.write(nb, path)
    return elapsed


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for arg in sys.argv[1:]:
        seconds = run(Path(arg))
        print(f"{arg}: executed in {seconds:.1f} s")
