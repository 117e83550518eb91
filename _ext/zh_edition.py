"""The Chinese edition (中文版), built by the same command as the English book.

What: after the English HTML build has finished, a second Sphinx build of the same sources with
``language = zh_CN`` writes the Chinese edition into ``<html>/zh/``. Its prose comes from the
translation catalogs ``locale/zh_CN/LC_MESSAGES/**/*.po`` (one per page, see ``tools/i18n.py``
and ``running.md``); code cells, their stored outputs, figures and glued numbers come from the
same notebooks as the English edition's, so both editions show the same executed results.
Every page gets a link to the same page in the other language, and the theme's own labels
("Contents", "Fig.", the search page) are Chinese in the Chinese edition.

What else a Chinese reader would otherwise meet in English, and how each is translated:

- Exercise titles (``:::{exercise} Masking without zeros``): sphinx-exercise leaves them out of
  the catalogs (their node has no source). :class:`ExerciseTitles` gives them one, so gettext
  extracts them into the page's catalog and Sphinx translates them like any other text; the
  solution's title, which sphinx-exercise copies from the exercise at parse time, is refreshed
  from the translated exercise (:func:`_translated_exercises`).
- Tooltips and ``aria-label`` s that the theme and the extensions write in English without a
  gettext call ("Toggle primary sidebar" in sphinx-book-theme's templates, "Toggle hidden
  content" in myst-nb's HTML and in sphinx-togglebutton's JavaScript): after the Chinese build,
  :func:`translate_fixed_labels` replaces every ``title``/``aria-label`` value that the theme
  catalog ``locale/zh_CN/LC_MESSAGES/sphinx.po`` translates, in the written pages and in the
  copy of ``togglebutton.js``. Labels that Sphinx does translate ("Link to this heading") are in
  the same catalog. ``tests/test_browser.py`` fails on any English title or label left.
- Images' alt texts (the ``:alt:`` of a ``{figure}`` or ``{glue:figure}``, a cell output's
  ``mystnb.image.alt``): Sphinx extracts an image's alt text and its i18n transform translates it
  into the ``alt`` attribute by itself, but myst-nb gives the gettext builder a figure's
  ``text/plain`` output instead of its image, so the alt texts never reached the catalogs.
  ``nb_mime_priority_overrides`` in ``_config.yml`` makes the gettext builder keep the image, as
  the HTML builder does; no other builder's output changes. The browser test fails on an
  English alt text left on a Chinese page.
- The author line (:func:`chinese_settings`) and the CJK typography: ``_ext/static/book-zh.css``,
  which only the Chinese edition loads (:func:`_chinese_css`).

Why glue needs a step: myst-nb 1.4 resolves a ``{glue:text}`key``` role by looking the key up
in the notebook being parsed. Sphinx parses a translated paragraph as a small document of its
own, which has no notebook behind it, so the role fails ("No key ... found in glue data for
this document"). A glue role that names its document (``{glue:text}`page.ipynb::key```) is
instead resolved after parsing, from the glue data myst-nb saved for that page; cross-document
glue works that way in both editions. So the catalogs are copied into the build folder with
every plain glue role in a translation given its own page's name, and the Chinese build reads
that copy; the catalogs themselves keep the roles exactly as the English has them.

The sub-build runs in a fresh Python process (Sphinx keeps global state: translators, docutils
registries), with the English build's ``-W``, ``-n`` and ``--keep-going`` settings, and fails
the English build when it fails. ``LSTM_BOOK_ZH=0`` skips it (a quick English-only preview).
Registered in ``_config.yml`` under ``sphinx: local_extensions:``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

__version__ = "1.0"

LANGUAGE = "zh_CN"
SUBDIR = "zh"  # the Chinese edition's folder inside the English HTML folder
LABELS = {"en": ("中文", "zh", "本页的中文版"), LANGUAGE: ("English", "en", "本页的英文版")}
AUTHOR = "本书编写组"  # the footer's "作者：..." line (the English: "The LSTM book authors")
# CJK typography, for the Chinese edition only: in _ext/static/, not in _static/, whose every
# .css file Jupyter Book adds to every page of both editions.
CSS_ZH = "book-zh.css"
THEME_CATALOG = Path("locale") / LANGUAGE / "LC_MESSAGES" / "sphinx.po"
# Attributes whose fixed English values translate_fixed_labels translates.
_LABEL_ATTR = re.compile(r'(\b(?:title|aria-label)=")([^"<>]*)(")')

logger = logging.getLogger(__name__)

_GLUE = re.compile(r"(\{glue(?::[a-z]*)?\}`)([^`]*)(`)")


def name_glue_documents(text: str, document: str) -> str:
    """Give every glue role in ``text`` without a ``page::`` prefix the prefix ``document``.

    ``document`` is the page's file name relative to its own folder (``05_x.ipynb``), the form
    myst-nb's cross-document glue expects.
    """

    def fix(m):
        content = m.group(2)
        if "::" in content:
            return m.group(0)
        if m.group(1) == "{glue:text}`" and ":" not in content:
            # myst-nb splits `page::key:format` at its last colon: give a bare key the
            # format a local role gets by default ("s", the value as it was glued)
            content += ":s"
        return f"{m.group(1)}{document}::{content}{m.group(3)}"

    return _GLUE.sub(fix, text)


def prepare_catalogs(srcdir: Path, out: Path) -> Path:
    """Copy ``locale/`` to ``out`` with the glue roles of every translation named; return ``out``."""
    import polib

    source = srcdir / "locale"
    shutil.rmtree(out, ignore_errors=True)
    for po_path in sorted(source.rglob("*.po")):
        rel = po_path.relative_to(source / LANGUAGE / "LC_MESSAGES").with_suffix("")
        # the page this catalog translates: its notebook, else its Markdown file
        page = next(
            (
                srcdir / rel.with_suffix(s)
                for s in (".ipynb", ".md")
                if (srcdir / rel.with_suffix(s)).exists()
            ),
            None,
        )
        po = polib.pofile(str(po_path))
        if page is not None:
            for entry in po:
                if entry.msgstr:
                    entry.msgstr = name_glue_documents(entry.msgstr, page.name)
        target = out / po_path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(target))
    return out


def chinese_settings(srcdir: Path, config) -> dict:
    """Settings of the Chinese build beyond the language: the book's title, the labels that
    myst-nb and sphinx-togglebutton take from the configuration, and the search's word list."""
    settings = {
        "html_theme_options": {"search_bar_text": "搜索本书……"},  # merged into the theme's options
        "nb_code_prompt_show": "显示代码",
        "nb_code_prompt_hide": "隐藏代码",
        "togglebutton_hint": "点击显示",
        "togglebutton_hint_hide": "点击隐藏",
        "author": AUTHOR,
    }
    # The title: its translation in the catalog of the first page, where it is the heading.
    import polib

    intro = srcdir / "locale" / LANGUAGE / "LC_MESSAGES" / f"{config.root_doc}.po"
    if intro.exists():
        title = polib.pofile(str(intro)).find(config.html_title)
        if title is not None and title.msgstr:
            settings["html_title"] = title.msgstr
    words = srcdir / "locale" / LANGUAGE / "search_dict.txt"  # jieba keeps these words whole
    if words.exists():
        settings["html_search_options"] = {"dict": str(words)}
    return settings


