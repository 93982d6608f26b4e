"""Render the reference documentation as reStructuredText, in the source docs' table layout."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

import jinja2
from docutils.utils import column_width
from markdown_it.tree import SyntaxTreeNode

from scripts.docs_markup import (
    Piece,
    Safe,
    finalize_with,
    indent_lines,
    inline_children,
    join_blocks,
    parse_tree,
    per_text,
    whole_piece,
)
from scripts.docs_view import (
    Fact,
    Link,
    Operation,
    Reference,
    Response,
    SchemaView,
    Shape,
    one_line,
)
from scripts.template_cache import template_cache
from scripts.templating import environment

# --- reStructuredText ---------------------------------------------------------------------------

# Characters that may come right before inline markup, and right after it (docutils' rules,
# restricted to ASCII; anything else gets an escaped space, which reads as nothing).
_RST_BEFORE = frozenset(" -:/'\"<([{")
_RST_AFTER = frozenset(" -.,:;!?\\/'\")]}>")
_RST_ENUMERATOR = re.compile(r"(?:\d+|[A-Za-z]|[IVXLCDMivxlcdm]+)[.)](?:\s|\Z)")


#: Every character :func:`rst_escape` may escape.
_RST_MARKUP = re.compile(r"[\\*`|_:<>]")


def rst_escape(text: str, *, label: bool = False) -> str:
    """One line of plain text with every character that could start RST markup escaped."""
    if _RST_MARKUP.search(text) is None:
        return text  # nothing to escape: most text, and most of the time this function takes
    out = []
    for index, char in enumerate(text):
        after = text[index + 1 : index + 2]
        if (
            char in "\\*`|"
            or (char == "_" and not after.isalnum())
            or (char == ":" and after != "" and not after.isspace())
            or (label and char in "<>")
        ):
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def _rst_line_start(line: str) -> str:
    """Escape the first character of a line that RST would read as a list, directive, comment,
    field, table, transition or other block markup."""
    if line and not line.strip("\\"):
        # Escaped backslashes are still a line of one punctuation character, which RST reads as
        # a transition or a title adornment; an escaped space (which shows as nothing) breaks
        # it. It goes first: a table cell drops the spaces at its end, and would end the line
        # in a lone backslash again.
        return "\\ " + line
    if not line or line.startswith("\\"):
        return line
    if not line[0].isalnum() or _RST_ENUMERATOR.match(line):
        return "\\" + line
    return line


def _rst_text(value: object) -> Safe:
    """Plain text (a name, a title) as one line of RST that shows it exactly."""
    return Safe(_rst_line_start(rst_escape(one_line(value))))


def _rst_literal(code: str) -> str | None:
    """``code`` as an inline literal, or None when RST cannot delimit it."""
    code = " ".join(code.split("\n"))
    if (
        not code.strip()
        or code != code.strip()
        or "``" in code
        or code[0] == "`"
        or code[-1] == "`"
    ):
        return None
    return f"``{code}``"


def _rst_pieces(nodes: Iterable[SyntaxTreeNode], plain: bool) -> list[tuple[bool, str]]:
    """Inline nodes as (is_markup, rst) pieces. RST cannot nest inline markup, so inside one
    markup element (``plain``) everything is text."""
    pieces: list[tuple[bool, str]] = []
    for node in nodes:
        if node.type == "text":
            pieces.append((False, rst_escape(node.content)))
        elif node.type in ("softbreak", "hardbreak"):
            pieces.append((False, " "))
        elif node.type == "code_inline":
            literal = None if plain else _rst_literal(node.content)
            pieces.append((True, literal) if literal else (False, rst_escape(node.content)))
        elif node.type in ("em", "strong", "link"):
            inner = "".join(text for _, text in _rst_pieces(node.children, True))
            stripped = inner.strip()
            if plain or not stripped or stripped.endswith("\\"):
                pieces.append((False, inner))
                continue
            lead, tail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()) :]
            if node.type == "link":
                url = str(node.attrs.get("href", ""))
                label = stripped.replace("<", "\\<").replace(">", "\\>")
                # A URI ending in "_" would be read as a reference name.
                url = url[:-1] + "\\_" if url.endswith("_") else url
                markup = f"`{label} <{url}>`__"
            else:
                mark = "*" if node.type == "em" else "**"
                markup = f"{mark}{stripped}{mark}"
            pieces += [(False, lead), (True, markup), (False, tail)]
        else:
            pieces += _rst_pieces(node.children, plain)
    return [piece for piece in pieces if piece[1]]


def _rst_inline(nodes: Iterable[SyntaxTreeNode]) -> str:
    pieces = _rst_pieces(nodes, False)
    out = ""
    for index, (markup, text) in enumerate(pieces):
        if not markup:
            out += _rst_line_start(text) if index == 0 else text
            continue
        if out and out[-1] not in _RST_BEFORE:
            out += "\\ "
        out += text
        after = pieces[index + 1][1][:1] if index + 1 < len(pieces) else ""
        if after and after not in _RST_AFTER:
            out += "\\ "
    return out.strip()


def _rst_blocks(node: SyntaxTreeNode) -> list[str]:
    """The block children of ``node`` as RST lines, one line per paragraph."""
    return join_blocks((_rst_block(child) for child in node.children), [""])


def _rst_block(node: SyntaxTreeNode) -> list[str]:
    if node.type == "paragraph":
        line = _rst_inline(inline_children(node))
        return [line] if line else []
    if node.type in ("bullet_list", "ordered_list"):
        start = int(str(node.attrs.get("start", 1)))
        items = []
        for number, item in enumerate(node.children, start):
            marker = "- " if node.type == "bullet_list" else f"{number}. "
            items.append(indent_lines(_rst_blocks(item) or ["\\ "], marker, " " * len(marker)))
        return join_blocks(items, [""])
    if node.type in ("code_block", "fence"):
        code = node.content.rstrip("\n")
        if not code.strip():
            return []
        return ["::", "", *indent_lines(code.split("\n"), "   ", "   ")]
    if node.type == "hr":
        return []  # a transition is not allowed inside a table cell or at a section's end
    if node.children:  # block quotes and anything else: their content, unquoted
        return _rst_blocks(node)
    line = _rst_line_start(rst_escape(" ".join(node.content.split())))
    return [line] if line else []


def rst_lines(text: str) -> list[str]:
    """A description as RST lines (paragraphs, lists, literal blocks)."""
    return list(_rst_lines(text))


@per_text
def _rst_lines(text: str) -> tuple[str, ...]:
    return tuple(_rst_blocks(parse_tree(text)))


def _width(text: str) -> int:
    """docutils' ``column_width``, which for ASCII text (most text, and the time it takes) is
    its length: no ASCII character is wide or combining."""
    return len(text) if text.isascii() else column_width(text)


def rst_grid(
    header: Sequence[str], rows: Sequence[Sequence[Sequence[str]]], indent: str = ""
) -> list[str]:
    """A grid table: a header row of plain labels and rows of cells given as RST lines.

    Widths are docutils' own ``column_width``: wide East Asian characters count twice and
    combining characters not at all, or the table's right border would not line up for it.
    """
    table = [[[label] for label in header], *rows]
    widths = [
        max(_width(line) for row in table for line in row[column]) or 1
        for column in range(len(header))
    ]

    def border(char: str) -> str:
        return indent + "+" + "+".join(char * (width + 2) for width in widths) + "+"

    def lines(cells: Sequence[Sequence[str]]) -> list[str]:
        return [
            indent
            + "|"
            + "|".join(
                f" {line}{' ' * (width - _width(line))} "
                for cell, width in zip(cells, widths, strict=True)
                for line in [cell[i] if i < len(cell) else ""]
            )
            + "|"
            for i in range(max(len(cell) for cell in cells))
        ]

    out = [border("-"), *lines(table[0]), border("=")]
    for row in table[1:]:
        out += [*lines(row), border("-")]
    return out


def _rst_cell(text: str) -> list[str]:
    return rst_lines(text) or [""]


@per_text
def rst_inline(text: str) -> Safe:
    """A description inside a line of RST: its paragraphs joined, other blocks as plain text."""
    parts: list[str] = []
    for node in parse_tree(text).walk():
        if node.type == "paragraph":
            parts.append(_rst_inline(inline_children(node)))
        elif node.type in ("code_block", "fence"):
            parts.append(rst_escape(" ".join(node.content.split())))
    return Safe(" ".join(part for part in parts if part))


def rst_shape(shape: Shape) -> Safe:
    """A type, the section it refers to and its qualifiers, in one line of RST."""
    text = str(_rst_text(shape.label))
    if shape.target is not None:
        text += f" ({rst_ref(shape.target)})"
    return Safe(text + "".join(f", {rst_escape(note)}" for note in shape.notes))


def rst_facts(facts: Iterable[Fact], shape: Shape | None = None) -> Safe:
    """Schema keywords (and a type, where a table has no Type column) as one RST paragraph."""
    parts = [f"Type: {rst_shape(shape)}"] if shape is not None else []
    for fact in facts:
        values = [_rst_literal(value) or rst_escape(value) for value in fact.values]
        parts.append(f"{_rst_text(fact.label)}: {', '.join(values)}")
    return Safe(". ".join(parts) + "." if parts else "")


def rst_fields_table(schema: SchemaView) -> Safe:
    """The docs' ``Parameter | Type | Description`` table of an object schema."""
    rows: list[list[list[str]]] = [
        [[_rst_text(field.name)], [_rst_text(field.shape.label)], _rst_cell(field.docs_description)]
        for field in schema.fields
    ]
    name = rst_escape(one_line(schema.name))
    title = f".. table:: **{name}** field description" if name else ".. table:: Field description"
    return Safe(
        "\n".join([title, "", *rst_grid(["Parameter", "Type", "Description"], rows, "   ")])
    )


