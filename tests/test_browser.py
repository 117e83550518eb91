"""A real browser looks at the built book.

Every page listed in ``_toc.yml`` is opened in headless Chromium (Debian's ``chromium``,
driven by Playwright's sync API through ``executable_path``; ``playwright install`` is
never needed) at 1280 px wide, and checked: it loads (HTTP 200, no failed request, no
JavaScript error), its math is rendered by MathJax with no raw TeX left in the text, its
images load, its internal links (anchors included) resolve, and nothing but code, outputs
and display math scrolls horizontally. Then the search page finds known terms, chapter 1
prints to a readable multi-page PDF, and the glossary's term links resolve.

Where the HTML comes from: ``LSTM_BOOK_HTML`` (a built ``_build/html`` folder; CI builds
the book with ``-W`` first and sets it), else the book is built into a temporary folder.
The tests skip only when Chromium is not installed (``apt-get install chromium``).

The checks themselves live in ``tests/browser_checks.py``; the tests at the end of this
file run them on small synthetic pages with known faults, so each check is shown to fail.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import urllib.parse
import zlib
from pathlib import Path

import browser_checks as bc
import pytest

ROOT = Path(__file__).resolve().parents[1]

# Search: (term, page that must be among the results). Add a term per chapter as chapters land.
SEARCH_CASES = [
    ("forget gate", "chapters/01_background.html"),
    ("peephole", "chapters/03_lstm_equations.html"),
]
# Print to PDF: the page, and terms its PDF must contain (besides its title and first paragraph).
PDF_PAGE = "chapters/01_background.html"
PDF_TERMS = ["forget gate"]
GLOSSARY_PAGE = "glossary.html"

PAGES = bc.toc_pages(ROOT)


def _chromium():
    for candidate in (os.environ.get("LSTM_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium); CI installs it"
)


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def book_html(tmp_path_factory):
    """The built HTML book: $LSTM_BOOK_HTML, else a fresh build in a temporary folder."""
    given = os.environ.get("LSTM_BOOK_HTML")
    if given:
        html = Path(given).resolve()
        assert (html / "searchindex.js").is_file(), f"LSTM_BOOK_HTML={given} is not a built book"
        return html
    out = tmp_path_factory.mktemp("book")
    cmd = [
        sys.executable,
        "-c",
        "from jupyter_book.cli.main import main; main()",
        "build",
        str(ROOT),
        "--path-output",
        str(out),
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        pytest.fail("the book did not build:\n" + (proc.stdout + proc.stderr)[-4000:])
    return out / "_build" / "html"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # launch() gives every run a fresh, temporary user-data dir.
        b = p.chromium.launch(executable_path=CHROMIUM, args=bc.CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def tab(browser):
    """One context and one tab, reused by every visit."""
    context = browser.new_context(viewport=bc.VIEWPORT)
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


class Book:
    """A served book; ``report(page)`` visits a page once and caches what it saw."""

    def __init__(self, base, tab):
        self.base, self.tab = base, tab
        self.resolver = bc.LinkResolver()
        self._reports = {}

    def url(self, page):
        return urllib.parse.urljoin(self.base, page)

    def report(self, page):
        if page not in self._reports:
            self._reports[page] = bc.visit(self.tab, self.url(page))
        return self._reports[page]


@pytest.fixture(scope="session")
def book(book_html, tab):
    with bc.BookServer(book_html) as server:
        yield Book(server.base, tab)


def _no_problems(problems):
    """Assert a list of problems is empty, showing all of them when it is not."""
    assert not problems, f"{len(problems)} problem(s):\n  " + "\n  ".join(problems)


# --------------------------------------------------------------------------- the book
def test_toc_pages_are_the_built_pages(book_html):
    built = set(bc.built_pages(book_html))
    assert set(PAGES) - built == set(), "pages in _toc.yml that were not built"
    assert built - set(PAGES) == set(), "built pages missing from _toc.yml"


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_without_errors(book, page):
    report = book.report(page)
    _no_problems(bc.problems_load(report) + bc.problems_console(report))


@pytest.mark.parametrize("page", PAGES)
def test_math_is_rendered(book, page):
    _no_problems(bc.problems_math(book.report(page)))


@pytest.mark.parametrize("page", PAGES)
def test_images_load(book, page):
    _no_problems(bc.problems_images(book.report(page)))


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_resolve(book, page):
    _no_problems(bc.problems_links(book.report(page), book.resolver))


@pytest.mark.parametrize("page", PAGES)
def test_no_horizontal_scroll_at_1280px(book, page):
    _no_problems(bc.problems_overflow(book.report(page)))


@pytest.mark.parametrize("term, expected", SEARCH_CASES, ids=[t for t, _ in SEARCH_CASES])
def test_search_finds_term(book, term, expected):
    if expected not in PAGES:
        pytest.skip(f"{expected} is not in _toc.yml yet")
    tab = book.tab
    tab.goto(book.url("search.html?q=" + urllib.parse.quote_plus(term)))
    tab.wait_for_function(
        "() => { const s = document.querySelector('#search-results .search-summary');"
        " return s && /found|did not match/i.test(s.textContent); }"
    )
    hrefs = tab.eval_on_selector_all(
        "#search-results ul.search li a", "els => els.map(a => a.href.split('#')[0].split('?')[0])"
    )
    assert book.url(expected) in hrefs, f"search for {term!r} found {hrefs}"


def test_print_chapter_to_pdf(book):
    if PDF_PAGE not in PAGES:
        pytest.skip(f"{PDF_PAGE} is not in _toc.yml yet")
    tab = book.tab
    report = bc.visit(tab, book.url(PDF_PAGE))  # loaded, MathJax done, images loaded
    _no_problems(bc.problems_load(report))
    # The longest paragraph of prose without math or code: its opening must be printed.
    para = tab.evaluate("""() => Array.from(document.querySelectorAll('article p, main p'))
        .filter(p => !p.querySelector('mjx-container, code, .math'))
        .map(p => p.textContent.trim().replace(/\\s+/g, ' '))
        .sort((a, b) => b.length - a.length)[0] || ''""")
    pdf = tab.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-")
    pages = bc.pdf_page_count(pdf)
    assert pages > 1, f"the PDF of {PDF_PAGE} has {pages} page(s)"
    text = bc.squash(bc.pdf_text(pdf))
    expected = [report["h1"], " ".join(para.split()[:8])] + PDF_TERMS
    missing = [t for t in expected if t and bc.squash(t) not in text]
    assert missing == [], f"not found in the PDF text ({pages} pages): {missing}"


def test_glossary_term_links_resolve(book):
    if GLOSSARY_PAGE not in PAGES:
        pytest.skip(f"no {GLOSSARY_PAGE} in _toc.yml yet")
    glossary = book.report(GLOSSARY_PAGE)
    terms = {i for i in glossary["ids"] if i and i.startswith("term-")}
    assert terms, f"{GLOSSARY_PAGE} defines no glossary terms"
    target = book.url(GLOSSARY_PAGE)
    links = []
    for page in PAGES:
        report = book.report(page)
        for link in report["links"]:
            address, _, fragment = link["href"].partition("#")
            if address == target and fragment.startswith("term-"):
                links.append((page, link, report))
    assert links, f"no page links to a term of {GLOSSARY_PAGE}"
    bad = [
        (page, link["raw"])
        for page, link, report in links
        if book.resolver.problem(link["href"], report["url"], report["ids"])
    ]
    assert bad == []


# --------------------------------------------------------------------------- the checks
def _png(width=4, height=3):
    """A tiny valid RGB PNG."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\x80\x40\x20" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


