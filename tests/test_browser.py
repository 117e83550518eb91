"""A real browser looks at the built book.

Every page listed in ``_toc.yml`` is opened in headless Chromium (Debian's ``chromium``,
driven by Playwright's sync API through ``executable_path``; ``playwright install`` is
never needed) at 1280 px wide, and checked: it loads (HTTP 200, no failed request, no
JavaScript error), its math is rendered by MathJax with no raw TeX left in the text, its
images load, its internal links (anchors included) resolve, and nothing but code, outputs
and display math scrolls horizontally; no code block, output or display equation is wider
than its box, and every image is a numbered figure with real alt text, not shrunk below
60 % of its natural width. At 390 px (a phone) no page scrolls sideways. On chapter 1, at
1280, 800 and 390 px, the primary sidebar's toggle buttons work and exactly one search
control is visible. Then the search page finds known terms, chapter 1 prints to a readable
multi-page PDF, and the glossary's term links resolve.

The Chinese edition (``zh/``, built by the same command, see ``_ext/zh_edition.py``) gets the
same page checks; its search finds Chinese terms; every glued number on a Chinese page equals
the English page's, every figure is the same image, and each page links to its translation.
No English is left on a Chinese page: no text block, and no page title, tooltip (``title``),
``aria-label`` or image ``alt`` text as the browser has them after the page's scripts ran, the
one exception being the API reference's docstrings (with the API names that links to them show
as tooltips) and, like the bibliography itself, the works cited that citations show as tooltips.

Where the HTML comes from: ``LSTM_BOOK_HTML`` (a built ``_build/html`` folder; CI builds
the book with ``-W`` first and sets it), else the book is built into a temporary folder.
The tests skip only when Chromium is not installed (``apt-get install chromium``).

The checks themselves live in ``tests/browser_checks.py``; the tests at the end of this
file run them on small synthetic pages with known faults, so each check is shown to fail.
"""

from __future__ import annotations

import os
import re
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
# The reader view (sidebar toggle, one search control) is checked on this page at bc.READER_WIDTHS.
READER_PAGE = "chapters/01_background.html"

PAGES = bc.toc_pages(ROOT)
# The Chinese edition: the same pages under zh/ (built by the same command as the English one).
ZH = "zh/"
ZH_PAGES = [ZH + page for page in PAGES]
ALL_PAGES = PAGES + ZH_PAGES
SEARCH_CASES_ZH = [
    ("遗忘门", "zh/chapters/03_lstm_equations.html"),
    ("窥视孔连接", "zh/errata.html"),
]


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


@pytest.fixture(scope="session")
def phone_tab(browser):
    """A second tab, 390 px wide (bc.PHONE), for the phone checks."""
    context = browser.new_context(viewport=bc.PHONE)
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def new_tab(browser):
    """``new_tab(width)``: a tab in a fresh context (empty storage) ``width`` px wide."""
    contexts = []

    def make(width, height=bc.VIEWPORT["height"]):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


class Book:
    """A served book; ``report(page)`` visits a page once and caches what it saw.

    ``phone_report(page)`` does the same in the 390 px wide tab.
    """

    def __init__(self, base, tab, phone_tab):
        self.base, self.tab, self.phone_tab = base, tab, phone_tab
        self.resolver = bc.LinkResolver()
        self._reports, self._phone_reports = {}, {}

    def url(self, page):
        return urllib.parse.urljoin(self.base, page)

    def report(self, page):
        if page not in self._reports:
            self._reports[page] = bc.visit(self.tab, self.url(page))
        return self._reports[page]

    def phone_report(self, page):
        if page not in self._phone_reports:
            self._phone_reports[page] = bc.visit(self.phone_tab, self.url(page))
        return self._phone_reports[page]


@pytest.fixture(scope="session")
def book(book_html, tab, phone_tab):
    with bc.BookServer(book_html) as server:
        yield Book(server.base, tab, phone_tab)


def _no_problems(problems):
    """Assert a list of problems is empty, showing all of them when it is not."""
    assert not problems, f"{len(problems)} problem(s):\n  " + "\n  ".join(problems)