def _language_link(app, pagename, templatename, context, doctree):
    """The link to the same page in the other language, for the article header."""
    language = app.config.language if app.config.language == LANGUAGE else "en"
    label, code, title = LABELS[language]
    up = "../" * pagename.count("/")
    other = f"{up}{SUBDIR}/{pagename}.html" if language == "en" else f"{up}../{pagename}.html"
    context["lstm_language_link"] = {
        "href": other,
        "label": label,
        "hreflang": code,
        "title": title,
        # the English page's link is Chinese throughout; the Chinese page's title is Chinese too
        "lang": code if language == "en" else None,
    }
    items = context.get("theme_article_header_end")
    if isinstance(items, list) and "language-switch.html" not in items:
        items.insert(0, "language-switch.html")
    context["metatags"] = (
        context.get("metatags", "") + f'\n<link rel="alternate" hreflang="{code}" href="{other}" />'
    )


def _translate_captions(app, doctree):
    """Translate the captions of the table of contents' parts ("Foundations", ...).

    sphinx-external-toc inserts the toctrees after Sphinx has translated the page, so their
    captions would stay English; the root page's catalog has them (gettext extracts them)."""
    if app.config.language != LANGUAGE:
        return
    from sphinx import addnodes

    catalog = _page_catalog(app, app.env.docname)
    if catalog is None:
        return
    for node in doctree.findall(addnodes.toctree):
        if node.get("caption"):
            node["caption"] = catalog.gettext(node["caption"])


