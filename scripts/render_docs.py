"""Render the reference documentation of a bundled spec: one self-contained HTML page, GFM and RST.

Spec text is untrusted. It is cleaned once when the views are built (no control characters, no
bidi overrides), descriptions are parsed as CommonMark without raw HTML, images or unsafe links,
and every other value is escaped for its output: by Jinja's autoescaping in HTML, and by a
``finalize`` hook that escapes Markdown or reStructuredText markup in the other two. Templates
never see spec text that nobody escaped.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import http
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import jinja2
from docutils.utils import column_width
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from markupsafe import Markup

from scripts.conformance import docs_type
from scripts.methods import HTTP_METHODS
from scripts.pointers import resolve, split_pointer
from scripts.template_cache import template_cache
from scripts.templating import environment

# C0/C1 controls other than tab and newline could end a line of RST or Markdown early, or
# are invalid in HTML; line separators split lines for Python but not for readers; bidi
# overrides make text read differently from what it is; lone surrogates cannot be encoded.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SAFE_URL = re.compile(r"(?i)(?:https?://|mailto:)[^\s<>`\\]+\Z")
_OPTIONAL = "This field is optional."
_COMPONENT_SCHEMA = "#/components/schemas/"
_FACT_KEYWORDS = (
    ("enum", "Allowed values"),
    ("const", "Value"),
    ("default", "Default"),
    ("minimum", "Minimum"),
    ("exclusiveMinimum", "Greater than"),
    ("maximum", "Maximum"),
    ("exclusiveMaximum", "Less than"),
    ("multipleOf", "Multiple of"),
    ("minLength", "Minimum length"),
    ("maxLength", "Maximum length"),
    ("pattern", "Pattern"),
    ("minItems", "Minimum items"),
    ("maxItems", "Maximum items"),
    ("uniqueItems", "Unique items"),
    ("minProperties", "Minimum properties"),
    ("maxProperties", "Maximum properties"),
)
_COMPOSITIONS = (("oneOf", "One of"), ("anyOf", "Any of"), ("allOf", "All of"))
#: How deep inline object schemas are unfolded into tables of their own.
_MAX_DEPTH = 8


def clean(value: object) -> str:
    """Spec text as it may appear in any output: LF line ends, tabs expanded, unsafe characters
    replaced by U+FFFD so that they stay visible as something odd instead of acting."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub("\ufffd", text).expandtabs(4)


def _one_line(value: object) -> str:
    return " ".join(clean(value).split())