# --------------------------------------------------------------------------- the book
def test_toc_pages_are_the_built_pages(book_html):
    for root, expected in [(book_html, PAGES), (book_html / ZH, PAGES)]:
        built = set(bc.built_pages(root))
        assert set(expected) - built == set(), f"pages in _toc.yml that were not built in {root}"
        assert built - set(expected) == set(), f"built pages in {root} missing from _toc.yml"


def _html(book_html, page):
    return (book_html / page).read_text(encoding="utf-8")


@pytest.mark.parametrize("page", PAGES)
def test_chinese_page_shows_the_english_numbers_and_figures(book_html, page):
    """Glued values and images: the same on both pages (word order may differ, so as multisets)."""
    english, chinese = _html(book_html, page), _html(book_html, ZH + page)
    assert re.search(r'<html[^>]*lang="zh-CN"', chinese), "the Chinese page is not marked zh-CN"
    assert len(bc.cjk_chars(chinese)) > 5 * len(bc.cjk_chars(english)) + 50, "is the page translated?"
    assert sorted(bc.glued_texts(chinese)) == sorted(bc.glued_texts(english))
    assert "No key" not in chinese and "glue data" not in chinese
    assert sorted(bc.image_names(chinese)) == sorted(bc.image_names(english))
    if page != "api.html":  # the API reference's docstrings stay in English (running.md)
        assert bc.english_blocks(chinese) == [], "English text left on the Chinese page"


@pytest.mark.parametrize("page", ZH_PAGES)
def test_chinese_page_titles_tooltips_and_labels_are_chinese(book, page):
    """The page title, every ``title`` tooltip, ``aria-label`` and image ``alt`` text, as the browser
    has them once the page's scripts ran: Chinese, except in the API docstrings (see
    bc.english_label)."""
    _no_problems(bc.problems_english_labels(book.report(page)))


@pytest.mark.parametrize("page", PAGES)
def test_each_page_links_to_its_translation(book_html, page):
    for here, there in [(page, ZH + page), (ZH + page, page)]:
        links = bc.language_links(_html(book_html, here))
        assert len(links) == 1, f"{here}: {len(links)} language links"
        target = (book_html / here).parent / links[0]
        assert target.resolve() == (book_html / there).resolve(), f"{here} links to {links[0]}"


@pytest.mark.parametrize("page", ALL_PAGES)
def test_page_loads_without_errors(book, page):
    report = book.report(page)
    _no_problems(bc.problems_load(report) + bc.problems_console(report))


@pytest.mark.parametrize("page", ALL_PAGES)
def test_math_is_rendered(book, page):
    _no_problems(bc.problems_math(book.report(page)))


@pytest.mark.parametrize("page", ALL_PAGES)
def test_images_load(book, page):
    _no_problems(bc.problems_images(book.report(page)))


@pytest.mark.parametrize("page", ALL_PAGES)
def test_internal_links_resolve(book, page):
    _no_problems(bc.problems_links(book.report(page), book.resolver))


@pytest.mark.parametrize("page", ALL_PAGES)
def test_no_horizontal_scroll_at_1280px(book, page):
    _no_problems(bc.problems_overflow(book.report(page)))


@pytest.mark.parametrize("page", ALL_PAGES)
def test_code_outputs_and_equations_fit_at_1280px(book, page):
    _no_problems(bc.problems_wide_blocks(book.report(page)))


@pytest.mark.parametrize("page", ALL_PAGES)
def test_no_sideways_scroll_at_390px(book, page):
    _no_problems(bc.problems_page_scroll(book.phone_report(page)))


@pytest.mark.parametrize("page", ALL_PAGES)
def test_images_are_numbered_figures_with_alt_text(book, page):
    _no_problems(bc.problems_figures(book.report(page)))


@pytest.mark.parametrize("width", bc.READER_WIDTHS)
def test_primary_sidebar_toggle(book, new_tab, width):
    if READER_PAGE not in PAGES:
        pytest.skip(f"{READER_PAGE} is not in _toc.yml yet")
    _no_problems(bc.problems_sidebar_toggle(new_tab(width), book.url(READER_PAGE)))


@pytest.mark.parametrize("width", bc.READER_WIDTHS)
def test_one_search_control(book, new_tab, width):
    if READER_PAGE not in PAGES:
        pytest.skip(f"{READER_PAGE} is not in _toc.yml yet")
    tab = new_tab(width)
    tab.goto(book.url(READER_PAGE), wait_until="load")
    _no_problems(bc.problems_search_controls(tab))