class ExerciseTitles(SphinxTransform):
    """Make the titles of sphinx-exercise's exercises translatable.

    ``:::{exercise} Validation on the test set`` puts its title in an ``exercise_subtitle``
    node without a source, and Sphinx neither extracts nor translates a text without one; and
    sphinx-exercise's post-transforms later move the title's text into the exercise's heading
    ("Exercise 4.1 (...)"), where the gettext builder looks for messages. So the title's text
    goes into an inline node marked translatable, with the exercise's source and line, which
    the heading keeps: gettext extracts it into the page's catalog, and Sphinx's own i18n
    transform (priority 20) translates it in the Chinese build. A title with markup is
    reported: write it as plain text."""

    default_priority = 10

    def apply(self, **kwargs):
        try:
            from sphinx_exercise.nodes import exercise_subtitle
        except ImportError:  # sphinx-exercise not installed: no exercises to translate
            return
        for node in list(self.document.findall(exercise_subtitle)):
            if node.children and all(isinstance(c, nodes.Text) for c in node.children):
                text = node.astext()
                owner = node.parent.parent if node.parent is not None else None
                inline = nodes.inline(text, text, translatable=True)
                inline.source = getattr(owner, "source", None) or self.document["source"]
                inline.line = getattr(owner, "line", None) or _first_line(owner)
                node.children = []
                node += inline
            elif not (node.children and isinstance(node.children[0], nodes.inline)):
                logger.warning(
                    "zh_edition: an exercise title with markup cannot be translated: %r",
                    node.astext(),
                    location=node.parent.parent,
                )


class TranslatedMath(SphinxTransform):
    """Display math translated by the page's catalog (its ``\\text{...}`` labels), in MyST pages.

    Sphinx translates a math block by parsing ``::`` and the indented translation as
    reStructuredText, a literal block; the MyST parser reads that as a paragraph "::" and the
    equation is lost. So, in the Chinese build, a math block whose catalog entry has a different
    translation gets it here, before Sphinx's i18n transform (priority 20), which then finds no
    entry for the new text and leaves it alone. ``tools/i18n.py check`` keeps the math outside
    the labels equal to the English."""

    default_priority = 15

    def apply(self, **kwargs):
        if self.config.language != LANGUAGE:
            return
        catalog = _page_catalog(self.app, self.env.docname)
        if catalog is None:
            return
        for node in list(self.document.findall(nodes.math_block)):
            msg = node.rawsource or node.astext()
            msgstr = catalog.gettext(msg)
            if msgstr and msgstr != msg:
                node.rawsource = msgstr
                node.children = []
                node += nodes.Text(msgstr)


def _page_catalog(app, docname):
    """The Chinese build's gettext catalog of page ``docname`` (``None`` if it has none)."""
    from sphinx.locale import init as init_locale
    from sphinx.util.i18n import docname_to_domain

    domain = docname_to_domain(docname, app.config.gettext_compact)
    dirs = [os.path.join(app.srcdir, d) for d in app.config.locale_dirs]
    catalog, found = init_locale(dirs, app.config.language, domain)
    return catalog if found else None


class ExerciseTitleBrackets(SphinxPostTransform):
    """In the Chinese edition, full-width brackets around an exercise's title: sphinx-exercise
    writes "练习 4.1 (标题)" with Latin ones, as the separate texts " (" and ")", in the exercise's
    heading and in its solution's."""

    default_priority = 30  # after sphinx-exercise's title post-transforms (20 to 22)

    def run(self, **kwargs):
        if self.config.language != LANGUAGE:
            return
        from sphinx_exercise.nodes import is_extension_node

        full = {" (": "（", ")": "）"}
        for node in self.document.findall(is_extension_node):
            if not node.children or not isinstance(node.children[0], nodes.title):
                continue
            for text in list(node.children[0].findall(nodes.Text)):
                if str(text) in full:
                    text.parent.replace(text, nodes.Text(full[str(text)]))


def _first_line(node):
    for child in node.findall() if node is not None else ():
        if getattr(child, "line", None):
            return child.line
    return 1