def _described(description: str, facts: Iterable[Fact], shape: Shape) -> list[str]:
    return join_blocks([rst_lines(description), [rst_facts(facts, shape)]], [""])


def rst_parameters_table(operation: Operation) -> Safe:
    """The docs' URI parameter table. It has no Type column, as in the docs (a Type column would
    make the conformance check take it for a schema's table); the type ends the description."""
    rows: list[list[list[str]]] = [
        [
            [_rst_text(p.name)],
            [_rst_text(p.location)],
            ["Yes" if p.required else "No"],
            _described(p.description, p.facts, p.shape),
        ]
        for p in operation.parameters
    ]
    header = ["Parameter", "Location", "Mandatory", "Description"]
    return Safe("\n".join(rst_grid(header, rows)))


def rst_headers_table(response: Response) -> Safe:
    rows: list[list[list[str]]] = [
        [
            [_rst_text(h.name)],
            ["Yes" if h.required else "No"],
            _described(h.description, h.facts, h.shape),
        ]
        for h in response.headers
    ]
    return Safe("\n".join(rst_grid(["Header", "Mandatory", "Description"], rows)))


def rst_heading(value: object, char: str) -> Safe:
    title = _rst_text(value) or "(unnamed)"
    return Safe(f"{title}\n{char * max(_width(title), 4)}")


