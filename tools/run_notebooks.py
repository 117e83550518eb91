"""Execute chapter notebooks, each in a fresh kernel, top to bottom, and time them.

    python tools/run_notebooks.py chapters/01_background.ipynb [...]
    python tools/run_notebooks.py --out /tmp/variant chapters/*.ipynb

This is how stored outputs are made: one clean run, execution counts 1..N, written back in
place. Never edit an output by hand. With ``--out DIR`` the executed copies go to DIR instead
and the stored notebooks are left alone; a cell that raises is recorded there, not fatal (this
is how ``tools/spread.py`` runs its variants). Prints the wall time of each notebook (record it
in the issue note).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run(path: Path, timeout: int = 3600, out: Path | None = None) -> float:
    """Execute ``path`` in a fresh kernel; write it back in place, or to ``out`` if given."""
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
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=out is not None,
        resources={"metadata": {"path": str(path.resolve().parent)}},
    ).execute()
    elapsed = time.perf_counter() - start
    nbformat.write(nb, out if out is not None else path)
    return elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, help="write executed copies here instead of in place")
    args = parser.parse_args(argv)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
    for path in args.notebooks:
        seconds = run(path, out=None if args.out is None else args.out / path.name)
        print(f"{path}: executed in {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    main()
