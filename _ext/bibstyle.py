"""Bibliography labels that read as the text cites: "Cho et al., 2014", not "[CvMerrienboerG+14]".

The citations in the text follow ``bibtex_reference_style: author_year`` ("Cho et al. (2014)",
"(Cho et al., 2014)"), but the labels of the bibliography page come from the pybtex formatting
style, whose default (``alpha``) builds keys such as ``CvMerrienboerG+14``. This extension
registers the formatting style ``authoryear``: pybtex's ``plain`` style (entries sorted by
author, year and title) with labels made like the text's citations: the last name of one
author, two names joined by "and", or the first name and "et al.", then the year, with "a",
"b", ... added to the year where two entries would otherwise share a label. ``_config.yml``
selects it with ``bibtex_default_style: authoryear``.

References: pybtex's plugin API (https://docs.pybtex.org/api/plugins.html) and
sphinxcontrib-bibtex's "Custom formatting, sorting, and labelling".
"""

from __future__ import annotations

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle


def _last_name(person) -> str:
    """A person's last name as plain text (LaTeX accents and braces resolved)."""
    raw = " ".join(person.prelast_names + person.last_names)
    return Text.from_latex(raw).render_as("text")


def author_year(entry) -> str:
    """``"Hochreiter, 1991"``, ``"Hochreiter and Schmidhuber, 1997"``, ``"Cho et al., 2014"``."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_last_name(p) for p in people]
    if not names:
        who = entry.fields.get("key") or entry.key
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels like the text's author-year citations, made unique with a, b, ... after the year."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [author_year(entry) for entry in entries]
        repeated = {label for label, count in Counter(labels).items() if count > 1}
        seen: Counter[str] = Counter()
        for label in labels:
            if label in repeated:
                seen[label] += 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
            else:
                yield label


class AuthorYearStyle(PlainStyle):
    """pybtex's ``plain`` formatting with :class:`AuthorYearLabelStyle` labels."""

    default_label_style = AuthorYearLabelStyle


def setup(app):
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