def _plain(value: Any) -> Any:
    """A YAML value as JSON can write it: keys as strings, dates and other scalars as text."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def pretty_json(value: Any) -> str:
    """``value`` as indented JSON; unsafe characters in strings become JSON escapes, so the text
    is still valid JSON for the same value."""
    text = json.dumps(_plain(value), indent=2, ensure_ascii=False)
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _value(value: Any) -> str:
    """A value of a schema keyword (default, enum member, ...) as one line of text."""
    if isinstance(value, str):
        return _one_line(value)
    return _one_line(json.dumps(_plain(value), ensure_ascii=False))


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
def _markdown() -> _Markdown:
    return _Markdown()


def _parse(text: str) -> list[Token]:
    """The tokens of a description, with headings turned into bold paragraphs: a heading inside
    a description would break the outline of the page around it."""
    tokens = _markdown().parse(text)
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


def markdown_html(text: str) -> Markup:
    """A description as HTML. markdown-it escapes all text and drops unsafe links, so its output
    is the one piece of HTML that is trusted without further escaping."""
    tokens = _parse(text)
    return Markup(_markdown().renderer.render(tokens, _markdown().options, {}))  # noqa: S704


def _tree(text: str) -> SyntaxTreeNode:
    return SyntaxTreeNode(_parse(text))


def _inline_children(node: SyntaxTreeNode) -> list[SyntaxTreeNode]:
    """The inline nodes of a paragraph."""
    return [child for inline in node.children for child in inline.children]


class Safe(str):
    """Text already escaped for the output it is in; ``finalize`` lets it through unchanged."""

    __slots__ = ()


# --- reStructuredText ---------------------------------------------------------------------------

# Characters that may come right before inline markup, and right after it (docutils' rules,
# restricted to ASCII; anything else gets an escaped space, which reads as nothing).
_RST_BEFORE = frozenset(" -:/'\"<([{")
_RST_AFTER = frozenset(" -.,:;!?\\/'\")]}>")
_RST_ENUMERATOR = re.compile(r"(?:\d+|[A-Za-z]|[IVXLCDMivxlcdm]+)[.)](?:\s|\Z)")


def rst_escape(text: str, *, label: bool = False) -> str:
    """One line of plain text with every character that could start RST markup escaped."""
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
        # a transition or a title adornment; an escaped space (which shows as nothing) breaks it.
        return line + "\\ "
    if not line or line.startswith("\\"):
        return line
    if not line[0].isalnum() or _RST_ENUMERATOR.match(line):
        return "\\" + line
    return line


def _rst_text(value: object) -> Safe:
    """Plain text (a name, a title) as one line of RST that shows it exactly."""
    return Safe(_rst_line_start(rst_escape(_one_line(value))))


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


def _indent(lines: list[str], first: str, rest: str) -> list[str]:
    return [(first if i == 0 else rest) + line if line else "" for i, line in enumerate(lines)]


def _join_blocks(blocks: Iterable[list[str]], separator: list[str]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if block:
            out += ([*separator, *block]) if out else block
    return out


def _rst_blocks(node: SyntaxTreeNode) -> list[str]:
    """The block children of ``node`` as RST lines, one line per paragraph."""
    return _join_blocks((_rst_block(child) for child in node.children), [""])


def _rst_block(node: SyntaxTreeNode) -> list[str]:
    if node.type == "paragraph":
        line = _rst_inline(_inline_children(node))
        return [line] if line else []
    if node.type in ("bullet_list", "ordered_list"):
        start = int(str(node.attrs.get("start", 1)))
        items = []
        for number, item in enumerate(node.children, start):
            marker = "- " if node.type == "bullet_list" else f"{number}. "
            items.append(_indent(_rst_blocks(item) or ["\\ "], marker, " " * len(marker)))
        return _join_blocks(items, [""])
    if node.type in ("code_block", "fence"):
        code = node.content.rstrip("\n")
        if not code.strip():
            return []
        return ["::", "", *_indent(code.split("\n"), "   ", "   ")]
    if node.type == "hr":
        return []  # a transition is not allowed inside a table cell or at a section's end
    if node.children:  # block quotes and anything else: their content, unquoted
        return _rst_blocks(node)
    line = _rst_line_start(rst_escape(" ".join(node.content.split())))
    return [line] if line else []


def rst_lines(text: str) -> list[str]:
    """A description as RST lines (paragraphs, lists, literal blocks)."""
    return _rst_blocks(_tree(clean(text)))


def rst_grid(
    header: Sequence[str], rows: Sequence[Sequence[Sequence[str]]], indent: str = ""
) -> list[str]:
    """A grid table: a header row of plain labels and rows of cells given as RST lines.

    Widths are docutils' own ``column_width``: wide East Asian characters count twice and
    combining characters not at all, or the table's right border would not line up for it.
    """
    table = [[[label] for label in header], *rows]
    widths = [
        max(column_width(line) for row in table for line in row[column]) or 1
        for column in range(len(header))
    ]

    def border(char: str) -> str:
        return indent + "+" + "+".join(char * (width + 2) for width in widths) + "+"

    def lines(cells: Sequence[Sequence[str]]) -> list[str]:
        return [
            indent
            + "|"
            + "|".join(
                f" {line}{' ' * (width - column_width(line))} "
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


# --- GitHub-flavoured Markdown ------------------------------------------------------------------

_MD_LINE_START = re.compile(r"(\d{1,9})([.)])(?=\s|\Z)")


def md_escape(text: str) -> str:
    """One line of plain text with every character that could start Markdown markup escaped
    (HTML, links, images, emphasis, code, tables, strikethrough, math, entities)."""
    out = []
    for index, char in enumerate(text):
        before, after = text[index - 1 : index] if index else "", text[index + 1 : index + 2]
        if (
            char in "\\`*[]<>|~$#!"
            or (char == "_" and not (before.isalnum() and after.isalnum()))
            or (char == "&" and (after.isalnum() or after == "#"))
        ):
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def _md_line_start(line: str) -> str:
    """Escape what would make a line a list item, heading, quote or setext underline."""
    if line[:1] in ("-", "+", "="):
        return "\\" + line
    match = _MD_LINE_START.match(line)
    if match:
        return match.group(1) + "\\" + line[match.end(1) :]
    return line


def md_code(code: str, *, cell: bool = False) -> str:
    """``code`` as a code span; in a table cell its pipes are escaped for the table."""
    code = " ".join(clean(code).split("\n"))
    if not code.strip():
        return md_escape(code)
    if cell:
        code = code.replace("|", "\\|")
    run = max((len(match) for match in re.findall("`+", code)), default=0)
    fence = "`" * (run + 1)
    pad = " " if code[0] == "`" or code[-1] == "`" or (code[0] == " " and code[-1] == " ") else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def _md_inline(nodes: Iterable[SyntaxTreeNode], cell: bool) -> str:
    out = ""
    for node in nodes:
        if node.type == "text":
            out += md_escape(node.content)
        elif node.type in ("softbreak", "hardbreak"):
            out += " "
        elif node.type == "code_inline":
            out += md_code(node.content, cell=cell)
        elif node.type in ("em", "strong", "link"):
            inner = _md_inline(node.children, cell)
            stripped = inner.strip()
            if not stripped:
                out += inner
                continue
            lead, tail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()) :]
            if node.type == "link":
                markup = f"[{stripped}](<{node.attrs.get('href', '')}>)"
            else:
                mark = "*" if node.type == "em" else "**"
                markup = f"{mark}{stripped}{mark}"
            out += lead + markup + tail
        else:
            out += _md_inline(node.children, cell)
    return out


def _md_blocks(node: SyntaxTreeNode) -> list[str]:
    return _join_blocks((_md_block(child) for child in node.children), [""])


def _md_block(node: SyntaxTreeNode) -> list[str]:
    if node.type == "paragraph":
        line = _md_line_start(_md_inline(_inline_children(node), False).strip())
        return [line] if line else []
    if node.type in ("bullet_list", "ordered_list"):
        start = int(str(node.attrs.get("start", 1)))
        items = []
        for number, item in enumerate(node.children, start):
            marker = "- " if node.type == "bullet_list" else f"{number}. "
            items.append(_indent(_md_blocks(item) or [""], marker, " " * len(marker)))
        tight = all(
            child.type != "paragraph" or child.hidden
            for item in node.children
            for child in item.children
        )
        return _join_blocks(items, [] if tight else [""])
    if node.type in ("code_block", "fence"):
        return md_fence(node.content.rstrip("\n")).split("\n")
    if node.type == "blockquote":
        return [f"> {line}" if line else ">" for line in _md_blocks(node)]
    if node.type == "hr":
        return ["---"]
    if node.children:
        return _md_blocks(node)
    line = _md_line_start(md_escape(" ".join(node.content.split())))
    return [line] if line else []


def md_fence(code: str, info: str = "") -> str:
    """A fenced code block that no line of ``code`` can close early."""
    run = max((len(match) for match in re.findall("`+", code)), default=0)
    fence = "`" * max(3, run + 1)
    return f"{fence}{info}\n{code}\n{fence}"


def md_block(text: object) -> Safe:
    """A description as Markdown blocks."""
    return Safe("\n".join(_md_blocks(_tree(clean(text)))))


def md_cell(text: object) -> Safe:
    """A description in one table cell: blocks joined by line breaks, pipes escaped."""
    parts: list[str] = []

    def flatten(node: SyntaxTreeNode, prefix: str) -> None:
        for child in node.children:
            if child.type == "paragraph":
                parts.append(prefix + _md_inline(_inline_children(child), True).strip())
            elif child.type in ("bullet_list", "ordered_list"):
                start = int(str(child.attrs.get("start", 1)))
                for number, item in enumerate(child.children, start):
                    mark = "• " if child.type == "bullet_list" else f"{number}. "
                    flatten(item, prefix + mark)
            elif child.type in ("code_block", "fence"):
                parts.extend(
                    prefix + md_code(line, cell=True) for line in child.content.split("\n")
                )
            elif child.children:
                flatten(child, prefix)
            elif child.content.strip():
                parts.append(prefix + md_escape(" ".join(child.content.split())))

    flatten(_tree(clean(text)), "")
    return Safe("<br>".join(part for part in parts if part.strip()))


def md_text(value: object) -> Safe:
    """Plain text as one line of Markdown, safe in a paragraph, a heading or a table cell."""
    return Safe(_md_line_start(md_escape(_one_line(value))))


# --- Views --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A section of the documentation: what it is called and its anchor."""

    label: str
    anchor: str


