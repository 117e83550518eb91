"""The stored notebooks keep their tolerances honest and their uncompared values checked.

``tests/stored_checks.py`` says what is checked and why; here it runs over every chapter, and on
small notebooks with known faults, each of which it must catch.
"""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from stored_checks import ignored_glue_problems, tolerance_problems

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(ROOT.glob("chapters/*.ipynb"))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_tolerance_covers_only_numbers_it_can_tell_from_zero(path):
    assert tolerance_problems(nbformat.read(path, as_version=4)) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_cited_value_of_an_ignored_cell_is_marked_or_asserted(path):
    assert ignored_glue_problems(nbformat.read(path, as_version=4)) == []


def _printing(text, tolerance=None, source="print(...)", tags=()):
    cell = new_code_cell(source, outputs=[new_output("stream", name="stdout", text=text)])
    if tolerance is not None:
        cell.metadata["tolerance"] = tolerance
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _glueing(key, source, value="0.5", tags=()):
    out = new_output(
        "display_data",
        data={"application/papermill.record/text/plain": value},
        metadata={"scrapbook": {"name": key, "mime_prefix": "application/papermill.record/"}},
    )
    cell = new_code_cell(source, outputs=[out])
    cell.metadata["tags"] = list(tags)
    return cell


GRID = "learning rate 3e-03  units 32  validation accuracy 0.791\n"
WHY = "measured spread 0.01"


def test_a_label_under_a_whole_cell_tolerance_is_caught():
    nb = new_notebook(cells=[_printing(GRID, {"atol": 0.03, "why": WHY})])
    (problem,) = tolerance_problems(nb)
    assert "'applies_to'" in problem
    nb = new_notebook(cells=[_printing(GRID, {"atol": 0.03, "why": WHY, "applies_to": r"rate \S+"})])
    problems = tolerance_problems(nb)
    assert len(problems) == 1 and "no larger than its tolerance" in problems[0] and "0.003" in problems[0]
    nb = new_notebook(cells=[_printing(GRID, {"atol": 0.03, "why": WHY, "applies_to": r"accuracy \S+"})])
    assert tolerance_problems(nb) == []


def test_a_tolerance_that_covers_nothing_is_caught():
    nb = new_notebook(cells=[_printing(GRID, {"atol": 0.03, "why": WHY, "applies_to": r"loss \S+"})])
    (problem,) = tolerance_problems(nb)
    assert "covers none" in problem


def test_an_error_bound_passes_only_where_the_cell_asserts_it():
    text = "largest relative difference 5.3e-13\n"
    tol = {"atol": 1e-10, "why": WHY, "applies_to": r"difference \S+"}
    assert "no larger" in tolerance_problems(new_notebook(cells=[_printing(text, tol)]))[0]
    tol["bounds"] = r"difference \S+"
    assert "asserts anything" in tolerance_problems(new_notebook(cells=[_printing(text, tol)]))[0]
    cell = _printing(text, tol, source="diff = check()\nassert diff < 1e-9")
    assert tolerance_problems(new_notebook(cells=[cell])) == []
    # the book's pattern: a training cell, then the hidden cell that asserts its claims
    hidden = new_code_cell("assert diff < 1e-9", metadata={"tags": ["remove-cell"]})
    assert tolerance_problems(new_notebook(cells=[_printing(text, tol), hidden])) == []
    later = [_printing(text, tol), new_code_cell("x = 1"), hidden]
    assert len(tolerance_problems(new_notebook(cells=later))) == 1


def test_a_glued_value_can_be_selected_by_its_key():
    cell = _glueing("ch9_acc", "glue('ch9_acc', acc)", value="0.02")
    cell.metadata["tolerance"] = {"atol": 0.03, "why": WHY, "applies_to": r"glue ch9_acc: \S+"}
    assert "no larger" in tolerance_problems(new_notebook(cells=[cell]))[0]
    cell.outputs[0]["data"]["application/papermill.record/text/plain"] = "0.82"
    assert tolerance_problems(new_notebook(cells=[cell])) == []


def test_an_unchecked_timing_cited_in_the_prose_is_caught():
    timing = _glueing("ch9_ratio", "glue('ch9_ratio', ratio)", tags=["nbval-ignore-output"])
    bare = new_markdown_cell("Windows are faster: {glue:text}`ch9_ratio:.2f` times the time.")
    (problem,) = ignored_glue_problems(new_notebook(cells=[timing, bare]))
    assert problem.startswith("ch9_ratio:")
    marked = new_markdown_cell(
        "On the machine that built this page it took {glue:text}`ch9_ratio:.2f` times as long."
    )
    assert ignored_glue_problems(new_notebook(cells=[timing, marked])) == []
    asserted = new_code_cell("assert ratio > 1.5", metadata={"tags": ["remove-cell"]})
    assert ignored_glue_problems(new_notebook(cells=[timing, asserted, bare])) == []


def test_an_assert_on_something_else_does_not_count():
    timing = _glueing("ch9_ratio", "glue('ch9_ratio', times[1] / times[0])", tags=["nbval-ignore-output"])
    other = new_code_cell("assert len(times) == 2")
    bare = new_markdown_cell("It took {glue:text}`ch9_ratio:.2f` times as long.")
    assert len(ignored_glue_problems(new_notebook(cells=[timing, other, bare]))) == 1


def test_a_compared_glue_needs_no_mark():
    compared = _glueing("ch9_acc", "glue('ch9_acc', acc)")
    text = new_markdown_cell("It reached {glue:text}`ch9_acc:.3f`.")
    assert ignored_glue_problems(new_notebook(cells=[compared, text])) == []


def test_each_of_several_tolerances_is_checked():
    text = "no mask 0.62\nmasked 0.83 (spread 0.01)\n"
    spec = [
        {"atol": 0.15, "why": WHY, "applies_to": r"no mask \S+"},
        {"atol": 0.02, "why": WHY, "applies_to": r"masked \S+"},
    ]
    assert tolerance_problems(new_notebook(cells=[_printing(text, spec)])) == []
    spec[1]["applies_to"] = r"masked \S+|spread \S+"  # covers 0.01 <= 0.02
    assert "no larger" in tolerance_problems(new_notebook(cells=[_printing(text, spec)]))[0]
    spec[1]["applies_to"] = r"unused \S+"
    assert "covers none" in tolerance_problems(new_notebook(cells=[_printing(text, spec)]))[0]
