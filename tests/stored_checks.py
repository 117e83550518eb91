"""Checks of the stored notebooks that keep the tolerant comparison honest.

Two holes a per-cell tolerance leaves, and the checks that close them (run over every chapter by
``tests/test_stored_outputs.py``, and tested there on small notebooks with known faults):

* :func:`tolerance_problems`: a tolerance must say which numbers it is for (``applies_to``, see
  ``tests/nbcompare.py``), must cover at least one, and must not cover a number that is no larger
  than itself, which the comparison could not tell from zero (a learning rate 3e-3 under an
  ``atol`` of 0.03). Error bounds are the exception (``bounds``): noise that is allowed to be
  small, in a cell that asserts how small (or whose next cell does: the book asserts a training
  cell's claims in the hidden cell after it).
* :func:`ignored_glue_problems`: a cell tagged ``nbval-ignore-output`` (a timing, an example
  picked by a trained model) is not compared, so a value it glues must not carry a claim on its
  own. Each sentence of the prose that cites one must either say that it is this machine's
  measurement, or the example this run picked (:data:`MACHINE`), or the value must be a variable
  or an item of one (``glue("key", ratio)``, ``round(ratio, 2)``, ``mse[25]``) that an ``assert`` of
  the notebook reads.
"""

from __future__ import annotations

import ast
import re

import nbcompare

#: How a sentence marks a number as the measurement of the machine that ran the page.
MACHINE = re.compile(
    r"\b(?:this\s+machine|the\s+(?:machine|CPU)\s+that\s+(?:built|ran)\s+this\s+page"
    r"|this\s+run|picked\s+here)\b",
    re.I,
)
#: A glue role in markdown: {glue:text}`key` or {glue:text}`key:format` (any glue role).
GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`(?:[\w./-]+::)?([\w-]+)")


def _code_cells(nb) -> list:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _source(cell) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def _texts(cell) -> list[str]:
    """Every text value of a cell's outputs, glued values as ``glue KEY: VALUE`` (as compared)."""
    return [
        v
        for values in nbcompare.flatten(cell.get("outputs", [])).values()
        for v in values
        if isinstance(v, str)
    ]


def tolerance_problems(nb) -> list[str]:
    """What is wrong with the tolerances the code cells of ``nb`` declare (empty: nothing)."""
    problems = []
    cells = _code_cells(nb)
    for index, cell in enumerate(cells):
        where = f"code cell {index}"
        try:
            tol = nbcompare.tolerance_of(cell.get("metadata", {}))
        except ValueError as err:
            problems.append(f"{where}: {err}")
            continue
        if tol == nbcompare.DEFAULT or "nbval-ignore-output" in cell.get("metadata", {}).get("tags", []):
            continue
        parts = tol.parts if isinstance(tol, nbcompare.Tolerances) else (tol,)
        if any(part.applies_to is None for part in parts):
            problems.append(
                f"{where}: its tolerance does not say which numbers it is for: add 'applies_to', a regular "
                "expression matching the trained numbers of its output (see tests/nbcompare.py)"
            )
            continue
        used = set()  # the parts that own at least one number
        for text in _texts(cell):
            found = list(nbcompare.NUMBER.finditer(text))
            owners = tol.for_numbers(text)
            bounds = {id(part): part.covered(text, part.bounds) for part in parts if part.bounds}
            for i, (match, own) in enumerate(zip(found, owners)):
                x = float(match.group().replace(",", ""))
                if own is nbcompare.DEFAULT or x != x:
                    continue
                used.add(id(own))
                if bounds.get(id(own), [False] * len(found))[i]:
                    if not any(
                        re.search(r"^\s*assert\b", _source(c), re.M) for c in cells[index : index + 2]
                    ):
                        problems.append(
                            f"{where}: {x!r} is marked an error bound, "
                            "but neither the cell nor the next asserts anything"
                        )
                elif own.allows(x, 0.0):
                    start = text.rfind("\n", 0, match.start()) + 1
                    line = text[start:].split("\n", 1)[0]
                    problems.append(
                        f"{where}: {x!r} is no larger than its tolerance "
                        f"(rtol={own.rtol:g}, atol={own.atol:g}), so the comparison cannot tell it from 0 "
                        f"(in {line.strip()[:80]!r}): narrow 'applies_to' or, for an error bound an "
                        "assert checks, name it in 'bounds'"
                    )
        for part in parts:
            if id(part) not in used:
                problems.append(
                    f"{where}: 'applies_to' {part.applies_to!r} covers none of its stored numbers"
                )
    return problems


def _value_name(expr) -> set[str]:
    """``{name}`` if ``expr`` is a variable or an item of one (``ratio``, ``mse[25]``), possibly inside
    round(), float() or int(); else empty: an expression computed in the call is asserted nowhere."""
    while (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Name)
        and expr.func.id in ("round", "float", "int")
    ):
        expr = expr.args[0] if expr.args else None
    while isinstance(expr, ast.Subscript):
        expr = expr.value
    return {expr.id} if isinstance(expr, ast.Name) else set()


def _glued_names(cell) -> dict[str, set[str]]:
    """For each ``glue("key", expr, ...)`` call in a cell: the variable ``expr`` is, if it is one."""
    glued = {}
    try:
        tree = ast.parse(_source(cell))
    except SyntaxError:
        return glued
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "glue"
            and len(node.args) >= 2
        ):
            key = node.args[0]
            names = _value_name(node.args[1])
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                glued[key.value] = names
            elif isinstance(key, ast.JoinedStr):  # f"ch4_acc_{key}": a pattern
                pattern = "".join(
                    re.escape(part.value) if isinstance(part, ast.Constant) else r"\w+" for part in key.values
                )
                glued[f"re:{pattern}"] = names
    return glued


def _asserted_names(nb) -> set[str]:
    names = set()
    for cell in _code_cells(nb):
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                names |= {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}
    return names


def _sentences(markdown: str) -> list[str]:
    """The markdown's sentences (roughly: split at ., ? or ! before a space or a line end)."""
    return [s for s in re.split(r"(?<=[.?!])\s+(?=[A-Z({*\[])|\n\s*\n", markdown) if s.strip()]


def ignored_glue_problems(nb) -> list[str]:
    """Prose citations of values glued by ignored cells that nothing checks (empty: none)."""
    ignored: dict[str, set[str]] = {}
    for cell in _code_cells(nb):
        if "nbval-ignore-output" in cell.get("metadata", {}).get("tags", []):
            ignored.update(_glued_names(cell))
    if not ignored:
        return []
    asserted = _asserted_names(nb)
    problems = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for sentence in _sentences(_source(cell)):
            for key in GLUE_ROLE.findall(sentence):
                names = ignored.get(key)
                if names is None:
                    names = next(
                        (n for k, n in ignored.items() if k.startswith("re:") and re.fullmatch(k[3:], key)),
                        None,
                    )
                if names is None or MACHINE.search(sentence) or names & asserted:
                    continue
                problems.append(
                    f"{key}: glued by a cell whose output is not compared, cited without a check in "
                    f"{' '.join(sentence.split())[:160]!r}: say it is this machine's measurement "
                    "('on the machine that built this page'), or glue a variable and assert what the "
                    "sentence draws from it"
                )
    return problems
