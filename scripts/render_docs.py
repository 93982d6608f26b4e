"""Render the reference documentation of a bundled spec: one self-contained HTML page, GFM and RST.

A view model (scripts/docs_view.py) is built once from the spec; one renderer per output
(docs_html, docs_md, docs_rst, sharing scripts/docs_markup.py) pours it into its templates.
Spec text is untrusted: it is cleaned when the views are built, descriptions are parsed as
CommonMark without raw HTML, images or unsafe links, and every other value is escaped for its
output: by Jinja's autoescaping in HTML, and by a ``finalize`` hook that escapes Markdown or
reStructuredText markup in the other two. Templates never see spec text that nobody escaped.
"""

from __future__ import annotations

from typing import Any

from scripts.docs_html import markdown_html, render_html
from scripts.docs_md import md_cell, render_markdown
from scripts.docs_rst import render_rst
from scripts.docs_view import build_reference

__all__ = ["markdown_html", "md_cell", "render_docs"]


def render_docs(data: dict[str, Any]) -> dict[str, bytes]:
    """The reference documentation of the bundled spec ``data``, by path relative to OUT."""
    reference = build_reference(data)
    return {
        "docs/index.html": render_html(reference).encode(),
        "docs/reference.md": render_markdown(reference).encode(),
        "docs/reference.rst": render_rst(reference).encode(),
    }
