"""What a reader is shown of each chapter fits the page: code and printed lines of at most 88
characters, no glue plumbing in the code a reader sees, exercises labelled per chapter.

The book's stylesheet (``_static/book.css``) sizes code so that 88 characters fill the column
of a 1280 px window; ``tests/test_browser.py`` checks the rendered pages, this test the stored
notebooks (it needs no browser, so every run checks it).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(ROOT.glob("chapters/*.ipynb"))
WIDTH = 88


def shown_lines(path: Path) -> list[tuple[str, str]]:
    """(where, line) for every line of code and of text output that the page shows."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    lines = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        tags = cell["metadata"].get("tags", [])
        if "remove-cell" in tags:
            continue
        if "remove-input" not in tags:  # hide-input code can be unfolded: it counts
            lines += [(f"cell {i} code", line) for line in "".join(cell["source"]).splitlines()]
        if "remove-output" in tags:
            continue
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                text = "".join(out["text"])
            elif "text/html" in out.get("data", {}) or "image/png" in out.get("data", {}):
                continue  # rendered as HTML or an image, not as text
            else:
                text = "".join(out.get("data", {}).get("text/plain", ""))
            lines += [(f"cell {i} output", line) for line in text.splitlines()]
    for i, cell in enumerate(nb["cells"]):  # code written into the prose (solutions, examples)
        if cell["cell_type"] == "markdown":
            lines += [(f"cell {i} code block", line) for line in fenced_python("".join(cell["source"]))]
    return lines


def fenced_python(text: str) -> list[str]:
    """The lines of the ```python blocks of a markdown text."""
    lines, inside = [], False
    for line in text.splitlines():
        if not inside and line.strip().startswith("```python"):
            inside = True
        elif inside and line.strip().startswith("```"):
            inside = False
        elif inside:
            lines.append(line)
    return lines


def too_wide(lines, width=WIDTH):
    return [f"{where} ({len(line)} chars): {line[:60]}..." for where, line in lines if len(line) > width]


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_code_and_outputs_fit_the_page(path):
    wide = too_wide(shown_lines(path))
    assert not wide, f"{path.name}: lines over {WIDTH} characters:\n" + "\n".join(wide)


GLUE_VALUE = re.compile(r"^\s*glue\(\s*f?[\"'](?!fig_)")


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_reader_facing_code_glues_only_figures(path):
    """Glue plumbing lives in removed cells: the code a reader sees is the code that does the work
    (a plotting cell may still glue its figure)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = [
        f"cell {i}: {line.strip()}"
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and "remove-cell" not in cell["metadata"].get("tags", [])
        for line in "".join(cell["source"]).splitlines()
        if GLUE_VALUE.match(line)
    ]
    assert not found, f"{path.name}: glue of values in shown cells:\n" + "\n".join(found)


def test_checks_catch_wide_lines_and_glue():
    assert fenced_python("a\n```python\nx = 1\n```\n```{note}\nnot code\n```") == ["x = 1"]
    assert too_wide([("x", "a" * 89), ("y", "b" * 88)]) == [f"x (89 chars): {'a' * 60}..."]
    assert GLUE_VALUE.match('glue("ch4_x", 1, display=False)')
    assert GLUE_VALUE.match("    glue(f'ch4_{k}', v)")
    assert not GLUE_VALUE.match('glue("fig_ch4_x", fig, display=False)')


LITERALINCLUDE = re.compile(r"```\{literalinclude\}\s+/(\S+)\n((?::[\w-]+:.*\n)*)")


def included_objects():
    """(chapter, file, object) for every ``literalinclude`` of package code with a ``:pyobject:``."""
    found = []
    for path in CHAPTERS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for match in LITERALINCLUDE.finditer("".join(cell["source"])):
                options = dict(re.findall(r":([\w-]+):\s*(.*)", match.group(2)))
                if "pyobject" in options:
                    found.append((path.name, match.group(1), options["pyobject"].strip()))
    return sorted(set(found))


def object_lines(file, name):
    """The source lines of the function or method ``name`` (``Class.method``) in ``file``."""
    source = (ROOT / file).read_text(encoding="utf-8")
    nodes = ast.parse(source).body
    for part in name.split("."):
        node = next(n for n in nodes if getattr(n, "name", None) == part)
        nodes = node.body
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return source.splitlines()[first - 1 : node.end_lineno]


def test_code_included_from_the_package_fits_the_page():
    """The package code the chapters show with ``literalinclude`` (chapter 3 prints the reference
    and the fast LSTM) keeps within the page's 88 characters, although ruff formats the package
    to 110: a listing is not re-wrapped, and a wider line would need a scroll bar."""
    included = included_objects()
    assert ("03_lstm_equations.ipynb", "lstm/core/reference.py", "lstm_step") in included
    wide = [
        f"{chapter}: {file} {name}: {line.strip()[:60]}... ({len(line)} chars)"
        for chapter, file, name in included
        for line in object_lines(file, name)
        if len(line) > WIDTH
    ]
    assert not wide, "lines over 88 characters in code that a chapter shows:\n" + "\n".join(wide)
