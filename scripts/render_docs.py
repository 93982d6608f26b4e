"""Render the reference documentation of a bundled spec: one self-contained HTML page, GFM and RST.

A view model (scripts/docs_view.py) is built once from the spec; one renderer per output
(docs_html, docs_md, docs_rst, sharing scripts/docs_markup.py) pours it into its templates.
Spec text is untrusted: it is cleaned when the views are built, descriptions are parsed as
CommonMark without raw HTML, images or unsafe links, and every other value is escaped for its
output: by Jinja's autoescaping in HTML, and by a ``finalize`` hook that escapes Markdown or
reStructuredText markup in the other two. Templates never see spec text that nobody escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from scripts.cache import digest_value
from scripts.docs_html import markdown_html, render_html
from scripts.docs_markup import Piece
from scripts.docs_md import md_cell, render_markdown
from scripts.docs_rst import render_rst
from scripts.docs_view import build_reference
from scripts.fragments import Fragments

__all__ = ["markdown_html", "md_cell", "render_docs"]


def render_docs(data: dict[str, Any], fragments: Fragments | None = None) -> dict[str, bytes]:
    """The reference documentation of the bundled spec ``data``, by path relative to OUT; with
    ``fragments``, the sections an earlier build rendered from the same views are taken from
    there."""
    reference = build_reference(data)
    sections = _Sections(fragments or Fragments())
    return {
        "docs/index.html": render_html(reference, sections.piece("html")).encode(),
        "docs/reference.md": render_markdown(reference, sections.piece("md")).encode(),
        "docs/reference.rst": render_rst(reference, sections.piece("rst")).encode(),
    }


class _Sections:
    """The sections of operations and schemas, kept from one build to the next.

    A section is what its template's macro makes of one view, and a view (a frozen dataclass
    of strings, flags and other views) holds everything its section shows; its ``repr`` tells
    any two apart. So the digest of that ``repr`` keys the section, with the output and the
    kind of section; the templates and code are part of every cache key.
    """

    def __init__(self, fragments: Fragments) -> None:
        self.fragments = fragments
        self.digests: dict[int, str] = {}  # by the id of a view of this build's reference

    def piece(self, output: str) -> Piece:
        def piece(kind: str, view: Any, macro: Callable[[Any], Any]) -> Markup:
            digest = self.digests.get(id(view))
            if digest is None:
                digest = self.digests[id(view)] = digest_value(view)
            text = self.fragments.text(f"docs-{output}-{kind}", digest, lambda: str(macro(view)))
            assert text is not None  # noqa: S101 - a macro always renders something
            return Markup(text)  # noqa: S704 - the macro escaped what it printed

        return piece