_GOOD = (
    r"""<!doctype html><html><head><meta charset="utf-8"><title>Good</title>
<script>var THEBE_JS_URL = 1;</script><script>let THEBE_JS_URL = 2;</script></head>
<body><main><h1 id="top-title">Good page</h1>
<p>Plain prose, a price of $5 and $10, <a href="#top-title">self</a>, <a href="other.html#x">other</a>,
<a href="#">top</a>, <a href="https://example.org/x">external</a>.</p>
<img src="pix.png" alt="pixel">
<pre>code may hold \( and $$ and \frac</pre>
<div class="highlight" style="overflow-x: auto; width: 400px"><pre style="width: 3000px">wide code</pre></div>
<p>"""
    + "A long paragraph of plain words for the printer. " * 400
    + r"""</p>
<p>zebra quantum</p></main></body></html>"""
)

_BAD = r"""<!doctype html><html><head><meta charset="utf-8"><title>Bad</title></head>
<body><main><h1>Bad page</h1>
<p>Raw inline \(x_t\) and display $$y$$ and a stray \odot here.</p>
<span class="math notranslate nohighlight">\(h_t\)</span>
<img src="missing.png" alt="gone">
<a href="nothere.html">missing page</a> <a href="other.html#nope">missing anchor</a>
<a href="#nowhere">missing local anchor</a>
<div style="width: 3000px">too wide</div>
<div id="scroller" style="overflow-x: auto; width: 300px"><div style="width: 900px">scrolls</div></div>
<script>console.error("boom");</script><script>undefinedFunction();</script>
</main></body></html>"""


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, tab):
    site = tmp_path_factory.mktemp("synthetic-site")
    (site / "good.html").write_text(_GOOD, encoding="utf-8")
    (site / "bad.html").write_text(_BAD, encoding="utf-8")
    (site / "other.html").write_text('<!doctype html><p id="x">x</p>', encoding="utf-8")
    (site / "pix.png").write_bytes(_png())
    with bc.BookServer(site) as server:
        yield server.base, tab


