"""What the three docs renderers share: descriptions parsed as safe CommonMark, and escaping.

Descriptions are parsed as CommonMark without raw HTML, images or unsafe links. Text a filter
has already escaped for its output is ``Safe``; everything else a template prints is escaped by
the environment's ``finalize`` hook (Markdown, RST) or by autoescaping (HTML).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from markupsafe import Markup

from scripts.docs_view import clean

_T = TypeVar("_T")

_SAFE_URL = re.compile(r"(?i)(?:https?://|mailto:)[^\s<>`\\]+\Z")

# --- Markdown ---------------------------------------------------------------------------------


class _Markdown(MarkdownIt):
    """CommonMark without raw HTML or images, whose links go only to web or mail addresses."""

    def __init__(self) -> None:
        super().__init__("commonmark", {"html": False})
        # An image would make the page fetch something; its Markdown stays text instead.
        self.disable("image")

    def validateLink(self, url: str) -> bool:  # noqa: N802 - the name markdown-it calls
        return _SAFE_URL.match(url) is not None


@functools.cache
def markdown() -> _Markdown:
    """The one parser (and HTML renderer) of descriptions."""
    return _Markdown()


def parse(text: str) -> list[Token]:
    """The tokens of a description, with headings turned into bold paragraphs: a heading inside
    a description would break the outline of the page around it."""
    tokens = markdown().parse(text)
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            token.type = token.type.replace("heading", "paragraph")
            token.tag = "p"
            if token.type == "paragraph_open" and tokens[index + 1].children is not None:
                inline = tokens[index + 1]
                inline.children = [
                    Token("strong_open", "strong", 1),
                    *(inline.children or []),
                    Token("strong_close", "strong", -1),
                ]
    return tokens


def per_text(render: Callable[[str], _T]) -> Callable[[object], _T]:
    """``render``, given a value's text as :func:`clean` makes it, and remembered per text: a
    spec repeats its descriptions (a shared parameter's in every operation that has it), and
    parsing one is most of the time its docs take. ``render`` must return an immutable value."""
    remembered = functools.cache(render)

    @functools.wraps(render)
    def rendered(value: object) -> _T:
        return remembered(clean(value))

    return rendered


def parse_tree(text: str) -> SyntaxTreeNode:
    return SyntaxTreeNode(parse(text))


def inline_children(node: SyntaxTreeNode) -> list[SyntaxTreeNode]:
    """The inline nodes of a paragraph."""
    return [child for inline in node.children for child in inline.children]


#: Renders the section of one view (an operation, a schema) with the template's macro for it:
#: ``piece(kind, view, macro)``; see :mod:`scripts.render_docs`.
Piece = Callable[[str, Any, Callable[[Any], Any]], Markup]


def whole_piece(kind: str, view: Any, macro: Callable[[Any], Any]) -> Markup:
    """A section rendered by its macro, with nothing kept from an earlier build."""
    return Markup(str(macro(view)))  # noqa: S704 - the macro escaped what it printed


class Safe(str):
    """Text already escaped for the output it is in; ``finalize`` lets it through unchanged."""

    __slots__ = ()


def indent_lines(lines: list[str], first: str, rest: str) -> list[str]:
    return [(first if i == 0 else rest) + line if line else "" for i, line in enumerate(lines)]


def join_blocks(blocks: Iterable[list[str]], separator: list[str]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if block:
            out += ([*separator, *block]) if out else block
    return out


def finalize_with(escape: Callable[[object], Safe]) -> Callable[[Any], Any]:
    """Escape what a template prints unless a filter made it markup (Safe) or the template
    marked a macro's output, whose values were escaped inside the macro, as ``safe``."""

    def finalize(value: Any) -> Any:
        return value if isinstance(value, (Safe, Markup)) else escape(value)

    return finalize