@dataclass(frozen=True)
class Shape:
    """The type of a value as the docs spell it, the section it refers to, and qualifiers."""

    label: str
    target: Link | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fact:
    """A keyword of a schema worth telling the reader, with its values (shown as code)."""

    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Example:
    name: str
    summary: str
    description: str
    json: str
    external: str


@dataclass(frozen=True)
class Field:
    """A property of an object schema: one row of its table."""

    name: str
    shape: Shape
    required: bool
    description: str
    facts: tuple[Fact, ...]

    @property
    def docs_description(self) -> str:
        """The description as the docs write it: an optional field says so in its last line."""
        if self.required or _OPTIONAL in self.description:
            return self.description
        return f"{self.description}\n\n{_OPTIONAL}" if self.description.strip() else _OPTIONAL


@dataclass(frozen=True)
class Composition:
    kind: str
    options: tuple[Shape, ...]


@dataclass(frozen=True)
class SchemaView:
    """A schema with a section (a component) or a table of its own (an inline object)."""

    name: str
    anchor: str
    description: str
    shape: Shape
    fields: tuple[Field, ...]
    facts: tuple[Fact, ...]
    compositions: tuple[Composition, ...]
    examples: tuple[Example, ...]
    nested: tuple[SchemaView, ...]
    search: str


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    shape: Shape
    description: str
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class Media:
    """One media type of a body: its schema (linked, or as an inline table) and examples."""

    media_type: str
    shape: Shape | None
    schema: SchemaView | None
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class Body:
    required: bool
    description: str
    media: tuple[Media, ...]


@dataclass(frozen=True)
class Header:
    name: str
    required: bool
    shape: Shape
    description: str
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class ResponseLink:
    """An OpenAPI link: the operation a response leads to, and how its parameters are filled."""

    name: str
    operation: str
    target: Link | None
    parameters: tuple[tuple[str, str], ...]
    description: str


