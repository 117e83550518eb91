"""How far does each number in the stored notebooks move on another machine, or another seed?

    python tools/spread.py run [--variants kernel,seed1,seed2] [chapters/*.ipynb]
    python tools/spread.py table [--variants ...] [chapters/*.ipynb]

``run`` re-executes the notebooks under each variant, in a fresh kernel, and writes the executed
copies to ``_build/spread/VARIANT/`` (the stored notebooks are left alone):

* ``kernel``: another OpenBLAS kernel (``OPENBLAS_CORETYPE=Sandybridge``, or ``Haswell`` where
  Sandybridge is already in force): the same code on a slightly different floating-point path,
  which is what another CPU is;
* ``onednn``: ``LSTM_BOOK_ONEDNN=1``, which makes :func:`lstm.book.notebook.setup` leave
  TensorFlow's oneDNN kernels on: the TensorFlow chapters' floating-point path changes (OpenBLAS
  does not reach TensorFlow, and neither does its thread count under op determinism);
* ``seed1``, ``seed2``: ``LSTM_BOOK_SEED=1`` or ``2``, which :func:`lstm.book.notebook.setup` hands to
  every seed in the chapter: what a long training run may amplify the first variant into.

``table`` compares every code cell's numbers with the stored ones (the words must match; see
``tests/nbcompare.py``) and prints, per chapter, each cell whose numbers moved: the largest
absolute and relative change under each variant, the tolerance the cell declares, and whether the
kernel variant fits inside it. A cell that raised under a variant (an asserted claim that no longer
holds) is listed with its error; outputs are sanitized first with nbval's rules
(``tests/nbval_sanitize.cfg``), as the tests do. A variant of the whole book takes about half an
hour on 2 cores, two thirds of it chapters 4 and 5; pass notebooks to do fewer.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import nbformat
from nbval.plugin import get_sanitize_patterns

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tools"))
import nbcompare  # noqa: E402
import run_notebooks  # noqa: E402

OUT = ROOT / "_build" / "spread"
#: nbval's sanitizing rules (timings, addresses), applied before comparing, as the tests do.
SANITIZE = [
    (re.compile(regex), replace)
    for regex, replace in get_sanitize_patterns((ROOT / "tests" / "nbval_sanitize.cfg").read_text())
]


def _sanitize(value):
    if isinstance(value, str):
        for regex, replace in SANITIZE:
            value = regex.sub(replace, value)
    return value


def _other_kernel() -> str:
    return "Haswell" if os.environ.get("OPENBLAS_CORETYPE", "").lower() == "sandybridge" else "Sandybridge"


VARIANTS = {
    "kernel": lambda: {"OPENBLAS_CORETYPE": _other_kernel()},
    "seed1": lambda: {"LSTM_BOOK_SEED": "1"},
    "seed2": lambda: {"LSTM_BOOK_SEED": "2"},
    "onednn": lambda: {"LSTM_BOOK_ONEDNN": "1"},
}


def run(variants: list[str], notebooks: list[Path]) -> None:
    for name in variants:
        env = VARIANTS[name]()
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            for path in notebooks:
                seconds = run_notebooks.run(path, out=_mkdir(OUT / name) / path.name)
                print(f"{name} {env}: {path} executed in {seconds:.1f} s", flush=True)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def cell_change(ref_cell, test_cell) -> dict:
    """Largest absolute and relative change of a code cell's numbers; 'words' if its text changed.

    ``fits``: whether every number stays within its own tolerance (the cell's where its
    ``applies_to`` covers the number, else the default).
    """
    errors = [o for o in test_cell.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        return {"error": f"{errors[0]['ename']}: {errors[0]['evalue']}"[:160]}
    ref, test = (
        {key: [_sanitize(v) for v in values] for key, values in nbcompare.flatten(cell.outputs).items()}
        for cell in (ref_cell, test_cell)
    )
    if set(ref) != set(test) or any(len(ref[k]) != len(test[k]) for k in ref):
        return {"words": f"outputs {sorted(ref)} became {sorted(test)}"}
    abs_max = rel_max = 0.0
    count = 0
    fits = True
    tol = nbcompare.tolerance_of(ref_cell.metadata)
    for key in ref:
        for r, t in zip(ref[key], test[key]):
            if not isinstance(r, str):
                if r != t:
                    return {"words": f"{key} changed"}
                continue
            pairs = nbcompare.number_pairs(r, t)
            if pairs is None:
                return {"words": nbcompare.difference(r, t).splitlines()[-1][:160]}
            for (a, b), own in zip(pairs, tol.for_numbers(r)):
                count += 1
                fits &= own.allows(a, b)
                if a != b:
                    d = abs(b - a)
                    abs_max = max(abs_max, d)
                    rel_max = max(rel_max, d / abs(a) if a else float("inf"))
    return {"abs": abs_max, "rel": rel_max, "count": count, "fits": fits}


def table(variants: list[str], notebooks: list[Path]) -> None:
    for path in notebooks:
        ref = nbformat.read(path, as_version=4)
        runs = {}
        for name in variants:
            copy = OUT / name / path.name
            if copy.exists():
                runs[name] = nbformat.read(copy, as_version=4)
        if not runs:
            print(f"\n## {path.name}: no variant runs under {OUT}")
            continue
        print(f"\n## {path.name}\n")
        print("| cell | declared tolerance | " + " | ".join(runs) + " | kernel variant within tolerance |")
        print("|---|---|" + "---|" * len(runs) + "---|")
        code = [c for c in ref.cells if c.cell_type == "code"]
        moved = 0
        for index, cell in enumerate(code):
            changes = {}
            for name, nb in runs.items():
                test_code = [c for c in nb.cells if c.cell_type == "code"]
                if len(test_code) != len(code):
                    sys.exit(
                        f"{name}/{path.name} has {len(test_code)} code cells, "
                        f"the stored one {len(code)}: re-run it"
                    )
                changes[name] = cell_change(cell, test_code[index])
            if all(c.get("abs", 1) == 0 for c in changes.values()):
                continue
            moved += 1
            tol = nbcompare.tolerance_of(cell.metadata)
            tags = cell.metadata.get("tags", [])
            declared = (
                "ignored (nbval-ignore-output)"
                if "nbval-ignore-output" in tags
                else (
                    "default"
                    if tol == nbcompare.DEFAULT
                    else "; ".join(f"rtol {t.rtol:g}, atol {t.atol:g}" for t in getattr(tol, "parts", (tol,)))
                )
            )
            cells = []
            for c in changes.values():
                if "error" in c:
                    cells.append(f"**raised** {c['error']}".replace("|", "/"))
                elif "words" in c:
                    cells.append(f"**words** {c['words']}".replace("|", "/"))
                else:
                    cells.append(f"abs {c['abs']:.3g}, rel {c['rel']:.3g} ({c['count']} numbers)")
            kernel = changes.get("kernel")
            verdict = (
                "" if kernel is None else ("yes" if kernel.get("fits") or "ignore" in declared else "**no**")
            )
            print(f"| {index} | {declared} | " + " | ".join(cells) + f" | {verdict} |")
        print(f"\n{moved} of {len(code)} code cells moved under some variant.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["run", "table"])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help=f"comma-separated, from {', '.join(VARIANTS)} (default: all)",
    )
    args = parser.parse_intermixed_args(argv)
    args.variants = args.variants.split(",")
    unknown = set(args.variants) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variant(s) {sorted(unknown)}: choose from {', '.join(VARIANTS)}")
    notebooks = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    (run if args.command == "run" else table)(args.variants, notebooks)


if __name__ == "__main__":
    main()