def test_checks_pass_a_clean_page(synthetic):
    base, tab = synthetic
    report = bc.visit(tab, base + "good.html")
    assert report["status"] == 200
    assert report["console"], "the THEBE_JS_URL redeclaration should have been seen"
    assert bc.problems_console(report) == []  # ... and allowed
    _no_problems(bc.problems_load(report))
    _no_problems(bc.problems_math(report))
    assert bc.problems_images(report) == [] and len(report["images"]) == 1
    assert bc.problems_links(report, bc.LinkResolver()) == []
    _no_problems(bc.problems_overflow(report))


def test_checks_catch_a_broken_page(synthetic):
    base, tab = synthetic
    report = bc.visit(tab, base + "bad.html")
    load = bc.problems_load(report)
    assert any("missing.png" in p for p in load)
    console = " | ".join(bc.problems_console(report))
    assert "boom" in console and "undefinedFunction" in console
    math = " | ".join(bc.problems_math(report))
    assert "not rendered" in math and "MathJax is not loaded" in math
    for raw in (r"'\\('", "'$$'", r"'\\odot'"):
        assert raw in math, (raw, math)
    assert [p for p in bc.problems_images(report) if "missing.png" in p]
    links = " | ".join(bc.problems_links(report, bc.LinkResolver()))
    assert "nothere.html" in links and "HTTP 404" in links
    assert "'nope'" in links and "'nowhere'" in links
    overflow = " | ".join(bc.problems_overflow(report))
    assert "page scrolls horizontally" in overflow
    assert "div#scroller" in overflow and "sticks out" in overflow


def test_missing_page_is_reported(synthetic):
    base, tab = synthetic
    report = bc.visit(tab, base + "no-such-page.html")
    assert any("404" in p for p in bc.problems_load(report))


def test_pdf_helpers_read_chromium_output(synthetic):
    base, tab = synthetic
    bc.visit(tab, base + "good.html")
    pdf = tab.pdf(format="A4")
    assert bc.pdf_page_count(pdf) > 1
    text = bc.squash(bc.pdf_text(pdf))
    assert "goodpage" in text and "zebraquantum" in text
    assert "elephant" not in text
    bc.visit(tab, base + "other.html")
    assert bc.pdf_page_count(tab.pdf(format="A4")) == 1


def test_toc_pages_reads_parts_chapters_sections(tmp_path):
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n  - caption: A\n    chapters:\n"
        "      - file: chapters/01_a\n        sections:\n          - file: chapters/01_b.md\n"
        "  - caption: B\n    chapters:\n      - file: references\n      - url: https://example.org\n",
        encoding="utf-8",
    )
    assert bc.toc_pages(tmp_path) == [
        "intro.html",
        "chapters/01_a.html",
        "chapters/01_b.html",
        "references.html",
    ]
