"""Give pydata-sphinx-theme a colour mode, so that a reader's first visit logs no error.

Why: pydata-sphinx-theme 0.15 writes ``document.documentElement.dataset.mode =
localStorage.getItem("mode") || "{{ default_mode }}"`` into every page's head, and its script
then checks the mode. ``default_mode`` is a template variable (``html_context``), which Jupyter
Book 1.x does not set, so on a first visit (nothing in ``localStorage`` yet) the mode is
``""`` and every page logs "Got invalid theme mode: . Resetting to auto." to the console.

What: a ``config-inited`` handler that sets ``html_context["default_mode"]`` to ``"auto"``
(follow the reader's system setting, which is what the theme falls back to anyway) unless the
configuration names a mode. Registered in ``_config.yml`` under ``sphinx: local_extensions:``;
the Chinese edition's build loads the same extensions.
"""

from __future__ import annotations

__version__ = "1.0"


def set_default_mode(app, config):
    context = dict(config.html_context or {})
    if not context.get("default_mode"):
        context["default_mode"] = "auto"
        config.html_context = context


def setup(app):
    app.connect("config-inited", set_default_mode)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
