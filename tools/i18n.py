"""The Chinese edition's translation catalogs: extract, update, check.

The English text is the source. Sphinx's gettext builder extracts every paragraph, heading,
caption, table cell and list item of every page and notebook (code cells and their outputs are
not text to translate) into ``_build/gettext/**/*.pot``, one catalog per document
(``gettext_compact: false``). The translations live in ``locale/zh_CN/LC_MESSAGES/**/*.po``,
tracked in git. The API reference's docstrings stay in English (they are the code's own
documentation, the text ``help()`` shows); the API page's prose around them is translated.

    python tools/i18n.py extract   # English text -> _build/gettext/**/*.pot
    python tools/i18n.py update    # extract, then merge into the .po files (new entries empty)
    python tools/i18n.py check     # every entry translated, not fuzzy, markup kept

``update`` keeps every translation whose English is unchanged; an English paragraph that
changed gets an empty entry (the old translation is kept in a comment for the translator) and
``check`` (and ``tests/test_translations.py``) fail until it is translated again.
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
    # The gettext builder needs a doctree folder of its own (the html build's is incompatible).
    args = {"src": str(ROOT), "out": str(out), "doctrees": str(out.parent / ".doctrees-gettext")}
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
    """What keeps the catalogs from covering the English text exactly; empty when all is well."""
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
