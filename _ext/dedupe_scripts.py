"""Drop exact duplicate ``<script>`` entries from every HTML page.

Why: sphinx-thebe 0.3.1 adds its inline configuration script
(``const THEBE_JS_URL = ...; const thebe_selector = ...``) from an ``env-before-read-docs``
handler, and sphinx-togglebutton 0.4.5 adds ``var togglebuttonSelector = ...`` from a
``builder-inited`` one. Each ``app.add_js_file(None, body=...)`` is stored twice in this
build: once on the HTML builder as given (file name ``None``), and once more when the
builder's script list is rebuilt from Sphinx's registry (file name ``''``). Sphinx's own
de-duplication compares file names, and ``None != ''``, so both copies reach the page. A
second ``const THEBE_JS_URL`` is a JavaScript error on every page ("Identifier
'THEBE_JS_URL' has already been declared"), with thebe switched off
(``launch_buttons.thebe: false``) too.

What: an ``html-page-context`` handler that keeps, in priority order (the order Sphinx
renders them in), only the first of the script entries that would render to the same
tag: same file (``None`` and ``''`` both meaning an inline script), same attributes, same
body. Nothing else changes, and a page's own scripts (``app.add_js_file`` in a page
context) are kept. Registered in ``_config.yml`` under ``sphinx: local_extensions:``.
"""

from __future__ import annotations

__version__ = "1.0"


def _key(script):
    """What a script entry renders to: its file (or none) and its attributes."""
    if isinstance(script, str):  # very old Sphinx stored plain file names
        return (script, ())
    filename = getattr(script, "filename", None) or ""
    attributes = getattr(script, "attributes", {}) or {}
    return (str(filename), tuple(sorted((str(k), str(v)) for k, v in attributes.items())))


def dedupe_script_files(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    try:
        scripts = sorted(scripts, key=lambda js: js.priority)  # stable: Sphinx's own order
    except AttributeError:
        scripts = list(scripts)
    seen, kept = set(), []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    if len(kept) != len(scripts):
        context["script_files"] = kept


def setup(app):
    # After the other handlers (default priority 500), so that scripts they add are seen too.
    app.connect("html-page-context", dedupe_script_files, priority=900)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
