"""Render the reference documentation as GitHub-flavoured Markdown."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import jinja2
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
from scripts.docs_view import Fact, Reference, Shape, clean, one_line
from scripts.template_cache import template_cache
from scripts.templating import environment

# --- GitHub-flavoured Markdown ------------------------------------------------------------------

_MD_LINE_START = re.compile(r"(\d{1,9})([.)])(?=\s|\Z)")


#: Every character :func:`md_escape` may escape.
_MD_MARKUP = re.compile(r"[\\`*\[\]<>|~$#!_&]")


def md_escape(text: str) -> str:
    """One line of plain text with every character that could start Markdown markup escaped
    (HTML, links, images, emphasis, code, tables, strikethrough, math, entities)."""
    if _MD_MARKUP.search(text) is None:
        return text  # nothing to escape: most text, and most of the time this function takes
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
    return join_blocks((_md_block(child) for child in node.children), [""])


def _md_block(node: SyntaxTreeNode) -> list[str]:
    if node.type == "paragraph":
        line = _md_line_start(_md_inline(inline_children(node), False).strip())
        return [line] if line else []
    if node.type in ("bullet_list", "ordered_list"):
        start = int(str(node.attrs.get("start", 1)))
        items = []
        for number, item in enumerate(node.children, start):
            marker = "- " if node.type == "bullet_list" else f"{number}. "
            items.append(indent_lines(_md_blocks(item) or [""], marker, " " * len(marker)))
        tight = all(
            child.type != "paragraph" or child.hidden
            for item in node.children
            for child in item.children
        )
        return join_blocks(items, [] if tight else [""])
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


@per_text
def md_block(text: str) -> Safe:
    """A description as Markdown blocks."""
    return Safe("\n".join(_md_blocks(parse_tree(text))))


@per_text
def md_cell(text: str) -> Safe:
    """A description in one table cell: blocks joined by line breaks, pipes escaped."""
    parts: list[str] = []

    def flatten(node: SyntaxTreeNode, prefix: str) -> None:
        for child in node.children:
            if child.type == "paragraph":
                parts.append(prefix + _md_inline(inline_children(child), True).strip())
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

    flatten(parse_tree(text), "")
    return Safe("<br>".join(part for part in parts if part.strip()))


def md_text(value: object) -> Safe:
    """Plain text as one line of Markdown, safe in a paragraph, a heading or a table cell."""
    return Safe(_md_line_start(md_escape(one_line(value))))


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


@functools.cache
def _environment() -> jinja2.Environment:
    """An environment whose ``{{ }}`` escape Markdown markup."""
    env = environment().overlay(
        finalize=finalize_with(md_text), bytecode_cache=template_cache("md")
    )
    env.filters = {
        **env.filters,
        "block": md_block,
        "cell": md_cell,
        "code": lambda value, cell=False: Safe(md_code(one_line(value), cell=cell)),
        "fence": lambda code, info="": Safe(md_fence(code, info)),
        "shape": md_shape,
        "describe": md_describe,
        "heading": lambda value, level: Safe("#" * level + " " + md_text(value)),
    }
    return env


def render_markdown(reference: Reference, piece: Piece = whole_piece) -> str:
    return _environment().get_template("docs/reference.md.jinja").render(ref=reference, piece=piece)