@dataclass(frozen=True)
class Response:
    status: str
    reason: str
    description: str
    headers: tuple[Header, ...]
    media: tuple[Media, ...]
    links: tuple[ResponseLink, ...]

    @property
    def family(self) -> str:
        """``2xx``, ``4xx``, ... for styling; ``other`` for ``default``."""
        return f"{self.status[0]}xx" if self.status[:1] in "12345" and self.status else "other"


@dataclass(frozen=True)
class Operation:
    anchor: str
    operation_id: str
    method: str
    path: str
    summary: str
    description: str
    deprecated: bool
    security: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    body: Body | None
    responses: tuple[Response, ...]
    search: str

    @property
    def title(self) -> str:
        return self.summary or self.operation_id or f"{self.method} {self.path}"

    @property
    def link(self) -> Link:
        return Link(self.title, self.anchor)


@dataclass(frozen=True)
class Tag:
    """A group of operations: those it lists in the navigation, and those whose section it holds
    (an operation with several tags has its section under the first)."""

    name: str
    anchor: str
    description: str
    entries: tuple[Operation, ...]
    operations: tuple[Operation, ...]

    @property
    def elsewhere(self) -> tuple[Operation, ...]:
        """The operations of this group whose section is under another group."""
        here = {op.anchor for op in self.operations}
        return tuple(op for op in self.entries if op.anchor not in here)


@dataclass(frozen=True)
class ServerVariable:
    name: str
    default: str
    values: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Server:
    url: str
    description: str
    variables: tuple[ServerVariable, ...]


@dataclass(frozen=True)
class Scheme:
    """A security scheme: ``kind`` says what it is, ``where`` where the credential goes."""

    name: str
    anchor: str
    kind: str
    where: str
    parameter: str
    description: str


@dataclass(frozen=True)
class Reference:
    """Everything the three outputs show, in the order they show it."""

    title: str
    version: str
    openapi: str
    description: str
    servers: tuple[Server, ...]
    schemes: tuple[Scheme, ...]
    tags: tuple[Tag, ...]
    schemas: tuple[SchemaView, ...]


