"""Helpers for ``tests/test_browser.py``: serve a built book, look at its pages in Chromium.

The browser test opens every page of the built HTML book in headless Chromium (Debian's
``chromium``, driven by Playwright's sync API through ``executable_path``; nothing is
downloaded). :func:`visit` loads one page and gathers everything the checks need in one
pass (console errors, failed requests, math, images and figures, links, element ids,
overflow, code/output/equation blocks wider than their box); the ``problems_*`` functions
turn such a report into a list of human-readable problems, so a check is
``assert problems_x(report) == []`` and a failure names what is wrong. Two checks act on a
live tab instead: :func:`problems_sidebar_toggle` clicks the sidebar toggles and
:func:`problems_search_controls` counts the visible search controls.

Nothing here needs the network: the book is served by :class:`BookServer`, a
``http.server`` on 127.0.0.1 with a free port.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
import zlib
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}

# Messages a Jupyter Book 1.x build logs that are not the book's fault: none left
# (pydata-sphinx-theme's "Got invalid theme mode" on a first visit is fixed by
# _ext/theme_mode.py, and a page that logs it fails).
KNOWN_CONSOLE_ERRORS: list[re.Pattern] = []

# Pages of a Sphinx build that are not part of the table of contents.
NON_TOC_PAGES = {"genindex.html", "search.html", "py-modindex.html", "index.html"}
NON_PAGE_DIRS = {"_static", "_sources", "_images", "_downloads", "_sphinx_design_static"}

# Horizontal scrolling is fine inside code, outputs and display math, nowhere else.
SCROLL_ALLOWED = (
    "pre, .highlight, .cell_output, .output, div.math, mjx-container[display='true'], .MathJax_Display"
)
# Blocks whose content must fit their box at 1280 px (they may scroll, but should not need to).
# A code block inside a cell output counts as output; display math as equation.
WIDE_BLOCKS = {
    "code": "div.highlight:not(.cell_output *), pre:not(div.highlight pre, .cell_output pre)",
    "output": ".cell_output",
    "equation": "div.math, mjx-container[display='true']:not(div.math *)",
}
# The article body, whose images must be numbered figures (first match wins).
ARTICLE = "article.bd-article, main"
# Theme images (logo and the like), never content.
THEME_IMAGES = ".logo__image, .navbar-brand, .bd-header, .bd-sidebar, .bd-footer, .bd-header-article"
FIGURE_MIN_SCALE = 0.6  # an image must be shown at >= 60 % of its natural width
IMAGE_PATH_ALT = re.compile(r"/|\.(png|svg|jpe?g|gif|webp)$", re.I)

# The Chinese edition's titles, tooltips, aria-labels and image alt texts must be Chinese, except (see
# problems_english_labels) the API reference's docstrings, which stay English (running.md), and
# what comes from them: the objects' names that links to them show as tooltips.
API_DOC = "dl.py, dl.py *"
# The works cited, as the bibliography lists them (a paper's title is not translated): the
# tooltips of citations, which link to the bibliography page.
BIBLIOGRAPHY_PAGE = "references.html"

# The reader view: the primary (left) sidebar, its toggle buttons, and the search controls.
PRIMARY_SIDEBAR = ".bd-sidebar-primary"
PRIMARY_TOGGLES = (
    ".primary-toggle, [aria-controls='pst-primary-sidebar'], "
    "label[for='pst-primary-sidebar-checkbox']:not(.overlay)"
)
SEARCH_CONTROLS = (
    ".search-button, .search-button-field, .search-button__button, form.bd-search, input[type='search']"
)
# Widths the reader view is checked at: desktop, tablet (sidebar as a drawer), phone.
READER_WIDTHS = (1280, 800, 390)
PHONE = {"width": 390, "height": 844}

# Text in these is code or rendered math, so TeX-looking characters there are fine.
TEXT_SKIPPED = (
    "pre, code, kbd, samp, script, style, noscript, textarea, template, .highlight, "
    "mjx-container, mjx-assistive-mml, .MathJax, svg"
)
RAW_MATH = re.compile(
    r"\\\(|\\\)|\\\[|\\\]|\$\$"  # delimiters MathJax should have consumed
    r"|\\(?:begin|end|frac|sum|prod|odot|otimes|sigma|tanh|partial|mathbf|mathrm|"
    r"tilde|hat|cdot|left|right|top|in|alpha|beta|gamma|delta|theta|lambda)\b"  # TeX
    r"|\$[^$\s][^$]*?[_^\\][^$]*?\$"  # $...$ with TeX inside that dollarmath missed
)


# --------------------------------------------------------------------------- serving
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass


class BookServer:
    """Serve ``root`` over HTTP on 127.0.0.1 (a free port) in a daemon thread.

    Use as a context manager; ``base`` is the URL of the root folder, ending in ``/``.
    """

    def __init__(self, root):
        self.root = Path(root)
        handler = functools.partial(_QuietHandler, directory=str(self.root))
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


# --------------------------------------------------------------------------- pages
def toc_pages(source_root):
    """HTML paths (relative, ``/``-separated) of every page ``_toc.yml`` lists, in order."""
    import yaml  # PyYAML comes with jupyter-book

    source_root = Path(source_root)
    toc = yaml.safe_load((source_root / "_toc.yml").read_text(encoding="utf-8"))
    pages = []

    def add(stem):
        stem = re.sub(r"\.(md|ipynb|rst)$", "", str(stem).strip("/"))
        if stem + ".html" not in pages:
            pages.append(stem + ".html")

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if "file" in node:
                add(node["file"])
            if "glob" in node:
                for path in sorted(source_root.glob(node["glob"])):
                    if path.suffix in {".md", ".ipynb", ".rst"}:
                        add(path.relative_to(source_root).with_suffix("").as_posix())
            for key in ("parts", "chapters", "sections"):
                walk(node.get(key))

    add(toc["root"])
    walk(toc)
    return pages


def built_pages(html_root):
    """Every HTML page in a built book except Sphinx's own pages, asset folders and the
    Chinese edition in ``zh/`` (a book of its own: ``built_pages(html_root / "zh")``)."""
    html_root = Path(html_root)
    pages = []
    for path in sorted(html_root.rglob("*.html")):
        rel = path.relative_to(html_root)
        if rel.parts[0] in NON_PAGE_DIRS or rel.parts[0] == "zh" or rel.as_posix() in NON_TOC_PAGES:
            continue
        pages.append(rel.as_posix())
    return pages


# --------------------------------------------------------------------------- editions
_GLUED = re.compile(r'<span class="pasted-text">([^<]*)</span>')
_IMAGE = re.compile(r'<img[^>]*\ssrc="([^"]+)"')
_LANGUAGE_LINK = re.compile(r'<a [^>]*class="[^"]*lstm-language-switch[^"]*"[^>]*href="([^"]+)"')
_CJK = re.compile(r"[\u4e00-\u9fff]")


def glued_texts(html):
    """The values myst-nb pasted into a page's text (``{glue:text}`` roles)."""
    return _GLUED.findall(html)