@pytest.mark.parametrize(
    "term, expected", SEARCH_CASES + SEARCH_CASES_ZH, ids=[t for t, _ in SEARCH_CASES + SEARCH_CASES_ZH]
)
def test_search_finds_term(book, term, expected):
    if expected not in ALL_PAGES:
        pytest.skip(f"{expected} is not in _toc.yml yet")
    tab = book.tab
    search = (ZH if expected.startswith(ZH) else "") + "search.html?q="
    tab.goto(book.url(search + urllib.parse.quote_plus(term)))
    tab.wait_for_function(
        "() => { const s = document.querySelector('#search-results .search-summary');"
        " return s && /found|did not match|搜索完成|没有匹配/i.test(s.textContent); }"
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
</head>
<body><main><h1 id="top-title">Good page</h1>
<p>Plain prose, a price of $5 and $10, <a href="#top-title">self</a>, <a href="other.html#x">other</a>,
<a href="#">top</a>, <a href="https://example.org/x">external</a>.</p>
<figure><img src="pix.png" alt="pixel">
<figcaption><p><span class="caption-number">Fig. 1 </span>A pixel.</p></figcaption></figure>
<img class="logo__image" src="pix.png" alt="">
<pre>code may hold \( and $$ and \frac</pre>
<div class="highlight"><pre style="overflow-x: auto">short code</pre></div>
<div style="overflow-x: auto"><table><tr><td style="min-width: 600px">wide table, own scroll bar</td></tr>
</table></div>
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
<script>console.error("Got invalid theme mode: . Resetting to auto.");</script>
<script>var THEBE_JS_URL = 1;</script><script>let THEBE_JS_URL = 2;</script>
</main></body></html>"""

# At 1280 px: a code block, an output (holding a code block) and an equation that do not fit,
# next to a code block that does. Scrolling inside them is allowed by problems_overflow.
_LONG = "x = 1  # " + "and a long comment " * 40
_WIDE = f"""<!doctype html><html><head><meta charset="utf-8"><title>Wide</title></head>
<body><main><h1>Wide blocks</h1><section id="sec-wide">
<div class="highlight"><pre style="overflow-x: auto; width: 400px">{_LONG}</pre></div>
<div class="highlight"><pre style="overflow-x: auto; width: 400px">x = 1</pre></div>
<div class="cell_output"><div class="output"><div class="highlight">
<pre style="overflow-x: auto; width: 400px">loss: 0.25 {"accuracy: 0.9 " * 60}</pre></div></div></div>
<div class="math" style="overflow: hidden; width: 400px">
<mjx-container display="true" style="display: block; overflow-x: auto">
<span style="display: inline-block; width: 900px">h = o c, a very wide equation</span></mjx-container></div>
<div class="math"><mjx-container display="true" style="display: block; overflow-x: auto">
<span>narrow = equation</span></mjx-container></div>
</section></main></body></html>"""

# At 390 px: a bare table wider than the phone pushes the whole page sideways.
_PHONE = """<!doctype html><html><head><meta charset="utf-8"><title>Phone</title></head>
<body><main><h1>Phone</h1><p>Short prose.</p>
<table id="wide-table"><tr><td style="min-width: 700px">a table wider than a phone</td></tr></table>
</main></body></html>"""

# Images of the article body: not in a figure, unnumbered, no alt, a path as alt, shrunk.
_FIGURES = """<!doctype html><html><head><meta charset="utf-8"><title>Figures</title></head>
<body><header><img src="pix.png" alt=""></header><main><h1>Figures</h1>
<p><img src="pix.png" alt="loose image"></p>
<figure><img src="pix.png" alt="unnumbered"><figcaption><p>No number.</p></figcaption></figure>
<figure><img src="pix.png" alt=""><figcaption><p><span class="caption-number">Fig. 1 </span>a</p>
</figcaption></figure>
<figure><img src="pix.png" alt="../_build/jupyter_execute/abc.png">
<figcaption><p><span class="caption-number">Fig. 2 </span>b</p></figcaption></figure>
<figure><img src="big.png" alt="a big image, shrunk" style="width: 100px">
<figcaption><p><span class="caption-number">Fig. 3 </span>c</p></figcaption></figure>
<figure><img src="big.png" alt="a big image, at 75 %" style="width: 300px">
<figcaption><p><span class="caption-number">Fig. 4 </span>d</p></figcaption></figure>
</main></body></html>"""

# The reader view, done right: a sidebar shown beside the page from 960 px on (its toggle hides
# it) and a drawer below that (the toggle opens it, a tap on the dimmed page closes it).
_READER_STYLE = """<style>
body { margin: 0; } main { padding: 60px 20px; }
header { position: fixed; top: 0; right: 0; z-index: 1; background: #fff; }
.bd-sidebar-primary { position: fixed; top: 0; left: 0; width: 250px; height: 100vh; z-index: 10;
  background: #eee; }
.overlay-primary { display: none; position: fixed; inset: 0; z-index: 5; background: #0008; }
@media (min-width: 960px) { main { margin-left: 260px; } .closed .bd-sidebar-primary { display: none; } }
@media (max-width: 959px) {
  .bd-sidebar-primary { transform: translateX(-100%); visibility: hidden; }
  .open .bd-sidebar-primary { transform: none; visibility: visible; }
  .open .overlay-primary { display: block; }
}
</style>"""
_READER = f"""<!doctype html><html><head><meta charset="utf-8"><title>Reader</title>{_READER_STYLE}</head>
<body><header><button class="primary-toggle" aria-label="Toggle primary sidebar">=</button>
<button class="search-button" aria-label="Search">S</button></header>
<label class="overlay overlay-primary"></label>
<div class="bd-sidebar-primary"><nav><a href="#">Chapter 1</a></nav></div>
<main><h1>Reader</h1><p>Text.</p></main>
<script>
const state = () => innerWidth >= 960 ? 'closed' : 'open';
document.querySelector('.primary-toggle').onclick = () => document.body.classList.toggle(state());
document.querySelector('.overlay-primary').onclick = () => document.body.classList.remove('open');
</script></body></html>"""

# ... done wrong, as pydata-sphinx-theme 0.17 with sphinx-book-theme 1.3 did: the handler is
# bound to a hidden toggle, the visible one only throws; and a second search band on top.
_READER_BAD = f"""<!doctype html><html><head><meta charset="utf-8"><title>Reader</title>{_READER_STYLE}
</head><body>
<div class="search-button-field" style="position: fixed; top: 0; left: 0; right: 0; height: 40px; z-index: 20;
  background: #ddd">Search Ctrl+K</div>
<header style="top: 50px"><button class="primary-toggle" style="display: none">=</button>
<button class="primary-toggle" aria-label="Toggle primary sidebar">=</button>
<button class="search-button" aria-label="Search">S</button></header>
<label class="overlay overlay-primary"></label>
<div class="bd-sidebar-primary"><nav><a href="#">Chapter 1</a></nav></div>
<main><h1>Reader</h1><p>Text.</p></main>
<script>
const [hidden, shown] = document.querySelectorAll('.primary-toggle');
hidden.onclick = () => document.body.classList.toggle(innerWidth >= 960 ? 'closed' : 'open');
shown.onclick = () => sidebarToggleHandler();
</script></body></html>"""


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, tab):
    site = tmp_path_factory.mktemp("synthetic-site")
    (site / "good.html").write_text(_GOOD, encoding="utf-8")
    (site / "bad.html").write_text(_BAD, encoding="utf-8")
    (site / "other.html").write_text('<!doctype html><p id="x">x</p>', encoding="utf-8")
    pages = {"wide": _WIDE, "phone": _PHONE, "figures": _FIGURES, "reader": _READER}
    pages["reader-bad"] = _READER_BAD
    pages["zh-labels"], pages["zh-labels-fixed"] = _ZH_LABELS, _ZH_LABELS_FIXED
    for name, html in pages.items():
        (site / f"{name}.html").write_text(html, encoding="utf-8")
    (site / "pix.png").write_bytes(_png())
    (site / "big.png").write_bytes(_png(400, 10))
    with bc.BookServer(site) as server:
        yield server.base, tab


def test_checks_pass_a_clean_page(synthetic):
    base, tab = synthetic
    report = bc.visit(tab, base + "good.html")
    assert report["status"] == 200
    assert bc.problems_console(report) == []
    _no_problems(bc.problems_load(report))
    _no_problems(bc.problems_math(report))
    assert bc.problems_images(report) == [] and len(report["images"]) == 2
    assert bc.problems_links(report, bc.LinkResolver()) == []
    _no_problems(bc.problems_overflow(report))
    _no_problems(bc.problems_wide_blocks(report))
    _no_problems(bc.problems_figures(report))
    assert len(report["figures"]) == 1  # the logo is not a figure


def test_checks_catch_a_broken_page(synthetic):
    base, tab = synthetic
    report = bc.visit(tab, base + "bad.html")
    load = bc.problems_load(report)
    assert any("missing.png" in p for p in load)
    console = " | ".join(bc.problems_console(report))
    assert "boom" in console and "undefinedFunction" in console
    assert "Identifier 'THEBE_JS_URL' has already been declared" in console
    assert "Got invalid theme mode" in console  # no longer a known message: _ext/theme_mode.py
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


def test_wide_blocks_are_caught(synthetic):
    base, tab = synthetic
    report = bc.visit(tab, base + "wide.html")
    _no_problems(bc.problems_overflow(report))  # they may scroll ...
    wide = bc.problems_wide_blocks(report)  # ... but should fit
    assert len(wide) == 3, wide
    code, output, equation = wide
    assert code.startswith("code wider than its box") and "x = 1 # and a long" in code
    assert "#sec-wide" in code
    assert output.startswith("output wider") and "loss: 0.25" in output
    assert equation.startswith("equation wider") and "very wide equation" in equation


def test_sideways_scroll_on_a_phone_is_caught(synthetic, new_tab):
    base, _ = synthetic
    phone = new_tab(bc.PHONE["width"], bc.PHONE["height"])
    _no_problems(bc.problems_page_scroll(bc.visit(phone, base + "good.html")))  # own scroll bar: fine
    problems = bc.problems_page_scroll(bc.visit(phone, base + "phone.html"))
    assert len(problems) == 1 and "page scrolls sideways" in problems[0], problems
    assert "table#wide-table" in problems[0]
    assert bc.problems_page_scroll(bc.visit(synthetic[1], base + "phone.html")) == []  # at 1280 px


def test_figure_problems_are_caught(synthetic):
    base, tab = synthetic
    report = bc.visit(tab, base + "figures.html")
    problems = bc.problems_figures(report)
    text = " | ".join(problems)
    assert len(report["figures"]) == 6, report["figures"]  # the header image is not counted
    assert "image not in a figure: pix.png" in text
    assert "image in a figure without a numbered caption: pix.png" in text
    assert "image without alt text: pix.png" in text
    assert "alt text looks like a file path ('../_build/jupyter_execute/abc.png')" in text
    assert "image shown at 100px, 25% of its natural 400px" in text
    assert len(problems) == 5, problems  # the image at 75 % is fine


@pytest.mark.parametrize("width", bc.READER_WIDTHS)
def test_reader_view_checks_pass_a_working_page(synthetic, new_tab, width):
    base, _ = synthetic
    tab = new_tab(width)
    _no_problems(bc.problems_sidebar_toggle(tab, base + "reader.html"))
    tab.goto(base + "reader.html")
    _no_problems(bc.problems_search_controls(tab))


@pytest.mark.parametrize("width", bc.READER_WIDTHS)
def test_reader_view_checks_catch_a_broken_page(synthetic, new_tab, width):
    base, _ = synthetic
    tab = new_tab(width)
    toggle = " | ".join(bc.problems_sidebar_toggle(tab, base + "reader-bad.html"))
    assert f"at {width}px, button.primary-toggle" in toggle and "clicking it did nothing" in toggle
    assert "sidebarToggleHandler is not defined" in toggle
    assert "Toggle primary sidebar" in toggle  # the visible one, not the hidden one
    search = bc.problems_search_controls(tab)
    assert len(search) == 1 and "2 search buttons/fields visible" in search[0], search
    assert "Search Ctrl+K" in search[0]
    # A page with neither sidebar nor search.
    assert "no primary sidebar" in " ".join(bc.problems_sidebar_toggle(tab, base + "other.html"))
    assert bc.problems_search_controls(tab) == [f"at {width}px: no visible search button or field"]


def test_edition_helpers_on_a_known_page():
    """The helpers behind the Chinese-edition checks, on a page with a known fault of each kind."""
    page = (
        '<html lang="zh-CN"><body><nav><p>Navigation in English, outside the article text</p></nav>'
        '<article class="bd-article"><h1>遗忘门</h1>'
        '<p>均值为 <span class="pasted-text">0.8877</span>，见 <img alt="x" src="../_images/ab12.png"></p>'
        "<p>This paragraph was never translated into Chinese at all.</p>"
        '<div class="highlight"><pre>print("code stays in English, as it should")</pre></div>'
        '<div class="cell_output"><p>an output line in English words only here</p></div>'
        '<ul><li>列表项 <span class="pasted-text">3</span></li></ul>'
        '<a class="btn btn-sm lstm-language-switch" href="../../chapters/x.html">English</a>'
        "</article></body></html>"
    )
    assert bc.glued_texts(page) == ["0.8877", "3"]
    assert bc.image_names(page) == ["ab12.png"]
    assert bc.language_links(page) == ["../../chapters/x.html"]
    assert bc.english_blocks(page) == ["<p> This paragraph was never translated into Chinese at all."]


# A Chinese page with English labels: a tooltip, an aria-label and an image's alt text in the HTML,
# one added by a script (as sphinx-togglebutton adds its buttons), and the exceptions, which must
# pass (a Chinese alt text among them).
_ZH_LABELS = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>遗忘门 — 本书</title>
</head><body><main><h1>遗忘门<a class="headerlink" href="#x" title="Link to this heading">#</a></h1>
<button class="primary-toggle" aria-label="Toggle primary sidebar" title="显示/隐藏左侧边栏">=</button>
<nav aria-label="Main"><a href="#y" title="本页的英文版">English</a></nav>
<p>见 <a class="reference internal" href="references.html#id7"
  title="Sepp Hochreiter and Jürgen Schmidhuber. Long short-term memory. 1997.">Hochreiter</a>，
<a class="reference internal" href="api.html#lstm.LSTM.forward" title="lstm.LSTM.forward">forward</a>，
<a href="#z" title="PDF 版">PDF</a> <span title="©">©</span>。</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="
  alt="Histogram of review lengths, with vertical lines at 50, 200 and 400">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="
  alt="LSTM 单元示意图">
<dl class="py class"><dt class="sig">lstm.LSTM</dt><dd><p>A docstring
<a href="#w" title="Stays English: the API docstrings are the exception">x</a></p></dd></dl>
<div id="later"></div>
<script>document.getElementById('later').insertAdjacentHTML('beforeend',
  '<button aria-label="Toggle hidden content">v</button>');</script>
</main></body></html>"""


_ZH_LABELS_FIXED = _ZH_LABELS
for _english, _chinese in [
    ("Link to this heading", "链接到本标题"),
    ("Toggle primary sidebar", "显示/隐藏左侧边栏"),
    ('"Main"', '"全书目录"'),
    ("Toggle hidden content", "展开/收起隐藏内容"),
    (
        "Histogram of review lengths, with vertical lines at 50, 200 and 400",
        "影评长度的直方图，在 50、200 和 400 处各有一条竖线",
    ),
]:
    _ZH_LABELS_FIXED = _ZH_LABELS_FIXED.replace(_english, _chinese)


def test_english_labels_on_a_chinese_page_are_caught(synthetic):
    base, tab = synthetic
    problems = bc.problems_english_labels(bc.visit(tab, base + "zh-labels.html"))
    assert problems == [
        "English label: title 'Link to this heading' on a.headerlink",
        "English label: aria-label 'Toggle primary sidebar' on button.primary-toggle",
        "English label: aria-label 'Main' on nav",
        "English label: alt 'Histogram of review lengths, with vertical lines at 50, 200 and 400' on img",
        "English label: aria-label 'Toggle hidden content' on button",
    ], problems
    # The same page with those four translated passes: the exceptions are not reported.
    assert bc.problems_english_labels(bc.visit(tab, base + "zh-labels-fixed.html")) == []


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
