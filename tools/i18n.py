"""The Chinese edition's translation catalogs: extract, update, check.

The English text is the source. Sphinx's gettext builder extracts every paragraph, heading,
caption, table cell, list item and image alt text of every page and notebook (code cells and
their outputs are not text to translate) into ``_build/gettext/**/*.pot``, one catalog per
document (``gettext_compact: false``). The translations live in ``locale/zh_CN/LC_MESSAGES/**/*.po``,
tracked in git. The API reference's docstrings stay in English (they are the code's own
documentation, the text ``help()`` shows); the API page's prose around them is translated.

    python tools/i18n.py extract   # English text -> _build/gettext/**/*.pot
    python tools/i18n.py update    # extract, then merge into the .po files (new entries empty)
    python tools/i18n.py check     # every entry translated, not fuzzy, markup kept, no ruled-out
                                   # term, links that read as Chinese

``update`` keeps every translation whose English is unchanged; an English paragraph that
changed gets an empty entry (the old translation is kept in a comment for the translator) and
``check`` (and ``tests/test_translations.py``) fail until it is translated again. ``check`` also
fails on a term that the term table in ``locale/zh_CN/README.md`` rules out (``term_problems``).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
POT_DIR = ROOT / "_build" / "gettext"
LOCALE = ROOT / "locale" / "zh_CN" / "LC_MESSAGES"
# The theme's own labels that have no zh_CN translation upstream ("Back to top", "next page"):
# Sphinx's message domain, kept by hand in LC_MESSAGES/sphinx.po.
THEME_CATALOG = "sphinx"

# MyST markup that a translation keeps: roles (for roles with a display text, `text <target>`,
# only the target), inline math and inline code, link targets.
_ROLE = re.compile(r"(?<!`)\{([a-z:]+)\}`([^`]*)`")
_MATH = re.compile(r"(?<![\\$])\$(?!\$)([^$]+?)(?<!\\)\$")
_CODE = re.compile(r"(?<![`}])`([^`]+)`")
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_MARKDOWN = MarkdownIt("commonmark")
# Roles whose text a reader sees: the translation may change the text, never the target.
_TEXT_ROLES = {"ref", "doc", "term", "numref"}


def is_docstring(entry: polib.POEntry) -> bool:
    """An entry that comes only from autodoc (a docstring or a signature): left in English."""
    # polib splits "path.py:docstring of name:1" at its spaces: a page's own text has an
    # occurrence in a .md or .ipynb file, a docstring has none.
    pages = [path for path, _ in entry.occurrences if path.endswith((".md", ".ipynb"))]
    return bool(entry.occurrences) and not pages


def markup(text: str) -> Counter:
    """The markup tokens of ``text`` that its translation must keep, counted."""
    tokens = Counter()
    for role, content in _ROLE.findall(text):
        if role in _TEXT_ROLES:
            m = re.fullmatch(r"(.*?)\s*<([^<>]+)>", content, flags=re.S)
            target = m.group(2) if m else content
            if role == "term" and not m:
                target = target.lower()
            tokens[f"{{{role}}}<{target.strip()}>"] += 1
        else:
            tokens[f"{{{role}}}`{content}`"] += 1
    plain = _ROLE.sub(" ", text)
    tokens.update(f"${m}$" for m in _MATH.findall(plain))
    tokens.update(f"`{m}`" for m in _CODE.findall(_MATH.sub(" ", plain)))
    tokens.update(f"]({m})" for m in _LINK.findall(text))
    return tokens


def emphasis(text: str) -> tuple[int, int]:
    """How many bold and italic spans ``text`` renders to (CommonMark, as MyST parses it).

    In Chinese a closing ``**`` right after a full-width punctuation mark and before a character
    (``**直观理解。**对``) is not a closing marker at all: the page would show the asterisks. Such
    a translation renders fewer spans than its English; put the punctuation outside the markers
    (``**直观理解**。对``)."""
    html = _MARKDOWN.renderInline(text)
    return html.count("<strong>"), html.count("<em>")


def math_changed(msgid: str, msgstr: str) -> bool:
    """Whether the translation of a display equation changes more than its ``\\text{...}`` labels.

    A display equation's entry is TeX alone (a command, no ``$``, no code, no Chinese); its
    translation may put the labels into Chinese (``\\text{input gate}`` -> ``\\text{输入门}``,
    applied by _ext/zh_edition.py), never change the mathematics around them."""
    if "$" in msgid or "`" in msgid or re.search(r"[\u4e00-\u9fff]", msgid):
        return False
    if not re.search(r"\\[a-zA-Z]+", msgid):
        return False
    label = re.compile(r"\\text\{[^{}]*\}")
    return label.sub(r"\\text{}", msgid) != label.sub(r"\\text{}", msgstr)


def extract(out: Path = POT_DIR) -> Path:
    """Run Sphinx's gettext builder on the book; return the folder of .pot files."""
    shutil.rmtree(out, ignore_errors=True)
    # The gettext builder needs a doctree folder of its own (the html build's is incompatible),
    # read afresh each time: a cached doctree misses what a changed transform of _ext/ extracts
    # (the exercise titles were once marked obsolete that way).
    doctrees = out.parent / ".doctrees-gettext"
    shutil.rmtree(doctrees, ignore_errors=True)
    args = {"src": str(ROOT), "out": str(out), "doctrees": str(doctrees)}
    args["builder"] = "gettext"
    subbuild = ROOT / "_ext" / "subbuild.py"
    proc = subprocess.run(
        [sys.executable, str(subbuild), json.dumps(args)], cwd=ROOT, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit("gettext extraction failed:\n" + (proc.stdout + proc.stderr)[-3000:])
    return out


def templates(pot_dir: Path = POT_DIR) -> dict[str, polib.POFile]:
    """``{relative name without suffix: catalog}`` of the extracted .pot files."""
    return {
        str(p.relative_to(pot_dir).with_suffix("")): polib.pofile(str(p))
        for p in sorted(pot_dir.rglob("*.pot"))
    }


def translatable(pot: polib.POFile) -> list[polib.POEntry]:
    return [e for e in pot if e.msgid and not is_docstring(e)]


def update(pot_dir: Path = POT_DIR, locale: Path = LOCALE) -> list[str]:
    """Merge the templates into the .po files; return one line per catalog."""
    report = []
    for name, pot in templates(pot_dir).items():
        path = locale / f"{name}.po"
        old = polib.pofile(str(path)) if path.exists() else polib.POFile()
        done = {e.msgid: e for e in old if e.msgid and not e.obsolete}
        new = polib.POFile(wrapwidth=100)
        new.metadata = {
            "Project-Id-Version": "lstm-book",
            "Language": "zh_CN",
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
        }
        added = 0
        for entry in translatable(pot):
            prev = done.pop(entry.msgid, None)
            e = polib.POEntry(
                msgid=entry.msgid, msgstr=prev.msgstr if prev else "", occurrences=entry.occurrences
            )
            if prev is not None:
                e.flags = list(prev.flags)
                e.tcomment = prev.tcomment
            else:
                added += 1
            new.append(e)
        # English that changed or went: its translation stays as a hint (an obsolete entry)
        # for as long as the catalog has an entry still to translate
        hints = [e for e in done.values() if e.msgstr.strip()]
        if any(not e.msgstr for e in new):
            live = {e.msgid for e in new}
            hints += [e for e in old if e.obsolete and e.msgid not in live and e.msgid not in done]
        for gone in hints:
            gone.obsolete = True
            new.append(gone)
        path.parent.mkdir(parents=True, exist_ok=True)
        new.save(str(path))
        report.append(f"{name}: {len(translatable(pot))} entries, {added} new, {len(done)} obsolete")
    return report


def problems(pot_dir: Path = POT_DIR, locale: Path = LOCALE) -> list[str]:
    """What keeps the catalogs from covering the English text exactly, or their links from reading
    as Chinese (:func:`bare_question_refs`); empty when all is well."""
    out = []
    pots = templates(pot_dir)
    for name, pot in pots.items():
        path = locale / f"{name}.po"
        if not path.exists():
            out.append(f"{name}: no catalog {path.relative_to(ROOT)}")
            continue
        po = {e.msgid: e for e in polib.pofile(str(path)) if not e.obsolete}
        for entry in translatable(pot):
            where = f"{name}: {entry.msgid[:70]!r}"
            e = po.get(entry.msgid)
            if e is None:
                out.append(f"{where}: no entry (run `python tools/i18n.py update`)")
            elif not e.msgstr.strip():
                out.append(f"{where}: not translated")
            elif "fuzzy" in e.flags:
                out.append(f"{where}: fuzzy")
            elif emphasis(e.msgid) != emphasis(e.msgstr):
                out.append(f"{where}: bold/italic spans {emphasis(e.msgid)} became {emphasis(e.msgstr)}")
            elif math_changed(e.msgid, e.msgstr):
                out.append(f"{where}: the equation changed (only its \\text{{...}} labels may)")
            elif markup(e.msgid) != markup(e.msgstr):
                lost = markup(e.msgid) - markup(e.msgstr)
                extra = markup(e.msgstr) - markup(e.msgid)
                out.append(f"{where}: markup differs (missing {sorted(lost)}, added {sorted(extra)})")
    for path in sorted(locale.rglob("*.po")):
        name = str(path.relative_to(locale).with_suffix(""))
        if name == THEME_CATALOG:  # kept by hand: every entry translated
            out += [f"{name}: {e.msgid!r}: not translated" for e in polib.pofile(str(path)) if not e.msgstr]
        elif name not in pots:
            out.append(f"{name}: a catalog for a page the book no longer has")
    out += term_problems(locale)
    out += bare_question_refs(pot_dir, locale)
    return out


TERM_TABLE = ROOT / "locale" / "zh_CN" / "README.md"
_SPAN = re.compile(r"`([^`]+)`")


def term_table(readme: Path = TERM_TABLE) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The ruled-out variants of the term table in ``readme``: ``({variant: chosen term},
    {variant: [contexts where it is allowed]})``.

    The table of terms has a column headed "not used"; each of its backtick spans is a variant
    that no translation may contain (``/.../`` spans are regular expressions). The table headed
    "allowed in" lists, for a variant, the longer strings (backtick spans) inside which it is
    fine: a quotation of the article, or a word that contains it."""
    ruled, allowed, kind, col = {}, {}, None, None
    for line in readme.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            kind = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if kind is None:  # a header row
            heads = [c.lower() for c in cells]
            kind = "terms" if any(h.startswith("not used") for h in heads) else "other"
            kind = "allowed" if any(h.startswith("allowed in") for h in heads) else kind
            if kind == "terms":
                col = next(i for i, h in enumerate(heads) if h.startswith("not used"))
            continue
        if set(line) <= set("|-: "):
            continue
        if kind == "terms" and len(cells) > col:
            for variant in _SPAN.findall(cells[col]):
                ruled[variant] = re.split(r" \(|（", cells[1])[0]
        elif kind == "allowed" and len(cells) >= 2:
            for variant in _SPAN.findall(cells[0]):
                allowed.setdefault(variant, []).extend(_SPAN.findall(cells[1]))
    for variant, contexts in allowed.items():
        for context in contexts:
            if variant not in context:
                raise ValueError(f"{readme}: allowed context {context!r} does not contain {variant!r}")
    if not ruled:
        raise ValueError(f"{readme}: no term table with a 'not used' column")
    return ruled, allowed


def _reader_text(text: str) -> str:
    """``text`` as the reader sees its words: a role with a display text becomes that text, any
    other role, math and inline code a ``0`` (a number's place), link targets go."""

    def role(m):
        shown = re.fullmatch(r"(.*?)\s*<([^<>]+)>", m.group(2), flags=re.S)
        return shown.group(1) if shown and m.group(1) in _TEXT_ROLES else "0"

    text = _LINK.sub("]", _ROLE.sub(role, text))
    return _CODE.sub("0", _MATH.sub("0", text))


def translated_entries(locale: Path = LOCALE):
    """``(catalog name, entry)`` for every current, translated entry of every catalog."""
    for path in sorted(locale.rglob("*.po")):
        name = str(path.relative_to(locale).with_suffix(""))
        for entry in polib.pofile(str(path)):
            if not entry.obsolete and entry.msgstr:
                yield name, entry


def term_problems(locale: Path = LOCALE, readme: Path = TERM_TABLE) -> list[str]:
    """Every translation that uses a variant the term table rules out; empty when none does."""
    ruled, allowed = term_table(readme)
    out = []
    for name, entry in translated_entries(locale):
        text = _reader_text(entry.msgstr)
        for variant, chosen in ruled.items():
            if variant.startswith("/") and variant.endswith("/") and len(variant) > 2:
                pattern = variant[1:-1]
            else:
                pattern = re.escape(variant)
            ok = [
                range(m.start(), m.end())
                for c in allowed.get(variant, [])
                for m in re.finditer(re.escape(c), text)
            ]
            for m in re.finditer(pattern, text, flags=re.I):
                if not variant.isascii() and variant in entry.msgid:  # the English quotes it
                    continue
                if any(m.start() in r and m.end() - 1 in r for r in ok):
                    continue
                where = text[max(0, m.start() - 12) : m.end() + 12].replace("\n", " ")
                out.append(f"{name}: {entry.msgid[:50]!r}: {variant} (use {chosen}) in …{where}…")
    return out


# A cross-reference without display text, {ref}`label`, prints its target's whole title.
_BARE_REF = re.compile(r"(?<!`)\{ref\}`([^`<>]+)`")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_TARGET = re.compile(r"\(([^()\s]+)\)=")
_HEADING = re.compile(r"#{1,6}\s+(.*?)\s*")


def _markdown_text(path: Path) -> str:
    """A page's markdown: the .md file, or a notebook's markdown cells one after another."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text(encoding="utf-8")


def section_titles(names, src: Path = ROOT) -> dict[str, tuple[str, str]]:
    """``{label: (page, English heading)}`` for every ``(label)=`` that stands right before a heading
    in the pages ``names`` (relative names without suffix, as the catalogs are named)."""
    titles = {}
    for name in names:
        path = next(
            (src / f"{name}{ext}" for ext in (".md", ".ipynb") if (src / f"{name}{ext}").exists()), None
        )
        if path is None:
            continue
        lines = [line.strip() for line in _markdown_text(path).splitlines()]
        for i, line in enumerate(lines):
            target = _TARGET.fullmatch(line)
            following = next((rest for rest in lines[i + 1 :] if rest), "")
            heading = _HEADING.fullmatch(following)
            if target and heading:
                titles[target.group(1)] = (name, heading.group(1))
    return titles


def bare_question_refs(pot_dir: Path = POT_DIR, locale: Path = LOCALE, src: Path = ROOT) -> list[str]:
    """Bare {ref}`label` roles inside Chinese text whose target's title, as the Chinese build prints
    it, ends in a question mark: the sentence would read "…详见 为什么……？。". Give such a reference
    display text written for the sentence, {ref}`“……”一节 <label>`."""
    names = list(templates(pot_dir))
    printed = {}  # label -> the title the Chinese page prints (the English one if untranslated)
    for label, (name, heading) in section_titles(names, src).items():
        path = locale / f"{name}.po"
        entry = polib.pofile(str(path)).find(heading) if path.exists() else None
        printed[label] = entry.msgstr.strip() if entry is not None and entry.msgstr.strip() else heading
    out = []
    for name, e in translated_entries(locale):
        if not _CJK.search(_BARE_REF.sub(" ", e.msgstr)):
            continue  # not Chinese text around the reference (a list of links, say)
        for label in _BARE_REF.findall(e.msgstr):
            title = printed.get(label.strip())
            if title is not None and title.endswith(("？", "?")):
                out.append(
                    f"{name}: {e.msgid[:50]!r}: {{ref}}`{label}` prints {title!r} inside a Chinese "
                    f"sentence; write {{ref}}`……一节 <{label}>`"
                )
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["extract", "update", "check"])
    parser.add_argument(
        "--no-extract", action="store_true", help="use the .pot files already in _build/gettext"
    )
    args = parser.parse_args(argv)
    if args.command == "extract" or not args.no_extract:
        extract()
    if args.command == "update":
        print("\n".join(update()))
    elif args.command == "check":
        found = problems()
        print("\n".join(found) or "all entries translated, markup kept")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