def _translated_exercises(app, doctree):
    """Give sphinx-exercise's registry the translated exercises.

    The registry keeps a copy of each exercise made while parsing, before translation, and
    a solution's title ("解答 练习 4.1 (...)") is built from that copy."""
    if app.config.language != LANGUAGE:
        return
    registry = getattr(app.env, "sphinx_exercise_registry", None)
    if not registry:
        return
    from sphinx_exercise.nodes import is_exercise_node

    for node in doctree.findall(is_exercise_node):
        entry = registry.get(node.get("label"))
        if entry is not None and entry.get("docname") == app.env.docname:
            entry["node"] = node.deepcopy()


def theme_translations(srcdir: Path) -> dict[str, str]:
    """``{English: Chinese}`` of the theme catalog (``locale/zh_CN/LC_MESSAGES/sphinx.po``)."""
    import polib

    path = Path(srcdir) / THEME_CATALOG
    if not path.exists():
        return {}
    return {e.msgid: e.msgstr for e in polib.pofile(str(path)) if e.msgstr and not e.obsolete}


def translate_fixed_labels(text: str, translations: dict[str, str]) -> str:
    """``text`` with every ``title="..."``/``aria-label="..."`` whose whole value is an English
    label of ``translations`` given its translation; other attributes and text are untouched."""

    def fix(m):
        value = translations.get(m.group(2))
        return f"{m.group(1)}{value}{m.group(3)}" if value else m.group(0)

    return _LABEL_ATTR.sub(fix, text)


def _translate_written_labels(app, exception):
    """After the Chinese build: the fixed English labels of its pages and of togglebutton.js."""
    if exception is not None or app.config.language != LANGUAGE or app.builder.name != "html":
        return
    translations = theme_translations(app.srcdir)
    outdir = Path(app.outdir)
    files = [*outdir.rglob("*.html"), *(outdir / "_static").glob("togglebutton*.js")]
    for path in files:
        if "_sources" in path.relative_to(outdir).parts:
            continue
        text = path.read_text(encoding="utf-8")
        fixed = translate_fixed_labels(text, translations)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")


def _chinese_css(app):
    """The Chinese edition's stylesheet, after book.css (html_css_files has priority 800)."""
    if app.config.language == LANGUAGE and app.builder.format == "html":
        app.config.html_static_path = [*app.config.html_static_path, str(Path(__file__).parent / "static")]
        app.add_css_file(CSS_ZH, priority=900)


def _templates(app, config):
    config.templates_path = [*config.templates_path, str(Path(__file__).parent / "templates")]


def _build_chinese(app, exception):
    if exception is not None or app.builder.name != "html" or app.config.language == LANGUAGE:
        return
    if os.environ.get("LSTM_BOOK_ZH", "1") == "0":
        logger.info("zh_edition: LSTM_BOOK_ZH=0, the Chinese edition is not built")
        return
    srcdir, outdir = Path(app.srcdir), Path(app.outdir)
    build_root = outdir.parent
    locale_dir = prepare_catalogs(srcdir, build_root / "locale-zh")
    overrides = {"language": LANGUAGE, "locale_dirs": [str(locale_dir)], "gettext_compact": False}
    overrides.update(chinese_settings(srcdir, app.config))
    if app.config.nitpicky:
        overrides["nitpicky"] = True
    args = {
        "src": str(srcdir),
        "out": str(outdir / SUBDIR),
        "doctrees": str(build_root / ".doctrees-zh"),
        "builder": "html",
        "overrides": overrides,
        "W": bool(app.warningiserror),
        "keep_going": bool(getattr(app, "keep_going", False)),
    }
    logger.info("zh_edition: building the Chinese edition into %s", outdir / SUBDIR)
    subbuild = Path(__file__).with_name("subbuild.py")
    proc = subprocess.run([sys.executable, str(subbuild), json.dumps(args)], cwd=srcdir)
    if proc.returncode != 0:
        raise ExtensionError(
            f"the Chinese edition did not build (exit {proc.returncode}); see its messages above"
        )


def setup(app):
    app.connect("config-inited", _templates)
    app.connect("builder-inited", _chinese_css)
    app.connect("html-page-context", _language_link, priority=600)  # after the theme's handler
    app.connect("build-finished", _build_chinese)
    app.connect("doctree-read", _translate_captions)
    app.connect("doctree-read", _translated_exercises)
    app.connect("build-finished", _translate_written_labels)
    app.add_transform(ExerciseTitles)
    app.add_transform(TranslatedMath)
    app.add_post_transform(ExerciseTitleBrackets)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