class _Anchors:
    """Unique, stable anchors made of lowercase letters, digits and hyphens (RST compares target
    names without case, so anchors must differ in more than case)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def new(self, prefix: str, name: str) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "unnamed"
        anchor, number = f"{prefix}-{slug}", 2
        while anchor in self.used:
            anchor, number = f"{prefix}-{slug}-{number}", number + 1
        self.used.add(anchor)
        return anchor


def _kind(schema: Any) -> str | None:
    kinds = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(kinds, list):
        kinds = next((kind for kind in kinds if kind != "null"), None)
    return kinds if isinstance(kinds, str) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


class _Builder:
    """Turns the bundled spec into views; resolves internal references on the way."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.anchors = _Anchors()
        schemas = _dict(_dict(data.get("components")).get("schemas"))
        self.schema_links = {
            str(name): Link(clean(name), self.anchors.new("schema", str(name))) for name in schemas
        }

    def resolve(self, node: Any) -> Any:
        """``node`` with internal references followed; {} for a reference that goes nowhere."""
        found = resolve(self.data, node)
        return {} if found is None else found

    def component(self, node: Any) -> Link | None:
        """The schema section ``node`` refers to, when it is a reference to a component."""
        ref = node.get("$ref") if isinstance(node, dict) else None
        if isinstance(ref, str) and ref.startswith(_COMPONENT_SCHEMA):
            tokens = split_pointer(unquote(ref[1:]))
            if len(tokens) == 3:
                return self.schema_links.get(tokens[2])
        return None

    # -- schemas

    def shape(self, schema: Any, target: Link | None = None) -> Shape:
        node, found = schema, None
        for _ in range(_MAX_DEPTH):  # a component, or the component of an array's items
            found = self.component(node)
            resolved = _dict(self.resolve(node))
            if found is not None or _kind(resolved) != "array":
                break
            node = resolved.get("items")
        notes: list[str] = []
        for part in (_dict(schema), _dict(self.resolve(schema))):
            kinds = part.get("type")
            if "format" in part:
                notes.append(_one_line(part["format"]))
            if (isinstance(kinds, list) and "null" in kinds) or part.get("nullable") is True:
                notes.append("nullable")
            notes += [
                label
                for key, label in (
                    ("deprecated", "deprecated"),
                    ("readOnly", "read-only"),
                    ("writeOnly", "write-only"),
                )
                if part.get(key) is True
            ]
        return Shape(
            label=docs_type(self.data, self.typed(schema)),
            target=target or found,
            notes=tuple(dict.fromkeys(notes)),
        )

    def typed(self, schema: Any, depth: int = 0) -> Any:
        """``schema`` with the references that decide its type (its own, its items') followed,
        so that ``docs_type`` reads only local keywords."""
        resolved = self.resolve(schema)
        if depth < _MAX_DEPTH and isinstance(resolved, dict) and _kind(resolved) == "array":
            return {**resolved, "items": self.typed(resolved.get("items", {}), depth + 1)}
        return resolved

    def facts(self, schema: Any, extra: Iterable[Fact] = ()) -> tuple[Fact, ...]:
        """What a reader should know beyond the type. A reference to a component keeps only
        the keywords beside it: the component's own are told in its section."""
        part = _dict(schema)
        keywords = part if "$ref" in part else _dict(self.resolve(schema))
        found = [*extra]
        for key, label in _FACT_KEYWORDS:
            if key in keywords:
                value = keywords[key]
                values = value if key == "enum" and isinstance(value, list) else [value]
                found.append(Fact(label, tuple(_value(item) for item in values)))
        return tuple(found)

    def example_fact(self, *sources: Any) -> tuple[Fact, ...]:
        """The first example of the first source that has one, when it fits in a table cell (a
        scalar); the example of a referenced component is told in the component's section."""
        for source in sources:
            part = _dict(source)
            if "$ref" in part:
                continue
            found: list[Any] = _list(part.get("examples"))[:1]
            if "example" in part:
                found.append(part["example"])
            for example in _dict(part.get("examples")).values():
                found += [
                    value for key, value in _dict(self.resolve(example)).items() if key == "value"
                ]
            if found:
                scalar = found[0] is None or isinstance(found[0], (str, int, float, bool))
                return (Fact("Example", (_value(found[0]),)),) if scalar else ()
        return ()

    def _inline_object(self, schema: Any) -> dict[str, Any] | None:
        """The object schema to unfold into a table of its own: an inline object (or an array
        of them) with properties or a composition, never a component."""
        node = schema
        for _ in range(_MAX_DEPTH):
            if self.component(node) is not None:
                return None
            resolved = _dict(self.resolve(node))
            if _kind(resolved) == "array":
                node = resolved.get("items")
                continue
            has_shape = "properties" in resolved or any(key in resolved for key, _ in _COMPOSITIONS)
            return resolved if has_shape else None
        return None

    def schema_view(self, name: str, anchor: str, schema: Any, depth: int = 0) -> SchemaView:
        resolved = _dict(self.resolve(schema))
        fields: list[Field] = []
        nested: list[SchemaView] = []
        # The own properties and those of inline allOf members form one table; referenced
        # members are listed as compositions and keep their own section.
        parts = [resolved, *(m for m in _list(resolved.get("allOf")) if self.component(m) is None)]
        required: set[str] = set()
        seen: set[str] = set()
        for part in parts:
            part = _dict(self.resolve(part))
            required |= {str(item) for item in _list(part.get("required"))}
        for part in parts:
            part = _dict(self.resolve(part))
            for key, prop in _dict(part.get("properties")).items():
                if str(key) in seen:
                    continue
                seen.add(str(key))
                target = None
                inline = self._inline_object(prop) if depth < _MAX_DEPTH else None
                if inline is not None:
                    child_name = f"{name}.{clean(key)}"
                    child = self.schema_view(
                        child_name, self.anchors.new("schema", child_name), inline, depth + 1
                    )
                    nested.append(child)
                    target = Link(child.name, child.anchor)
                description = _dict(prop).get(
                    "description", _dict(self.resolve(prop)).get("description", "")
                )
                fields.append(
                    Field(
                        name=clean(key),
                        shape=self.shape(prop, target),
                        required=str(key) in required,
                        description=clean(description),
                        facts=self.facts(prop, self.example_fact(prop)),
                    )
                )
        compositions = []
        for key, kind in _COMPOSITIONS:
            options = []
            for number, option in enumerate(_list(resolved.get(key)), 1):
                if key == "allOf" and self.component(option) is None:
                    continue  # merged into the table above
                target = None
                inline = self._inline_object(option) if depth < _MAX_DEPTH else None
                if inline is not None:
                    child_name = f"{name} ({kind.lower()}, option {number})"
                    child = self.schema_view(
                        child_name, self.anchors.new("schema", child_name), inline, depth + 1
                    )
                    nested.append(child)
                    target = Link(child.name, child.anchor)
                options.append(self.shape(option, target))
            if options:
                compositions.append(Composition(kind, tuple(options)))
        values = _list(resolved.get("examples"))
        if "example" in resolved:  # OpenAPI 3.0's single example
            values = [*values, resolved["example"]]
        examples = [Example("", "", "", pretty_json(value), "") for value in values]
        title = _one_line(resolved.get("title", ""))
        search = " ".join([name, title, *(f.name for f in fields)])
        return SchemaView(
            name=name,
            anchor=anchor,
            description=clean(resolved.get("description", "")),
            shape=self.shape(schema),
            fields=tuple(fields),
            facts=self.facts(resolved),
            compositions=tuple(compositions),
            examples=tuple(examples),
            nested=tuple(nested),
            search=_one_line(search).lower(),
        )

    # -- operations

    def examples(self, holder: dict[str, Any]) -> tuple[Example, ...]:
        """The examples of a media type object (``examples`` map, then ``example``)."""
        found = []
        for name, raw in _dict(holder.get("examples")).items():
            example = _dict(self.resolve(raw))
            found.append(
                Example(
                    name=_one_line(name),
                    summary=_one_line(example.get("summary", "")),
                    description=clean(example.get("description", "")),
                    json=pretty_json(example["value"]) if "value" in example else "",
                    external=_one_line(example.get("externalValue", "")),
                )
            )
        if "example" in holder:
            found.append(Example("", "", "", pretty_json(holder["example"]), ""))
        return tuple(found)

    def media(self, content: Any, owner: str) -> tuple[Media, ...]:
        found = []
        for media_type, raw in _dict(content).items():
            media = _dict(self.resolve(raw))
            schema = media.get("schema")
            view = None
            if schema is not None and self._inline_object(schema) is not None:
                name = f"{owner} ({_one_line(media_type)})" if len(_dict(content)) > 1 else owner
                view = self.schema_view(name, self.anchors.new("schema", name), schema)
            found.append(
                Media(
                    media_type=_one_line(media_type),
                    shape=None
                    if schema is None
                    else self.shape(schema, Link(view.name, view.anchor) if view else None),
                    schema=view,
                    examples=self.examples(media),
                )
            )
        return tuple(found)

    def parameter(self, raw: Any) -> Parameter | None:
        parameter = _dict(self.resolve(raw))
        if "name" not in parameter:
            return None
        schema = parameter.get("schema")
        if schema is None:  # a parameter described by a media type instead of a schema
            schema = next(
                (_dict(m).get("schema") for m in _dict(parameter.get("content")).values()), {}
            )
        location = _one_line(parameter.get("in", ""))
        return Parameter(
            name=_one_line(parameter["name"]),
            location=location,
            required=parameter.get("required") is True or location == "path",
            shape=self.shape(schema),
            description=clean(parameter.get("description", "")),
            facts=self.facts(schema, self.example_fact(parameter, schema, self.resolve(schema))),
        )

    def response(self, status: str, raw: Any, owner: str, operations: dict[str, Link]) -> Response:
        response = _dict(self.resolve(raw))
        headers = []
        for name, header_raw in _dict(response.get("headers")).items():
            header = _dict(self.resolve(header_raw))
            schema = header.get("schema", {})
            headers.append(
                Header(
                    name=_one_line(name),
                    required=header.get("required") is True,
                    shape=self.shape(schema),
                    description=clean(header.get("description", "")),
                    facts=self.facts(
                        schema, self.example_fact(header, schema, self.resolve(schema))
                    ),
                )
            )
        links = []
        for name, link_raw in _dict(response.get("links")).items():
            link = _dict(self.resolve(link_raw))
            operation = _one_line(link.get("operationId", link.get("operationRef", "")))
            links.append(
                ResponseLink(
                    name=_one_line(name),
                    operation=operation,
                    target=operations.get(str(link.get("operationId"))),
                    parameters=tuple(
                        (_one_line(key), _value(value))
                        for key, value in _dict(link.get("parameters")).items()
                    ),
                    description=clean(link.get("description", "")),
                )
            )
        if status.isdigit():
            try:
                reason = http.HTTPStatus(int(status)).phrase
            except ValueError:
                reason = ""
        elif status.lower() == "default":
            reason = "Any other status"
        else:
            reason = f"Any {status.lower()} status"
        return Response(
            status=status,
            reason=reason,
            description=clean(response.get("description", "")),
            headers=tuple(headers),
            media=self.media(response.get("content"), f"{owner} {status} response"),
            links=tuple(links),
        )

    def security(self, requirements: Any) -> tuple[str, ...]:
        """The ways to authenticate, each a scheme or schemes used together; ``none`` for an
        explicit empty list, nothing when the spec does not say."""
        if requirements == []:
            return ("none",)
        alternatives = []
        for requirement in _list(requirements):
            names = [_one_line(name) for name in _dict(requirement)]
            alternatives.append(" and ".join(names) if names else "none")
        return tuple(alternatives)

    def operations(self) -> list[tuple[Operation, list[str]]]:
        """Every operation with its tags, in the spec's order."""
        found: list[tuple[dict[str, Any], str, str, Any, str]] = []
        operation_links: dict[str, Link] = {}
        for path, raw_item in _dict(self.data.get("paths")).items():
            item = _dict(self.resolve(raw_item))
            for method in HTTP_METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict):
                    continue
                operation_id = _one_line(operation.get("operationId", ""))
                label = operation_id or f"{method.upper()} {_one_line(path)}"
                anchor = self.anchors.new("operation", label)
                found.append((operation, method, str(path), item.get("parameters"), anchor))
                if operation_id:
                    operation_links.setdefault(operation_id, Link(label, anchor))
        views = []
        for operation, method, path, shared, anchor in found:
            parameters: dict[tuple[str, str], Parameter] = {}
            for raw in [*_list(shared), *_list(operation.get("parameters"))]:
                view = self.parameter(raw)
                if view is not None:
                    parameters[(view.location, view.name)] = view
            operation_id = _one_line(operation.get("operationId", ""))
            summary = _one_line(operation.get("summary", ""))
            owner = operation_id or summary or f"{method.upper()} {path}"
            body = None
            if "requestBody" in operation:
                raw_body = _dict(self.resolve(operation["requestBody"]))
                body = Body(
                    required=raw_body.get("required") is True,
                    description=clean(raw_body.get("description", "")),
                    media=self.media(raw_body.get("content"), f"{owner} request body"),
                )
            responses = tuple(
                self.response(_one_line(status), raw, owner, operation_links)
                for status, raw in _dict(operation.get("responses")).items()
            )
            tags = [_one_line(tag) for tag in _list(operation.get("tags"))]
            security = operation.get("security", self.data.get("security"))
            search = " ".join([operation_id, method, _one_line(path), summary, *tags])
            views.append(
                (
                    Operation(
                        anchor=anchor,
                        operation_id=operation_id,
                        method=method.upper(),
                        path=_one_line(path),
                        summary=summary,
                        description=clean(operation.get("description", "")),
                        deprecated=operation.get("deprecated") is True,
                        security=self.security(security),
                        parameters=tuple(parameters.values()),
                        body=body,
                        responses=responses,
                        search=search.lower(),
                    ),
                    tags,
                )
            )
        return views

    def tags(self, operations: list[tuple[Operation, list[str]]]) -> tuple[Tag, ...]:
        declared = {
            _one_line(_dict(tag).get("name", "")): clean(_dict(tag).get("description", ""))
            for tag in _list(self.data.get("tags"))
        }
        order = list(declared)
        for _, tags in operations:
            order += [tag for tag in tags if tag not in order]
        untagged = "Operations" if not order else "Other operations"
        if any(not tags for _, tags in operations) and untagged not in order:
            order.append(untagged)
        result = []
        for name in order:
            entries = [
                op for op, tags in operations if name in tags or (not tags and name == untagged)
            ]
            if not entries:
                continue
            sections = [op for op, tags in operations if (tags[0] if tags else untagged) == name]
            result.append(
                Tag(
                    name=name,
                    anchor=self.anchors.new("tag", name),
                    description=declared.get(name, ""),
                    entries=tuple(entries),
                    operations=tuple(sections),
                )
            )
        return tuple(result)

    def servers(self) -> tuple[Server, ...]:
        servers = []
        for raw in _list(self.data.get("servers")):
            server = _dict(raw)
            variables = tuple(
                ServerVariable(
                    name=_one_line(name),
                    default=_value(_dict(variable).get("default", "")),
                    values=tuple(_value(v) for v in _list(_dict(variable).get("enum"))),
                    description=clean(_dict(variable).get("description", "")),
                )
                for name, variable in _dict(server.get("variables")).items()
            )
            servers.append(
                Server(
                    url=_one_line(server.get("url", "")),
                    description=clean(server.get("description", "")),
                    variables=variables,
                )
            )
        return tuple(servers)

    def schemes(self) -> tuple[Scheme, ...]:
        kinds = {
            "apiKey": "API key",
            "oauth2": "OAuth 2.0",
            "openIdConnect": "OpenID Connect",
            "mutualTLS": "Mutual TLS",
        }
        schemes = []
        raw_schemes = _dict(_dict(self.data.get("components")).get("securitySchemes"))
        for name, raw in raw_schemes.items():
            scheme = _dict(self.resolve(raw))
            kind = str(scheme.get("type", ""))
            label, where, parameter = kinds.get(kind, _one_line(kind)), "", ""
            if kind == "apiKey":
                location = _one_line(scheme.get("in", ""))
                where = "query parameter" if location == "query" else location
                parameter = _one_line(scheme.get("name", ""))
            elif kind == "http":
                label = f"HTTP {_one_line(scheme.get('scheme', ''))} authentication"
                where = "Authorization header"
            schemes.append(
                Scheme(
                    name=_one_line(name),
                    anchor=self.anchors.new("security", str(name)),
                    kind=label,
                    where=where,
                    parameter=parameter,
                    description=clean(scheme.get("description", "")),
                )
            )
        return tuple(schemes)

    def reference(self) -> Reference:
        info = _dict(self.data.get("info"))
        schemas = _dict(_dict(self.data.get("components")).get("schemas"))
        schema_views = tuple(
            self.schema_view(link.label, link.anchor, schemas[name])
            for name, link in self.schema_links.items()
        )
        operations = self.operations()
        return Reference(
            title=_one_line(info.get("title", "")) or "API reference",
            version=_one_line(info.get("version", "")),
            openapi=_one_line(self.data.get("openapi", "")),
            description=clean(info.get("description", "")),
            servers=self.servers(),
            schemes=self.schemes(),
            tags=self.tags(operations),
            schemas=schema_views,
        )


