"""No measured-looking number is typed by hand in the book's prose.

A number that a run produced reaches the text through myst-nb's ``{glue:text}`` role, so that a
re-run replaces it; a sentence about what a run showed is asserted in a hidden cell beside it.
This test scans the markdown of every chapter notebook and every page for numbers that look
measured (decimals, percentages, ``N×`` ratios, durations) outside math, code, roles
(``{glue:text}``, ``{cite:p}``, ...), links and fenced blocks, and fails on any that is not in
:data:`ALLOWED`: numbers the text itself sets (a hyperparameter, a target, a threshold), quotes
and results from the literature, and section numbers.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(ROOT.glob("chapters/*.ipynb")) + sorted(p for p in ROOT.glob("*.md") if p.name != "README.md")

#: Not prose: fenced blocks and directives, math, code spans, roles, links, labels.
NOT_PROSE = re.compile(
    r"^[ \t]*:[\w-]+:[^\n]*$"  # a directive's option line (:label:, :name:, :class:)
    r"|^    [^\n]*$"  # an indented code block
    r"|\$\$.*?\$\$|\$[^$\n]*\$|`[^`\n]*`|\{[\w:-]+\}`[^`]*`|\]\([^)]*\)|^\([\w-]+\)=$",
    re.S | re.M,
)
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,}|:{3,})(.*)$")


def without_code_blocks(text: str) -> str:
    """``text`` less its code blocks; a directive's fence ({exercise}, {admonition}) keeps its prose."""
    kept, stack = [], []  # stack: (fence, is_code) of the open blocks
    for line in text.splitlines():
        m = FENCE.match(line)
        if m and stack and m.group(1) == stack[-1][0] and not m.group(2).strip():
            stack.pop()
            continue
        if m and m.group(1)[0] != ":" or m and m.group(2).startswith("{"):
            is_code = not m.group(2).strip().startswith("{") or m.group(2).strip().startswith(
                ("{code", "{literalinclude")
            )
            stack.append((m.group(1), is_code))
            continue
        if not any(code for _, code in stack):
            kept.append(line)
    return "\n".join(kept)


#: What looks measured: a decimal, a percentage, a ratio "N×" / "Nx", a duration.
MEASURED = re.compile(
    r"(?<![\w.§/-])(?:\d+(?:\.\d+)?\s?%|\d+(?:\.\d+)?\s?[×x](?![\w(])"
    r"|\d+(?:\.\d+)?\s?(?:s|ms|seconds?|minutes?|min|hours?)\b|\d+\.\d+)(?![\w/])"
)
#: Numbers that name something, not measure it: section numbers, versions.
NAMES = re.compile(
    r"(?:§|sections? |Section |^#+ |Python |Keras |TensorFlow |\d\.\d+–|\d\.\d+ or |\d\.\d+ and )\s*$", re.M
)

#: (page, number as written, why it may be typed) — numbers the text sets or quotes.
ALLOWED = {
    ("05_imdb_better_model.ipynb", "0.89", "the target the chapter sets itself"),
    ("04_imdb_sentiment.ipynb", "40 minutes", "the whole book's time budget"),
    ("05_imdb_better_model.ipynb", "40 minutes", "the whole book's time budget"),
    ("05_imdb_better_model.ipynb", "0.2", "word dropout rate of the recipe"),
    ("05_imdb_better_model.ipynb", "0.002", "learning rate of the recipe"),
    ("05_imdb_better_model.ipynb", "88.89 %", "result reported by Maas et al. (2011)"),
    ("05_imdb_better_model.ipynb", "86.5 %", "result reported by Dai & Le (2015)"),
    ("06_future_trends.ipynb", "0.01", "the threshold that defines 'solved'"),
    ("06_future_trends.ipynb", "0.04", "the error threshold of Hochreiter & Schmidhuber (1997)"),
    ("06_future_trends.ipynb", "95%", "the confidence level of the intervals"),
    ("07_faq.ipynb", "75%", "three of four gate blocks, an exact count"),
    ("07_faq.ipynb", "0.5", "a dropout rate that the text sets"),
    ("08_scaling_out.ipynb", "0.002", "learning rate of the recipe"),
    ("08_scaling_out.ipynb", "127.0", "the loopback address 127.0.0.1"),
}


def prose(path: Path) -> list[tuple[str, str]]:
    """(where, text) for each markdown cell of a notebook, or the whole of a page."""
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        return [
            (f"{path.name} cell {i}", "".join(c["source"]))
            for i, c in enumerate(nb["cells"])
            if c["cell_type"] == "markdown"
        ]
    return [(path.name, path.read_text(encoding="utf-8"))]


def typed_numbers(text: str) -> list[str]:
    """The measured-looking numbers of ``text`` that stand in prose."""
    text = NOT_PROSE.sub(" ", without_code_blocks(text))
    found = []
    for m in MEASURED.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()]
        if not NAMES.search(before):
            found.append(m.group())
    return found


def test_scanner_finds_typed_numbers_and_skips_the_rest():
    text = (
        "Accuracy was 0.8864 after 153 s, 2.5× faster, 97.8 % of reviews.\n"
        "Glued {glue:text}`acc:.3f`, math $0.5 x$, code `lr=0.001`, cited {cite:p}`x2015`,\n"
        "section 4.4, §3.3, sections 4.2 and 4.3, Python 3.11 or 3.12, [link](fig_0.5.png)\n"
        "## 4.1 Data\n"
        "```python\nlr = 0.002\n```\n"
        "```{admonition} Budget\n:class: note\nIt ran in 3.5 minutes.\n```\n"
    )
    assert typed_numbers(text) == ["0.8864", "153 s", "2.5×", "97.8 %", "3.5 minutes"]


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_no_hand_typed_measured_numbers(path):
    allowed = {number for page, number, _ in ALLOWED if page == path.name}
    bad = [(where, n) for where, text in prose(path) for n in typed_numbers(text) if n not in allowed]
    assert not bad, (
        f"numbers typed by hand in {path.name}: {bad}. Glue a computed number "
        "({glue:text}`name`), or, if the text itself sets it, add it to ALLOWED with the reason."
    )


def test_allowlist_has_no_stale_entries():
    pages = {p.name: p for p in PAGES}
    for page, number, why in ALLOWED:
        assert why
        found = [n for _, text in prose(pages[page]) for n in typed_numbers(text)]
        assert number in found, f"ALLOWED entry ({page}, {number!r}) matches nothing: remove it"