def rst_ref(link: Link) -> Safe:
    return Safe(f"`{rst_escape(link.label, label=True) or link.anchor} <{link.anchor}_>`__")


def rst_code(value: object) -> Safe:
    text = one_line(value)
    return Safe(_rst_literal(text) or rst_escape(text))


def rst_code_block(code: str) -> Safe:
    return Safe("\n".join([".. code-block::", "", *indent_lines(code.split("\n"), "   ", "   ")]))


def rst_block(text: str) -> Safe:
    return Safe("\n".join(rst_lines(text)))


@functools.cache
def _environment() -> jinja2.Environment:
    """An environment whose ``{{ }}`` escape RST markup."""
    env = environment().overlay(
        finalize=finalize_with(_rst_text), bytecode_cache=template_cache("rst")
    )
    env.filters = {
        **env.filters,
        "block": rst_block,
        "inline": rst_inline,
        "heading": rst_heading,
        "ref": rst_ref,
        "code": rst_code,
        "code_block": rst_code_block,
        "shape": rst_shape,
        "facts": rst_facts,
        "fields_table": rst_fields_table,
        "parameters_table": rst_parameters_table,
        "headers_table": rst_headers_table,
    }
    return env


def render_rst(reference: Reference, piece: Piece = whole_piece) -> str:
    return (
        _environment().get_template("docs/reference.rst.jinja").render(ref=reference, piece=piece)
    )
