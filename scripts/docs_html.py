"""Render the reference documentation as one self-contained HTML page with search."""

from __future__ import annotations

import base64
import functools
import hashlib

import jinja2
from markupsafe import Markup

from scripts.docs_markup import Piece, markdown, parse, whole_piece
from scripts.docs_view import Reference
from scripts.templating import environment


@functools.cache  # remembered per text, as docs_markup.per_text explains
def markdown_html(text: str) -> Markup:
    """A description as HTML. markdown-it escapes all text and drops unsafe links, so its output
    is the one piece of HTML that is trusted without further escaping."""
    tokens = parse(text)
    return Markup(markdown().renderer.render(tokens, markdown().options, {}))  # noqa: S704


@functools.cache
def _environment() -> jinja2.Environment:
    """The autoescaping environment, with descriptions rendered as HTML."""
    env = environment(html=True).overlay()
    env.filters = {**env.filters, "markdown": markdown_html}
    return env


def _static(name: str) -> str:
    """A static file of the page (CSS or JavaScript), read as it is."""
    loader = environment(html=True).loader
    assert loader is not None
    return loader.get_source(environment(html=True), f"docs/{name}")[0]


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def render_html(reference: Reference, piece: Piece = whole_piece) -> str:
    style, script = _static("page.css"), _static("page.js")
    return (
        _environment()
        .get_template("docs/index.html.jinja")
        .render(
            ref=reference,
            piece=piece,
            # Our own static text, not spec text; the page's policy allows exactly these two.
            style=Markup(style),  # noqa: S704
            script=Markup(script),  # noqa: S704
            style_hash=_csp_hash(style),
            script_hash=_csp_hash(script),
        )
    )
