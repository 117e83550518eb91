"""Run one Jupyter Book build of this book in its own process: ``python _ext/subbuild.py JSON``.

Used by ``_ext/zh_edition.py`` (the Chinese edition, after the English build) and by
``tools/i18n.py`` (the gettext templates). ``JSON`` holds ``src`` (the book's folder), ``out``,
``doctrees``, ``builder``, ``overrides`` (Sphinx settings on top of ``_config.yml``), and the
flags ``W`` and ``keep_going``. A process of its own, because Sphinx keeps global state
(translators, docutils registries) that a second build in the same process would share.
Exits 1 when the build fails.
"""

import json
import sys


def main(argv):
    from jupyter_book.sphinx import build_sphinx

    a = json.loads(argv[0])
    overrides = {
        "external_toc_path": a["src"] + "/_toc.yml",
        "latex_individualpages": False,  # a key Jupyter Book's own CLI always passes
        **a.get("overrides", {}),
    }
    result = build_sphinx(
        a["src"],
        a["out"],
        noconfig=True,
        path_config=a["src"] + "/_config.yml",
        confoverrides=overrides,
        doctreedir=a["doctrees"],
        builder=a["builder"],
        warningiserror=a.get("W", False),
        keep_going=a.get("keep_going", False),
        quiet=True,
    )
    return 1 if result else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