def image_names(html):
    """File names of a page's images (content-hashed by Sphinx, so equal names are equal images)."""
    return [src.rsplit("/", 1)[-1] for src in _IMAGE.findall(html) if "_images/" in src]


def language_links(html):
    """The targets of a page's link to its other-language edition."""
    return _LANGUAGE_LINK.findall(html)


def cjk_chars(html):
    return _CJK.findall(html)


class _TextBlocks(HTMLParser):
    """The reader's text blocks of a page's article (paragraphs, list items, headings, table cells,
    captions, definitions), without code, outputs, math and glued values."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "td", "th", "figcaption", "dt", "dd"}
    SKIP_CLASSES = {
        "highlight",
        "output",
        "cell_output",
        "math",
        "pasted-text",
        "headerlink",
        "citation",
        "py",
    }

    def __init__(self):
        super().__init__()
        self.blocks, self._live, self._open, self._skip, self._article = [], [], [], 0, 0

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        skip = tag in ("pre", "code", "script", "style") or bool(self.SKIP_CLASSES & set(cls.split()))
        self._open.append((tag, skip))
        self._skip += skip
        if tag == "article":
            self._article += 1
        if tag in self.BLOCKS and self._article and not self._skip:
            self.blocks.append([tag, [], len(self._open)])
            self._live.append(self.blocks[-1])

    def handle_endtag(self, tag):
        while self._open:
            name, skip = self._open.pop()
            self._skip -= skip
            if name == "article":
                self._article -= 1
            if name == tag:
                break
        self._live = [b for b in self._live if b[2] <= len(self._open)]

    def handle_data(self, data):
        if self._skip == 0:
            for block in self._live:
                block[1].append(data)


def english_blocks(html, min_words=6):
    """Text blocks of a page with ``min_words`` or more English words and no Chinese character:
    on a page of the Chinese edition, text whose translation is missing or was dropped."""
    parser = _TextBlocks()
    parser.feed(html)
    found = []
    for tag, parts, _ in parser.blocks:
        text = " ".join("".join(parts).split())
        if len(re.findall(r"[A-Za-z]{3,}", text)) >= min_words and not _CJK.search(text):
            found.append(f"<{tag}> {text[:100]}")
    return found


# --------------------------------------------------------------------------- visiting
_COLLECT_JS = r"""
async ([scrollAllowed, textSkipped, wideBlocks, articleSel, themeImages, apiDoc]) => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const imgs = Array.from(document.images);
  for (const img of imgs) { if (img.loading === 'lazy') img.loading = 'eager'; }
  await Promise.all(imgs.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done); img.addEventListener('error', done);
    setTimeout(done, 10000);
  })));

  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim())
      s += '.' + el.className.trim().split(/\s+/).slice(0, 3).join('.');
    return s;
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    const cs = getComputedStyle(el);
    return cs.visibility !== 'hidden' && cs.display !== 'none';
  };

  // Text outside code and rendered math (for raw TeX left behind).
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (!parent || parent.closest(textSkipped)) continue;
    const t = n.textContent;
    if (t.trim()) texts.push([t, describe(parent)]);
  }

  // Horizontal overflow: the page itself, elements with their own horizontal scroll
  // bar, and visible elements sticking out past the right edge of the viewport.
  const se = document.scrollingElement;
  const vw = document.documentElement.clientWidth;
  const hscroll = [], sticking = [], stickingEls = new Set();
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest(scrollAllowed) || !visible(el)) continue;
    const cs = getComputedStyle(el);
    if (/auto|scroll/.test(cs.overflowX) && el.scrollWidth > el.clientWidth + 1)
      hscroll.push(`${describe(el)} (content ${el.scrollWidth}px in ${el.clientWidth}px)`);
    const r = el.getBoundingClientRect();
    if (r.right > vw + 1) {
      // Only if no ancestor clips it (a clipped one is that ancestor's scroll bar).
      let clipped = false;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') { clipped = true; break; }
      }
      // The outermost one only (its children stick out with it), with the start of its text.
      if (!clipped && !stickingEls.has(el.parentElement)) {
        const text = el.textContent.replace(/\s+/g, ' ').trim().slice(0, 40);
        sticking.push([r.right, `${describe(el)} (right edge at ${Math.round(r.right)}px)` +
                                (text ? ` "${text}"` : '')]);
      }
      if (!clipped) stickingEls.add(el);
    }
  }

  // Where an element sits, for the reader of a report: its section and code cell.
  const where = (el) => {
    const parts = [];
    const section = el.closest('section[id]');
    if (section) parts.push('#' + section.id);
    const cell = el.closest('.cell');
    const src = cell && cell.querySelector('.cell_input pre');
    if (src) parts.push('cell "' + src.textContent.trim().split('\n')[0].slice(0, 50) + '"');
    return parts.join(', ');
  };
  const short = (s) => s.replace(/\s+/g, ' ').trim().slice(0, 60);

  // Code blocks, outputs and display equations whose content is wider than their box: the
  // block itself, or an element inside it that clips or scrolls (inline math aside).
  const wide = [];
  for (const [kind, sel] of Object.entries(wideBlocks)) {
    for (const block of document.querySelectorAll(sel)) {
      if (block.clientWidth === 0) continue;  // not laid out (a collapsed cell)
      const boxes = [block, ...Array.from(block.querySelectorAll('*')).filter(el =>
        !el.closest('mjx-assistive-mml, span.math, mjx-container:not([display="true"])') &&
        getComputedStyle(el).overflowX !== 'visible')];
      const box = boxes.find(el => el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1);
      if (!box) continue;
      let text = block.textContent;
      if (kind === 'equation' && window.MathJax && MathJax.startup && MathJax.startup.document) {
        try {
          const items = MathJax.startup.document.getMathItemsWithin(block);
          if (items.length) text = items.map(m => m.math).join(' ');
        } catch (e) { /* keep the text */ }
      }
      wide.push({kind: kind, scroll_width: box.scrollWidth, client_width: box.clientWidth,
                 text: short(text), where: where(block)});
    }
  }

  // Images of the article body: in a numbered figure, with real alt text, not shrunk.
  const article = document.querySelector(articleSel) || document.body;
  const figures = Array.from(article.querySelectorAll('img'))
    .filter(img => !img.closest(themeImages)).map(img => {
      const fig = img.closest('figure');
      const numbered = !!fig && Array.from(fig.querySelectorAll('figcaption span.caption-number'))
        .some(span => span.closest('figure') === fig);
      const r = img.getBoundingClientRect();
      return {src: img.getAttribute('src') || '', alt: img.getAttribute('alt'),
              in_figure: !!fig, numbered: numbered, shown: r.width > 0 && r.height > 0,
              width: r.width, natural_width: img.naturalWidth, where: where(img)};
    });

  // Tooltips, accessible names and images' alt texts (after the page's scripts ran, so labels
  // they add count too).
  const labels = [['<title>', document.title, 'title', '', false]];
  for (const el of document.querySelectorAll('[title], [aria-label], img[alt]')) {
    for (const attr of ['title', 'aria-label', 'alt']) {
      if (attr === 'alt' && el.tagName !== 'IMG') continue;
      const value = el.getAttribute(attr);
      if (value && value.trim())
        labels.push([attr, value.trim(), describe(el), el.getAttribute('href') || '',
                     !!el.closest(apiDoc)]);
    }
  }

  const math = Array.from(document.querySelectorAll('.math'));
  return {
    labels: labels.map(([attr, value, el, href, api]) =>
      ({attr: attr, value: value, el: el, href: href, api: api})),
    wide_blocks: wide, figures: figures,
    title: document.title,
    h1: (document.querySelector('main h1, article h1, h1') || {textContent: ''})
      .textContent.replace('#', '').trim(),
    has_mathjax: !!(window.MathJax && window.MathJax.startup),
    math_total: math.length,
    math_unrendered: math.filter(m => !m.querySelector('mjx-container'))
                         .map(m => m.textContent.trim().slice(0, 80)),
    mjx_containers: document.querySelectorAll('mjx-container').length,
    mjx_errors: Array.from(document.querySelectorAll('mjx-merror'))
                     .map(e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 80)),
    texts: texts,
    images: imgs.map(img => ({src: img.currentSrc || img.src, alt: img.alt,
                              ok: img.complete && img.naturalWidth > 0})),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => ({
      href: a.href, raw: a.getAttribute('href'),
      text: a.textContent.trim().replace(/\s+/g, ' ').slice(0, 60)})),
    ids: Array.from(document.querySelectorAll('[id], a[name]')).map(e => e.id || e.getAttribute('name')),
    scroll_width: se.scrollWidth, client_width: se.clientWidth,
    hscroll: hscroll, sticking: sticking.sort((a, b) => b[0] - a[0]).map(s => s[1]),  // widest first
  };
}
"""


def visit(page, url, timeout_ms=30_000):
    """Load ``url`` in the Playwright ``page``; return the report dict the checks read."""
    console, failed = [], []
    origin = _origin(url)

    def on_console(msg):
        if msg.type in ("error", "assert"):
            where = (msg.location or {}).get("url", "")
            if where == origin + "/favicon.ico":  # browsers ask for it; books have none
                return
            console.append(f"console.{msg.type}: {msg.text} ({where})")

    def on_pageerror(exc):
        console.append(f"uncaught: {exc}")

    def on_response(resp):
        if resp.status >= 400 and not resp.url.endswith("/favicon.ico"):
            failed.append(f"HTTP {resp.status} {resp.url}")

    def on_requestfailed(req):
        # ERR_ABORTED is a cancelled request (e.g. by the next navigation), not a fault;
        # a missing file shows up as an HTTP 404 response instead.
        if "ERR_ABORTED" not in (req.failure or ""):
            failed.append(f"failed {req.url} ({req.failure})")

    handlers = {
        "console": on_console,
        "pageerror": on_pageerror,
        "response": on_response,
        "requestfailed": on_requestfailed,
    }
    for event, fn in handlers.items():
        page.on(event, fn)
    try:
        response = page.goto(url, wait_until="load", timeout=timeout_ms)
        report = page.evaluate(
            _COLLECT_JS, [SCROLL_ALLOWED, TEXT_SKIPPED, WIDE_BLOCKS, ARTICLE, THEME_IMAGES, API_DOC]
        )
        page.wait_for_timeout(50)  # let late console messages arrive
    finally:
        for event, fn in handlers.items():
            page.remove_listener(event, fn)
    report.update(
        url=url, status=response.status if response else None, console=console, failed_requests=failed
    )
    return report


# --------------------------------------------------------------------------- checks
def problems_load(report):
    problems = []
    if report["status"] != 200:
        problems.append(f"HTTP status {report['status']} for {report['url']}")
    problems += report["failed_requests"]
    return problems


def problems_console(report, known=KNOWN_CONSOLE_ERRORS):
    return [
        msg
        for msg in report["console"]
        if not any(k.search(msg.split(": ", 1)[-1].rsplit(" (", 1)[0]) for k in known)
    ]


def problems_math(report):
    problems = []
    if report["math_total"] and not report["has_mathjax"]:
        problems.append(f"{report['math_total']} math elements but MathJax is not loaded")
    for tex in report["math_unrendered"]:
        problems.append(f"math not rendered by MathJax: {tex!r}")
    for err in report["mjx_errors"]:
        problems.append(f"MathJax error: {err!r}")
    for text, where in report["texts"]:
        for m in RAW_MATH.finditer(text):
            lo = max(m.start() - 30, 0)
            problems.append(f"raw TeX {m.group(0)!r} in <{where}>: {text[lo : m.end() + 30]!r}")
    return problems


def problems_images(report):
    return [
        f"image did not load: {img['src']} (alt {img['alt']!r})" for img in report["images"] if not img["ok"]
    ]


def problems_overflow(report):
    problems = []
    if report["scroll_width"] > report["client_width"]:
        problems.append(
            f"page scrolls horizontally: {report['scroll_width']}px of content in {report['client_width']}px"
        )
    problems += [f"horizontal scroll bar outside code/output: {d}" for d in report["hscroll"]]
    problems += [f"sticks out of the viewport: {d}" for d in report["sticking"]]
    return problems


def problems_wide_blocks(report):
    """Code blocks, cell outputs and display equations wider than their box (at 1280 px)."""
    return [
        f"{b['kind']} wider than its box ({b['scroll_width']}px of content in {b['client_width']}px)"
        f" at {b['where'] or 'top'}: {b['text']!r}"
        for b in report["wide_blocks"]
    ]


def problems_page_scroll(report):
    """The page itself scrolls sideways (for a phone: only its own boxes may scroll)."""
    if report["scroll_width"] <= report["client_width"]:
        return []
    culprits = "; ".join(report["sticking"][:5]) or "nothing sticks out by itself"
    return [
        f"page scrolls sideways: {report['scroll_width']}px of content in {report['client_width']}px"
        f" (sticking out: {culprits})"
    ]


_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_PY_NAME = re.compile(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*(\(\))?")


def english_label(label):
    """Why a label of a Chinese page (``report["labels"]`` item) counts as English left there,
    or ``None``: it has a Latin word and no Chinese character, and is none of the exceptions,
    the API docstrings (and the API objects' names, the tooltips of links to them) and the
    works cited (tooltips of links to the bibliography, which lists them untranslated)."""
    value = label["value"]
    if _CJK.search(value) or not _LATIN_WORD.search(value):
        return None
    if label["api"]:
        return None  # inside an API docstring
    href = urllib.parse.unquote(label["href"])
    address, _, fragment = href.partition("#")
    if fragment in (value, f"module-{value}") and _PY_NAME.fullmatch(value):
        return None  # a link to an API object (a module's anchor is module-NAME): its name
    if address.rsplit("/", 1)[-1] == BIBLIOGRAPHY_PAGE and fragment:
        return None  # a citation: the bibliography's entry
    return f"{label['attr']} {value[:70]!r} on {label['el']}"


def problems_english_labels(report):
    """English titles, tooltips (``title``), ``aria-label`` s and image ``alt`` texts of a Chinese
    page, each once with its count; see :func:`english_label`."""
    found = {}
    for label in report["labels"]:
        why = english_label(label)
        if why:
            found[why] = found.get(why, 0) + 1
    return [f"English label: {why}" + (f" ({n} times)" if n > 1 else "") for why, n in found.items()]


def problems_figures(report, min_scale=FIGURE_MIN_SCALE):
    """Images of the article body: numbered figures, real alt text, not shrunk (at 1280 px)."""
    problems = []
    for img in report["figures"]:
        at = f"{img['src']} at {img['where'] or 'top'}"
        alt = (img["alt"] or "").strip()
        if not img["in_figure"]:
            problems.append(f"image not in a figure: {at}")
        elif not img["numbered"]:
            problems.append(f"image in a figure without a numbered caption: {at}")
        if not alt:
            problems.append(f"image without alt text: {at}")
        elif IMAGE_PATH_ALT.search(alt):
            problems.append(f"alt text looks like a file path ({alt[:60]!r}): {at}")
        natural = img["natural_width"]
        if img["shown"] and natural and img["width"] < min_scale * natural:
            problems.append(
                f"image shown at {img['width']:.0f}px, {img['width'] / natural:.0%} of its natural "
                f"{natural}px (at least {min_scale:.0%}): {at}"
            )
    return problems


# --------------------------------------------------------------------------- reader view
_SIDEBAR_SHOWN_JS = r"""
(sel) => {
  // Shown: laid out, not hidden, mostly inside the viewport, and on top (a point in it hits it).
  const sb = document.querySelector(sel);
  if (!sb) return null;
  const r = sb.getBoundingClientRect(), cs = getComputedStyle(sb);
  if (cs.display === 'none' || cs.visibility === 'hidden' || r.width < 1 || r.height < 1) return false;
  const x0 = Math.max(r.left, 0), x1 = Math.min(r.right, innerWidth);
  const y0 = Math.max(r.top, 0), y1 = Math.min(r.bottom, innerHeight);
  if (x1 - x0 < 0.5 * Math.min(r.width, innerWidth) || y1 <= y0) return false;
  const hit = document.elementFromPoint((x0 + x1) / 2, (y0 + y1) / 2);
  return !!hit && sb.contains(hit);
}
"""

_VISIBLE_JS = r"""
([sel, outermost]) => {
  // Elements matching sel that a reader sees on the first screen: [description, x, y, on top].
  const seen = Array.from(document.querySelectorAll(sel)).filter(el => {
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.display !== 'none' && cs.visibility !== 'hidden' &&
      parseFloat(cs.opacity) > 0 && r.right > 0 && r.left < innerWidth && r.bottom > 0 &&
      r.top < innerHeight;
  });
  const kept = outermost ? seen.filter(el => !seen.some(o => o !== el && o.contains(el))) : seen;
  return kept.map(el => {
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim())
      s += '.' + el.className.trim().split(/\s+/).slice(0, 3).join('.');
    const label = (el.getAttribute('aria-label') || el.title || el.textContent || '')
      .replace(/\s+/g, ' ').trim().slice(0, 30);
    return {desc: s + (label ? ` "${label}"` : ''), x: x, y: y,
            on_top: !!hit && (el === hit || el.contains(hit))};
  });
}
"""


def _console_collector(page):
    """Start collecting console errors and uncaught exceptions; returns (messages, stop)."""
    messages = []

    def on_console(msg):
        where = (msg.location or {}).get("url", "")
        if msg.type in ("error", "assert") and not where.endswith("/favicon.ico"):  # see visit()
            messages.append(f"console.{msg.type}: {msg.text} ({where})")

    def on_pageerror(exc):
        messages.append(f"uncaught: {exc}")

    page.on("console", on_console)
    page.on("pageerror", on_pageerror)

    def stop():
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_pageerror)

    return messages, stop


def _known(message, known=KNOWN_CONSOLE_ERRORS):
    text = message.split(": ", 1)[-1].rsplit(" (", 1)[0]
    return any(k.search(text) for k in known)


def _sidebar_shown(page):
    return page.evaluate(_SIDEBAR_SHOWN_JS, PRIMARY_SIDEBAR)


def _wait_sidebar(page, shown, timeout_ms):
    """Wait until the sidebar is shown (or hidden); return whether it got there."""
    try:
        page.wait_for_function(
            f"(sel) => ({_SIDEBAR_SHOWN_JS})(sel) === {'true' if shown else 'false'}",
            arg=PRIMARY_SIDEBAR,
            timeout=timeout_ms,
        )
    except Exception:  # playwright's TimeoutError
        return False
    _settle(page, timeout_ms)
    return True


def _settle(page, timeout_ms):
    """Wait until no CSS transition or animation runs (the sidebar's slide moves the header's
    buttons for 0.25 s: a button measured mid-slide is no longer there when it is clicked)."""
    try:
        page.wait_for_function(
            "() => document.getAnimations().every(a => a.playState !== 'running')",
            timeout=timeout_ms,
        )
    except Exception:  # an endless animation (a spinner) must not fail the check itself
        pass


def problems_sidebar_toggle(page, url, timeout_ms=5000):
    """Click every visible primary-sidebar toggle of ``url`` at the page's viewport width.

    Each click must show the sidebar if it was hidden (then the same button, or a tap on the
    dimmed page beside the drawer when the drawer covers the button, must hide it again), or
    hide it if it was shown (then a second click must show it again). The page is reloaded
    before each button. Console errors during all this are problems too.
    """
    width = page.viewport_size["width"]
    problems = []
    messages, stop = _console_collector(page)
    try:
        page.goto(url, wait_until="load")
        toggles = []
        if _sidebar_shown(page) is None:
            problems.append(f"at {width}px: no primary sidebar ({PRIMARY_SIDEBAR}) on the page")
        else:
            toggles = page.evaluate(_VISIBLE_JS, [PRIMARY_TOGGLES, False])
        if not toggles and not problems:
            problems.append(f"at {width}px: no visible primary sidebar toggle ({PRIMARY_TOGGLES})")
        for k, toggle in enumerate(toggles):
            if k:
                page.goto(url, wait_until="load")
            name = f"at {width}px, {toggle['desc']}"
            before = _sidebar_shown(page)
            if not toggle["on_top"]:
                problems.append(f"{name}: covered by another element, a click does not reach it")
                continue
            page.mouse.click(toggle["x"], toggle["y"])
            if not _wait_sidebar(page, not before, timeout_ms):
                state = "shown" if before else "hidden"
                problems.append(f"{name}: clicking it did nothing (the sidebar stayed {state})")
                continue
            # Back again: the same button if a reader can reach it, else a tap beside the drawer.
            again = page.evaluate(_VISIBLE_JS, [PRIMARY_TOGGLES, False])
            same = [t for t in again if t["desc"] == toggle["desc"] and t["on_top"]]
            how = "clicking it again"
            if same:
                page.mouse.click(same[0]["x"], same[0]["y"])
            elif before is False:
                box = page.evaluate(
                    "(sel) => document.querySelector(sel).getBoundingClientRect().right", PRIMARY_SIDEBAR
                )
                if box >= width - 8:
                    problems.append(f"{name}: the open sidebar covers the page and the button, no way out")
                    continue
                how = "a tap on the page beside the open sidebar"
                page.mouse.click((box + width) / 2, page.viewport_size["height"] / 2)
            else:
                problems.append(f"{name}: the button is gone or covered after hiding the sidebar")
                continue
            if not _wait_sidebar(page, before, timeout_ms):
                state = "shown" if before else "hidden"
                problems.append(f"{name}: {how} did not make the sidebar {state} again")
    finally:
        stop()
    problems += [f"at {width}px: {m}" for m in messages if not _known(m)]
    return problems


def problems_search_controls(page):
    """Exactly one search button or field must be visible on the first screen (page loaded)."""
    width = page.viewport_size["width"]
    found = page.evaluate(_VISIBLE_JS, [SEARCH_CONTROLS, True])
    if len(found) == 1:
        return []
    if not found:
        return [f"at {width}px: no visible search button or field"]
    where = "; ".join(f"{c['desc']} at ({c['x']:.0f}, {c['y']:.0f})" for c in found)
    return [f"at {width}px: {len(found)} search buttons/fields visible, expected one: {where}"]


def _origin(url):
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class _IdParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key == "id" or (tag == "a" and key == "name"):
                self.ids.add(value)


class LinkResolver:
    """Fetch link targets over HTTP (cached) and answer whether an address resolves."""

    def __init__(self):
        self._cache = {}

    def target(self, url):
        """``(status, ids or None)`` of the document at ``url`` (no fragment)."""
        if url not in self._cache:
            try:
                with urllib.request.urlopen(url, timeout=30) as resp:
                    status, body = resp.status, resp.read()
                    ctype = resp.headers.get_content_type()
            except urllib.error.HTTPError as exc:
                status, body, ctype = exc.code, b"", ""
            ids = None
            if status == 200 and ctype == "text/html":
                parser = _IdParser()
                parser.feed(body.decode("utf-8", errors="replace"))
                ids = parser.ids
            self._cache[url] = (status, ids)
        return self._cache[url]

    def problem(self, link_url, page_url, page_ids):
        """A message if the same-origin ``link_url`` does not resolve, else ``None``."""
        if _origin(link_url) != _origin(page_url):
            return None  # external: not checked (the test machine has no network)
        address, _, fragment = link_url.partition("#")
        address = address.split("?", 1)[0]
        fragment = urllib.parse.unquote(fragment)
        if address == page_url.split("#", 1)[0].split("?", 1)[0]:
            status, ids = 200, set(page_ids)
        else:
            status, ids = self.target(address)
        if status != 200:
            return f"HTTP {status}"
        if fragment and ids is not None and fragment not in ids and fragment != "top":
            return f"no element with id {fragment!r} on the target page"
        return None


def problems_links(report, resolver):
    problems, seen = [], set()
    for link in report["links"]:
        if link["href"] in seen:
            continue
        seen.add(link["href"])
        why = resolver.problem(link["href"], report["url"], report["ids"])
        if why:
            problems.append(f"link {link['raw']!r} ({link['text']!r}): {why}")
    return problems


# --------------------------------------------------------------------------- PDF
def _pdf_objects(data):
    return {int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+)\s+0\s+obj\b(.*?)endobj", data, re.S)}


def _pdf_stream(obj):
    m = re.search(rb"stream\r?\n(.*?)\r?\nendstream", obj, re.S)
    if not m:
        return b""
    raw = m.group(1)
    if b"/FlateDecode" in obj.split(b"stream", 1)[0]:
        try:
            return zlib.decompress(raw)
        except zlib.error:
            return b""
    return raw


def _hex_codes(hexstr, width):
    hexstr = re.sub(rb"\s", b"", hexstr).decode()
    return [hexstr[i : i + width] for i in range(0, len(hexstr), width)]


def _parse_cmap(data):
    """ToUnicode CMap -> (code hex width, {code hex (upper): text})."""
    table, width = {}, 4
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            width = len(src)
            table[src.decode().upper()] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])", block
        ):
            width = len(lo)
            lo_i, hi_i = int(lo, 16), int(hi, 16)
            if dst.startswith(b"["):
                dsts = re.findall(rb"<([0-9A-Fa-f]+)>", dst)
                for k, d in enumerate(dsts[: hi_i - lo_i + 1]):
                    table[f"{lo_i + k:0{len(lo)}X}"] = bytes.fromhex(d.decode()).decode(
                        "utf-16-be", "replace"
                    )
            else:
                base = bytes.fromhex(dst[1:-1].decode())
                for k in range(hi_i - lo_i + 1):
                    cp = int.from_bytes(base, "big") + k
                    table[f"{lo_i + k:0{len(lo)}X}"] = cp.to_bytes(len(base), "big").decode(
                        "utf-16-be", "replace"
                    )
    return width, table


def pdf_page_count(data):
    """Number of ``/Type /Page`` objects in a PDF (not ``/Pages``)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def pdf_text(data):
    """Text of a PDF as printed by Chromium (Skia), without a PDF library.

    Enough for Chromium's output: FlateDecode content streams, fonts with ToUnicode
    CMaps, text shown by ``Tj``/``TJ`` with hex strings. Text objects are separated by
    spaces; compare with whitespace removed (see :func:`squash`).
    """
    objs = _pdf_objects(data)
    cmaps = {}

    def font_cmap(ref):
        if ref not in cmaps:
            font = objs.get(ref, b"")
            m = re.search(rb"/ToUnicode\s+(\d+)\s+0\s+R", font)
            cmaps[ref] = _parse_cmap(_pdf_stream(objs[int(m.group(1))])) if m else (4, {})
        return cmaps[ref]

    kids = []
    for obj in objs.values():
        if re.search(rb"/Type\s*/Pages\b", obj):
            m = re.search(rb"/Kids\s*\[(.*?)\]", obj, re.S)
            if m:
                kids += [int(k) for k in re.findall(rb"(\d+)\s+0\s+R", m.group(1))]
    pages = [k for k in kids if re.search(rb"/Type\s*/Page(?![a-zA-Z])", objs.get(k, b""))]
    out = []
    for ref in pages:
        page = objs[ref]
        fonts = {}
        m = re.search(rb"/Font\s*<<(.*?)>>", page, re.S)
        if m:
            fonts = {
                name.decode(): int(num)
                for name, num in re.findall(rb"/([\w.+-]+)\s+(\d+)\s+0\s+R", m.group(1))
            }
        contents = re.search(rb"/Contents\s+(\d+)\s+0\s+R", page)
        stream = _pdf_stream(objs[int(contents.group(1))]) if contents else b""
        width, table = 4, {}
        for tok in re.finditer(
            rb"/([\w.+-]+)\s+[\d.]+\s+Tf|\[(.*?)\]\s*TJ|<([0-9A-Fa-f\s]*)>\s*Tj|\bET\b", stream, re.S
        ):
            if tok.group(1) is not None:
                font = fonts.get(tok.group(1).decode())
                width, table = font_cmap(font) if font else (4, {})
            elif tok.group(2) is not None:
                for h in re.findall(rb"<([0-9A-Fa-f\s]*)>", tok.group(2)):
                    out.append("".join(table.get(c.upper(), "") for c in _hex_codes(h, width)))
                out.append(" ")
            elif tok.group(3) is not None:
                out.append("".join(table.get(c.upper(), "") for c in _hex_codes(tok.group(3), width)))
                out.append(" ")
            else:
                out.append("\n")
        out.append("\f")
    return "".join(out)


def squash(text):
    """Lower-cased text without any whitespace, for comparing extracted PDF text."""
    return re.sub(r"\s+", "", text).lower()