# --- Outputs ------------------------------------------------------------------------------------


def _rst_cell(text: str) -> list[str]:
    return rst_lines(text) or [""]


def rst_inline(text: object) -> Safe:
    """A description inside a line of RST: its paragraphs joined, other blocks as plain text."""
    parts: list[str] = []
    for node in _tree(clean(text)).walk():
        if node.type == "paragraph":
            parts.append(_rst_inline(_inline_children(node)))
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
    name = rst_escape(_one_line(schema.name))
    title = f".. table:: **{name}** field description" if name else ".. table:: Field description"
    return Safe(
        "\n".join([title, "", *rst_grid(["Parameter", "Type", "Description"], rows, "   ")])
    )


def _described(description: str, facts: Iterable[Fact], shape: Shape) -> list[str]:
    return _join_blocks([rst_lines(description), [rst_facts(facts, shape)]], [""])


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
    return Safe(f"{title}\n{char * max(column_width(title), 4)}")


def rst_ref(link: Link) -> Safe:
    return Safe(f"`{rst_escape(link.label, label=True) or link.anchor} <{link.anchor}_>`__")


def rst_code(value: object) -> Safe:
    text = _one_line(value)
    return Safe(_rst_literal(text) or rst_escape(text))


def rst_code_block(code: str) -> Safe:
    return Safe("\n".join([".. code-block::", "", *_indent(code.split("\n"), "   ", "   ")]))


