"""The Chinese edition cannot drift from the English text.

The English pages are extracted afresh with Sphinx's gettext builder (``tools/i18n.py``); every
entry must have a translation in ``locale/zh_CN`` that is not empty, not fuzzy, and keeps the
English entry's markup (glue roles, citations, cross-reference targets, math, inline code, link
targets). So an English edit that is not translated fails here. The helpers are tested on
small catalogs with known faults, and the build step that makes glue work in translated text
(``_ext/zh_edition.py``) on its own.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import i18n  # noqa: E402


def _load_zh_edition():
    spec = importlib.util.spec_from_file_location("zh_edition", ROOT / "_ext" / "zh_edition.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def pot_dir(tmp_path_factory):
    """The English text as gettext templates, extracted from the book as it is now."""
    return i18n.extract(tmp_path_factory.mktemp("gettext") / "pot")


def test_every_english_entry_is_translated(pot_dir):
    found = i18n.problems(pot_dir)
    assert found == [], (
        f"{len(found)} problem(s) in locale/zh_CN (run `python tools/i18n.py update`, translate, "
        "then `python tools/i18n.py check`):\n  " + "\n  ".join(found[:40])
    )


def test_every_page_has_a_catalog_with_entries(pot_dir):
    names = set(i18n.templates(pot_dir))
    assert {"intro", "glossary", "errata", "chapters/03_lstm_equations"} <= names
    for name, pot in i18n.templates(pot_dir).items():
        if name != "references":  # the bibliography page has its title only
            assert len(i18n.translatable(pot)) > 5, f"{name}: almost nothing to translate?"


def test_docstrings_are_left_in_english(pot_dir):
    api = i18n.templates(pot_dir)["api"]
    docstrings = [e for e in api if i18n.is_docstring(e)]
    prose = i18n.translatable(api)
    assert docstrings and prose, "the API page has both docstrings and prose of its own"
    assert not set(e.msgid for e in docstrings) & set(e.msgid for e in prose)


# --------------------------------------------------------------------------- the checker itself
def test_markup_keeps_roles_math_code_and_links():
    english = (
        "At {glue:text}`ch1_T:.0f` steps $x_t$ shrinks ({cite:p}`pascanu2013`); see "
        "{ref}`sec-ch2` and {term}`forget gate`, `lstm.LSTM`, [the data](https://x.org)."
    )
    good = (
        "在 {glue:text}`ch1_T:.0f` 步后 $x_t$ 变小（{cite:p}`pascanu2013`）；见 {ref}`第 2 节 <sec-ch2>` "
        "和 {term}`遗忘门 <forget gate>`、`lstm.LSTM`、[数据](https://x.org)。"
    )
    assert i18n.markup(english) == i18n.markup(good)
    for bad in [
        good.replace("ch1_T:.0f", "ch1_T:.1f"),  # another number format
        good.replace("$x_t$", "$x_{t}$"),  # math changed
        good.replace("<forget gate>", "<input gate>"),  # another glossary target
        good.replace("{cite:p}`pascanu2013`", "Pascanu 等人"),  # citation dropped
        good.replace("`lstm.LSTM`", "lstm.LSTM"),  # code no longer code
        good.replace("https://x.org", "https://y.org"),  # another link
    ]:
        assert i18n.markup(english) != i18n.markup(bad), bad


def test_bold_that_would_not_render_in_chinese_is_caught():
    english = "**Intuition.** For every unit, *the fraction* kept."
    assert i18n.emphasis(english) == (1, 1)
    assert i18n.emphasis("**直观理解**。对每个单元，*保留的比例*。") == (1, 1)
    assert i18n.emphasis("**直观理解。**对每个单元，*保留的比例*。") == (0, 1)  # shows the asterisks


def test_an_equation_may_change_only_its_text_labels():
    english = (
        "\n\\begin{aligned}\ni_t &= \\sigma(z_i) && \\text{input gate}\\\\\n"
        "h_t &= o_t \\odot c_t\n\\end{aligned}\n"
    )
    assert not i18n.math_changed(english, english.replace("input gate", "输入门"))
    assert i18n.math_changed(english, english.replace("\\sigma", "\\tanh"))  # the maths changed
    assert i18n.math_changed(english, english.replace("\\odot c_t", "\\odot \\tanh(c_t)"))
    assert not i18n.math_changed("Prose with $x$ and \\alpha.", "完全不同的中文。")  # not an equation


def test_theme_labels_are_translated_in_attributes_only():
    zh = _load_zh_edition()
    table = {"Toggle hidden content": "展开/收起隐藏内容", "Main": "全书目录"}
    html = (
        '<button aria-label="Toggle hidden content"><nav aria-label="Main" title="Main menu">'
        "<p>Main: Toggle hidden content</p>"
    )
    assert zh.translate_fixed_labels(html, table) == (
        '<button aria-label="展开/收起隐藏内容"><nav aria-label="全书目录" title="Main menu">'
        "<p>Main: Toggle hidden content</p>"
    )


def test_inline_code_that_shows_a_role_is_code_not_a_role():
    english = "Cite a number with the `{glue:text}` role, and assert the claim with `assert`."
    assert i18n.markup(english) == i18n.markup("用 `{glue:text}` 角色引用数字，用 `assert` 断言。")


def _catalog(path, entries, **meta):
    po = polib.POFile()
    for msgid, msgstr, flags in entries:
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, flags=flags, occurrences=[("../../p.md", "1")]))
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))


def test_problems_and_update_on_a_small_catalog(tmp_path):
    pots, locale = tmp_path / "pot", tmp_path / "locale"
    _catalog(pots / "p.pot", [("One.", "", []), ("Two $x$.", "", []), ("Three.", "", []), ("New.", "", [])])
    _catalog(
        locale / "p.po",
        [
            ("One.", "一。", []),
            ("Two $x$.", "二。", []),
            ("Three.", "三。", ["fuzzy"]),
            ("Gone.", "去。", []),
        ],
    )
    _catalog(locale / "old.po", [("Old.", "旧。", [])])
    found = "\n".join(i18n.problems(pots, locale))
    assert "'Two $x$.': markup differs" in found
    assert "'Three.': fuzzy" in found
    assert "'New.': no entry" in found
    assert "old: a catalog for a page the book no longer has" in found
    assert "'One.'" not in found

    i18n.update(pots, locale)
    po = polib.pofile(str(locale / "p.po"))
    live = {e.msgid: e.msgstr for e in po if not e.obsolete}
    assert live == {"One.": "一。", "Two $x$.": "二。", "Three.": "三。", "New.": ""}
    assert [e.msgid for e in po if e.obsolete] == ["Gone."]  # kept as a hint, not used
    assert "fuzzy" in po.find("Three.").flags


# --------------------------------------------------------------------------- glue in Chinese
def test_glue_roles_in_translations_name_their_page():
    zh = _load_zh_edition()
    text = "均值 {glue:text}`ch4_acc:.4f`，文章的模型 {glue:text}`04_x.ipynb::ch4_a:.4f`，{glue:text}`n`。"
    named = zh.name_glue_documents(text, "05_y.ipynb")
    assert named == (
        "均值 {glue:text}`05_y.ipynb::ch4_acc:.4f`，文章的模型 {glue:text}`04_x.ipynb::ch4_a:.4f`，"
        "{glue:text}`05_y.ipynb::n:s`。"
    )
    assert zh.name_glue_documents("no roles here", "a.ipynb") == "no roles here"


def test_prepared_catalogs_keep_the_source_unchanged(tmp_path):
    zh = _load_zh_edition()
    src = tmp_path / "book"
    (src / "chapters").mkdir(parents=True)
    (src / "chapters" / "01_a.ipynb").write_text("{}")
    po_dir = src / "locale" / "zh_CN" / "LC_MESSAGES" / "chapters"
    _catalog(po_dir / "01_a.po", [("At {glue:text}`k:.2f`.", "在 {glue:text}`k:.2f`。", [])])
    out = zh.prepare_catalogs(src, tmp_path / "out")
    made = polib.pofile(str(out / "zh_CN" / "LC_MESSAGES" / "chapters" / "01_a.po"))
    assert made[0].msgstr == "在 {glue:text}`01_a.ipynb::k:.2f`。"
    assert polib.pofile(str(po_dir / "01_a.po"))[0].msgstr == "在 {glue:text}`k:.2f`。"


# --------------------------------------------------------------------------- the term table
def test_term_check_fails_on_a_ruled_out_variant(tmp_path):
    ruled, allowed = i18n.term_table()  # the table in locale/zh_CN/README.md
    assert ruled["挤压函数"] == "压缩函数" and "程序包" in ruled and "代码单元" in ruled
    assert "代码单元格" in allowed["代码单元"]
    locale = tmp_path / "locale"
    fine = [
        ("The squashing function.", "压缩函数。"),
        ('The article\'s "memory gate".', "原文的“记忆门”。"),  # the article quoted
        ("$c_t$, 记忆状态", "$c_t$，记忆状态"),  # the English quotes the article's word
        ("Run `notebook.py` in a code cell.", "在代码单元格中运行 `notebook.py`。"),  # code is code
        ("{glue:text}`acc:.1f`% of them.", "其中 {glue:text}`acc:.1f`%。"),
        ("See {ref}`sec-x`.", "见 {ref}`第 3 章“细胞状态路径”一节 <sec-x>`。"),
    ]
    _catalog(locale / "p.po", [(e, z, []) for e, z in fine])
    assert i18n.term_problems(locale) == []
    planted = [
        ("The squashing function.", "挤压函数。", "挤压函数 (use 压缩函数)"),
        ("The cell update.", "记忆门。", "记忆门 (use 细胞状态的更新"),
        ("Run the notebook.", "运行 Notebook。", "notebook (use 笔记本"),
        ("The next code cell.", "下面的代码单元。", "代码单元 (use 单元格，代码单元格"),
        ("{glue:text}`acc:.1f`% of them.", "其中 {glue:text}`acc:.1f` %。", "%/ (use 13.4%"),
        ("See {ref}`sec-x`.", "见 {ref}`细胞路径 <sec-x>`。", "细胞路径 (use 细胞状态路径)"),
    ]
    for english, zh, expected in planted:
        _catalog(locale / "p.po", [(english, zh, [])])
        _catalog(tmp_path / "pot" / "p.pot", [(english, "", [])])
        found = i18n.term_problems(locale)
        assert len(found) == 1 and expected in found[0], (zh, found)
        assert i18n.problems(tmp_path / "pot", locale) == found  # and so `check` fails


def test_term_table_with_a_wrong_allowed_context_is_an_error(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        "| English | 中文 | not used |\n|---|---|---|\n| squashing | 压缩函数 | `挤压函数` |\n\n"
        "| variant | allowed in | why |\n|---|---|---|\n| `挤压函数` | `挤压` | typo |\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="does not contain"):
        i18n.term_table(readme)
    readme.write_text("| a | b |\n|---|---|\n| c | d |\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no term table"):
        i18n.term_table(readme)


# --------------------------------------------------------------------------- links in Chinese
def test_a_bare_reference_to_a_question_inside_chinese_text_is_caught(tmp_path):
    """{ref}`label` prints its target's title; a title ending in ？ inside a Chinese sentence reads
    as English syntax ("……详见 为什么需要门？。"): the check names it until the reference has text."""
    src, pots, locale = tmp_path / "src", tmp_path / "pot", tmp_path / "locale"
    (src / "chapters").mkdir(parents=True)
    (src / "page.md").write_text("(sec-why)=\n# Why gates?\n\n(sec-how)=\n\n## How gates work\n")
    notebook = {"cells": [{"cell_type": "markdown", "source": ["(sec-nb)=\n", "## The kept fraction"]}]}
    (src / "chapters" / "nb.ipynb").write_text(json.dumps(notebook))
    _catalog(pots / "page.pot", [("Why gates?", "", [])])
    _catalog(pots / "chapters" / "nb.pot", [("The kept fraction", "", [])])
    titles = i18n.section_titles(["page", "chapters/nb"], src)
    assert titles == {
        "sec-why": ("page", "Why gates?"),
        "sec-how": ("page", "How gates work"),
        "sec-nb": ("chapters/nb", "The kept fraction"),
    }

    def hits(text, heading="为什么需要门？"):
        _catalog(locale / "page.po", [("Why gates?", heading, []), ("How gates work", "门如何工作", [])])
        _catalog(
            locale / "chapters" / "nb.po", [("See it.", text, []), ("The kept fraction", "保留的比例", [])]
        )
        return i18n.bare_question_refs(pots, locale, src)

    planted = hits("这一点详见 {ref}`sec-why`。")
    assert len(planted) == 1 and "chapters/nb: 'See it.'" in planted[0] and "sec-why" in planted[0]
    assert hits("这一点详见 {ref}`sec-why`。", heading="为什么需要门?")  # a Latin question mark too
    assert hits("这一点详见 {ref}`sec-why`。", heading="")  # untranslated: the English title, with "?"
    assert hits("这一点详见{ref}`“为什么需要门”一节 <sec-why>`。") == []  # text written for the sentence
    assert hits("这一点详见 {ref}`sec-how` 和 {ref}`sec-nb`。") == []  # titles that are not questions
    assert hits("{ref}`sec-why`") == []  # a link on its own, not inside a Chinese sentence
    assert hits("这一点详见 {ref}`sec-why`。", heading="门的作用") == []