def rst_block(text: str) -> Safe:
    return Safe("\n".join(rst_lines(text)))


def md_shape(shape: Shape) -> Safe:
    """A type, the section it refers to and its qualifiers, for a table cell."""
    text = str(md_text(shape.label))
    if shape.target is not None:
        text += f" ([{md_escape(shape.target.label)}](#{shape.target.anchor}))"
    return Safe(text + "".join(f", {md_escape(note)}" for note in shape.notes))


def md_describe(description: str, facts: Iterable[Fact]) -> Safe:
    """A description and the schema keywords worth telling, in one table cell."""
    lines = [str(md_cell(description))] if description.strip() else []
    for fact in facts:
        values = ", ".join(md_code(value, cell=True) for value in fact.values)
        lines.append(f"{md_escape(fact.label)}: {values}")
    return Safe("<br>".join(lines))


def _finalize(escape: Callable[[object], Safe]) -> Callable[[Any], Any]:
    """Escape what a template prints unless a filter made it markup (Safe) or the template
    marked a macro's output, whose values were escaped inside the macro, as ``safe``."""

    def finalize(value: Any) -> Any:
        return value if isinstance(value, (Safe, Markup)) else escape(value)

    return finalize


@functools.cache
def _environment(kind: str) -> jinja2.Environment:
    """The HTML environment (autoescaped) or a Markdown or RST one whose ``{{ }}`` escape."""
    if kind == "html":
        env = environment(html=True).overlay()
        env.filters = {**env.filters, "markdown": markdown_html}
        return env
    extra: dict[str, Callable[..., Any]]
    if kind == "md":
        env = environment().overlay(
            finalize=_finalize(md_text), bytecode_cache=template_cache("md")
        )
        extra = {
            "block": md_block,
            "cell": md_cell,
            "code": lambda value, cell=False: Safe(md_code(_one_line(value), cell=cell)),
            "fence": lambda code, info="": Safe(md_fence(code, info)),
            "shape": md_shape,
            "describe": md_describe,
            "heading": lambda value, level: Safe("#" * level + " " + md_text(value)),
        }
    else:
        env = environment().overlay(
            finalize=_finalize(_rst_text), bytecode_cache=template_cache("rst")
        )
        extra = {
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
    env.filters = {**env.filters, **extra}
    return env


def _static(name: str) -> str:
    """A static file of the page (CSS or JavaScript), read as it is."""
    loader = environment(html=True).loader
    assert loader is not None
    return loader.get_source(environment(html=True), f"docs/{name}")[0]


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def render_docs(data: dict[str, Any]) -> dict[str, bytes]:
    """The reference documentation of the bundled spec ``data``, by path relative to OUT."""
    reference = _Builder(data).reference()
    style, script = _static("page.css"), _static("page.js")
    html = (
        _environment("html")
        .get_template("docs/index.html.jinja")
        .render(
            ref=reference,
            # Our own static text, not spec text; the page's policy allows exactly these two.
            style=Markup(style),  # noqa: S704
            script=Markup(script),  # noqa: S704
            style_hash=_csp_hash(style),
            script_hash=_csp_hash(script),
        )
    )
    markdown = _environment("md").get_template("docs/reference.md.jinja").render(ref=reference)
    rst = _environment("rst").get_template("docs/reference.rst.jinja").render(ref=reference)
    return {
        "docs/index.html": html.encode(),
        "docs/reference.md": markdown.encode(),
        "docs/reference.rst": rst.encode(),
    }
