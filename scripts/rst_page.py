"""Read reStructuredText API reference pages into tables, sections, links and examples with lines.

This is the one page reader of the tools that read docs pages (``make conformance``,
``make import``). It reads the conventions of the pages that Open Telekom Cloud generates from
HTML: grid and simple tables, usually under a ``.. table:: **Table N** title`` directive; cells
that reach further tables through ``:ref:`` links; cells split into "Definition / Constraints /
Range / Default Value" blocks; ``.. code-block::`` examples that put the request line and the
JSON body together; tables of returned status codes. Everything it returns carries its line.

It never raises on page content: what it cannot read is a :class:`DocsProblem` in
``Page.problems``. Only an unreadable file is an ``OSError``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docutils.core
import docutils.nodes
from docutils.parsers.rst import roles

from scripts.problems import display_path

#: The parts a newer cell is split into, in the order the pages write them.
PART_NAMES = ("Definition", "Constraints", "Range", "Default Value")
#: HTTP methods a request line or a URI section may start with.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")

_METHOD = "(" + "|".join(METHODS) + ")"
_REQUEST_LINE = re.compile(_METHOD + r"\s+(\S+)\s*$")
_URI_LINE = re.compile("^" + _METHOD + r" /\S*\s*$", re.MULTILINE)
_LABEL = re.compile(r"^\s*\.\. _([^:`][^:]*):\s*$")
_ORIGINAL_NAME = re.compile(r"^:original_name:\s*(en-us_topic_\d+)", re.IGNORECASE)
_TOPIC_IN_LABEL = re.compile(r"en-?us_?topic_?(\d{6,})", re.IGNORECASE)
_CODE_BLOCK = re.compile(r"^(\s*)\.\. (?:code-block|code|sourcecode)::")
_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+<>:._])\1{2,}\s*$")
_ROLE_TARGET = re.compile(r"^(.*?)\s*<([^<>]+)>\s*$", re.DOTALL)
_SETTINGS = {
    "report_level": 5,
    "halt_level": 5,
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "warning_stream": False,
    "input_encoding": "utf-8",
}


@dataclass(frozen=True)
class DocsProblem:
    """Something on a page that could not be read as the conventions say, with its line."""

    path: Path
    line: int
    message: str

    def format(self, kind: str = "warning") -> str:
        """``FILE:LINE: kind: message``, the located form every tool prints."""
        return f"{display_path(self.path)}:{self.line}: {kind}: {self.message}"


@dataclass(frozen=True)
class Ref:
    """A ``:ref:`` link (or an in-page ``#anchor`` link): its visible text and target label."""

    label: str
    text: str
    line: int


@dataclass(frozen=True)
class Cell:
    """One table cell: its text with markup reduced to what a reader sees, its links, and its
    Definition / Constraints / Range / Default Value parts when it is written that way."""

    text: str
    line: int
    refs: tuple[Ref, ...] = ()
    parts: tuple[tuple[str, str], ...] = ()
    #: The values that start every bullet of the cell in bold (``- **SUCCESS**: ...``), in order.
    bold_items: tuple[str, ...] = ()
    #: The bold words of a Range part that is one sentence ("can be **PER** or **WHOLE**").
    range_bold: tuple[str, ...] = ()

    def part(self, name: str) -> str | None:
        """The text of one part ("Definition", "Range", ...), or None when the cell lacks it."""
        return dict(self.parts).get(name)

    @property
    def definition(self) -> str:
        """What the cell says the thing is: its Definition part, or all of it."""
        return self.part("Definition") or ("" if self.parts else self.text)


@dataclass(frozen=True)
class Row:
    """One table row: its cells by column name, with the usual columns as properties."""

    line: int
    cells: tuple[tuple[str, Cell], ...]

    def cell(self, column: str) -> Cell | None:
        """The cell of a column, matched without regard to case."""
        wanted = column.lower()
        return next((cell for name, cell in self.cells if name.lower() == wanted), None)

    @property
    def name(self) -> str:
        """The first column's text: the parameter (or status code) the row is about."""
        return self.cells[0][1].text if self.cells else ""

    @property
    def type(self) -> str | None:
        cell = self.cell("Type")
        return None if cell is None else cell.text

    @property
    def mandatory(self) -> bool | None:
        """True / False from a Mandatory column; None when the table has none."""
        cell = self.cell("Mandatory")
        return None if cell is None else cell.text.strip().lower().startswith("yes")

    @property
    def description(self) -> Cell:
        return self.cell("Description") or Cell(text="", line=self.line)


@dataclass(frozen=True)
class Table:
    """A table with its title as the page gives it (markup dropped), label, section and rows."""

    title: str
    line: int
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    section: str = ""
    labels: tuple[str, ...] = ()
    #: The bold name in a "**xxx** field description" title: the field the table describes.
    subject: str = ""

    @property
    def is_parameter_table(self) -> bool:
        return bool(self.columns) and self.columns[0].lower() == "parameter"


@dataclass(frozen=True)
class Example:
    """A code block: an optional request line, and the JSON body parsed (or why it is not JSON)."""

    line: int
    section: str
    context: str
    text: str
    method: str | None = None
    target: str | None = None
    body: Any = None
    body_line: int = 0
    error: str | None = None
    #: Where the JSON stops being JSON (0 when it is JSON).
    error_line: int = 0

    @property
    def has_body(self) -> bool:
        return self.body_line > 0

    @property
    def kind(self) -> str:
        """Request or response: by the section title, the text before, the request line."""
        for text in (self.section, self.context):
            lowered = text.lower()
            if "request" in lowered:
                return "request"
            if "response" in lowered:
                return "response"
        return "request" if self.method else "response"


@dataclass(frozen=True)
class StatusCode:
    """One row of a returned-values table: the status code and its description."""

    code: int
    text: str
    line: int


@dataclass(frozen=True)
class Endpoint:
    """The method and path a page's URI section gives."""

    method: str
    path: str
    line: int


@dataclass
class Page:
    """Everything the tools read from one page."""

    path: Path
    topic: str | None = None
    title: str = ""
    labels: dict[str, int] = field(default_factory=dict)
    sections: list[tuple[str, int]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    status_codes: list[StatusCode] = field(default_factory=list)
    endpoint: Endpoint | None = None
    #: ``:ref:`` links in the page's text outside tables, with the section they are in.
    refs: list[tuple[str, Ref]] = field(default_factory=list)
    problems: list[DocsProblem] = field(default_factory=list)

    def table(self, title: str) -> Table | None:
        """The table with this title (compared with spaces collapsed), or None."""
        wanted = " ".join(title.split())
        return next((table for table in self.tables if table.title == wanted), None)

    def uri_tables(self) -> list[Table]:
        """The tables of the URI section (path and query parameters)."""
        return [
            table
            for table in self.tables
            if table.is_parameter_table
            and (
                table.section.upper() == "URI"
                or table.title.lower().endswith(("path parameters", "query parameters"))
            )
        ]

    def body_table(self, section: str) -> Table | None:
        """The first parameter table with a Type column in a section ("request", "response"):
        the body the page describes there."""
        for table in self.tables:
            typed = any(column.lower() == "type" for column in table.columns)
            if table.section.lower().startswith(section) and table.is_parameter_table and typed:
                return table
        return None

    def labelled(self, label: str) -> Table | None:
        """The table a label stands right before; for a label of a section (not of the whole
        page), the first table of that section; else None."""
        wanted = normal_label(label)
        direct = next((table for table in self.tables if wanted in table.labels), None)
        at = self.labels.get(wanted)
        if direct is not None or at is None or (self.topic and wanted == self.topic):
            return direct
        for table in self.tables:
            if table.line > at:
                headings = [line for _, line in self.sections if at < line < table.line]
                return table if len(headings) <= 1 else None
        return None


def normal_label(label: str) -> str:
    """Labels compare without regard to case, as Sphinx's do."""
    return " ".join(label.split()).lower()


def topic_of(source: str) -> str | None:
    """The page's topic id (``en-us_topic_0022067714``): from ``:original_name:``, else from its
    first label (older pages spell it ``ENUSTOPIC0022067714table...``)."""
    lines = source.splitlines()
    for line in lines[:5]:
        found = _ORIGINAL_NAME.match(line)
        if found:
            return found.group(1).lower()
    for line in lines:
        label = _LABEL.match(line)
        topic = _TOPIC_IN_LABEL.search(label.group(1)) if label else None
        if topic:
            return f"en-us_topic_{topic.group(1)}"
    return None


def labels_of(source: str) -> dict[str, int]:
    """Every ``.. _label:`` of a page, normalised, with its line."""
    found: dict[str, int] = {}
    for number, line in enumerate(source.splitlines(), start=1):
        label = _LABEL.match(line)
        if label:
            found.setdefault(normal_label(label.group(1)), number)
    return found


# --- docutils: :ref: as a node that keeps its label ---------------------------------------------


def _ref_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Any,
    options: Any = None,
    content: Any = None,
) -> tuple[list[docutils.nodes.Node], list[docutils.nodes.system_message]]:
    """``:ref:`Text <label>``` (or ``:ref:`label```) as an inline that remembers its label."""
    target = _ROLE_TARGET.match(text)
    shown, label = (target.group(1), target.group(2)) if target else (text, text)
    node = docutils.nodes.inline(rawtext, shown or label, classes=["ref"])
    node["reflabel"] = label
    node["refline"] = lineno
    return [node], []


roles.register_local_role("ref", _ref_role)  # type: ignore[arg-type]


def _words(text: str) -> str:
    return " ".join(text.split())


def _refs(node: docutils.nodes.Element, fallback_line: int) -> tuple[Ref, ...]:
    found = []
    for item in node.findall(docutils.nodes.inline):
        if "reflabel" in item.attributes:
            line = int(item.get("refline") or fallback_line)
            found.append(Ref(label=str(item["reflabel"]), text=_words(item.astext()), line=line))
    for link in node.findall(docutils.nodes.reference):
        uri = str(link.get("refuri", ""))
        if uri.startswith("#") and len(uri) > 1:  # older pages: `Table 1 <#anchor>`__
            found.append(Ref(label=uri[1:], text=_words(link.astext()), line=fallback_line))
    return tuple(found)


def _block_text(node: docutils.nodes.Node, indent: str = "") -> list[str]:
    """A block-level node as lines of plain text: paragraphs, "- " bullets, literal code."""
    if isinstance(node, docutils.nodes.paragraph):
        return [indent + _words(node.astext())]
    if isinstance(node, docutils.nodes.literal_block):
        return [indent + line for line in node.astext().splitlines()]
    if isinstance(node, docutils.nodes.system_message | docutils.nodes.target):
        return []
    if isinstance(node, docutils.nodes.bullet_list | docutils.nodes.enumerated_list):
        lines: list[str] = []
        for item in node.children:
            inner = [line for child in item.children for line in _block_text(child, indent + "  ")]
            if inner:
                lines.append(indent + "- " + inner[0].strip())
                lines.extend(inner[1:])
        return lines
    if isinstance(node, docutils.nodes.Admonition):
        # Shown on the site as a labelled box: "Note:" (or "Warning:", ...) before its text.
        label = type(node).__name__.capitalize() + ":"
        inner = [line for child in node.children for line in _block_text(child, indent)]
        if inner and isinstance(node.children[0], docutils.nodes.paragraph):
            return [indent + label + " " + inner[0].strip(), *inner[1:]]
        return [indent + label, *inner]
    if isinstance(node, docutils.nodes.Element):
        lines = []
        for child in node.children:
            lines.extend(_block_text(child, indent))
        return lines
    return [indent + _words(node.astext())] if node.astext().strip() else []


def _paragraphs(nodes: Sequence[docutils.nodes.Node]) -> str:
    return "\n\n".join("\n".join(_block_text(node)) for node in nodes if _block_text(node))


def _bold_lead(paragraph: docutils.nodes.Node | None) -> str | None:
    """``x`` of a paragraph that starts ``**x**: ...`` (or is just ``**x**``)."""
    if not isinstance(paragraph, docutils.nodes.paragraph) or not paragraph.children:
        return None
    lead = paragraph.children[0]
    if not isinstance(lead, docutils.nodes.strong):
        return None
    rest = paragraph.astext()[len(lead.astext()) :].lstrip()
    return _words(lead.astext()) if not rest or rest[0] in ":-\uff1a" else None


def _bold_items(nodes: Sequence[docutils.nodes.Node]) -> tuple[str, ...]:
    """Enum-like values: the bold words that start every item of the first bullet list, or
    that start two or more paragraphs as ``**SOFT**: ...``."""
    leads = [lead for node in nodes if (lead := _bold_lead(node)) is not None]
    if len(leads) >= 2:
        return tuple(leads)
    for node in nodes:
        if not isinstance(node, docutils.nodes.Element):
            continue
        for bullets in node.findall(docutils.nodes.bullet_list):
            values = []
            for item in bullets.children:
                lead = _bold_lead(item.next_node(docutils.nodes.paragraph))
                if lead is None:
                    return ()
                values.append(lead)
            return tuple(values)
    return ()


def _part_name(node: docutils.nodes.Node) -> str | None:
    if not isinstance(node, docutils.nodes.paragraph) or len(node.children) != 1:
        return None
    if not isinstance(node.children[0], docutils.nodes.strong):
        return None
    text = _words(node.astext()).lower()
    return next((name for name in PART_NAMES if name.lower() == text), None)


def _first_line(node: docutils.nodes.Element, fallback: int) -> int:
    for child in node.findall(docutils.nodes.Element):
        if child.line:
            return int(child.line)
    return fallback


def _cell(entry: docutils.nodes.Element, fallback_line: int) -> Cell:
    line = _first_line(entry, fallback_line)
    children = list(entry.children)
    parts: list[tuple[str, list[docutils.nodes.Node]]] = []
    for child in children:
        name = _part_name(child)
        if name is not None:
            parts.append((name, []))
        elif parts:
            parts[-1][1].append(child)
    # Enum-like bullets are in the Range part of a split cell, anywhere in an unsplit one.
    for_items = next((nodes for name, nodes in parts if name == "Range"), children)
    range_nodes = next((nodes for name, nodes in parts if name == "Range"), [])
    sentence = range_nodes[0] if len(range_nodes) == 1 else None
    range_bold = (
        tuple(_words(b.astext()) for b in sentence.findall(docutils.nodes.strong))
        if isinstance(sentence, docutils.nodes.paragraph)
        else ()
    )
    return Cell(
        range_bold=range_bold,
        text=_paragraphs(children),
        line=line,
        refs=_refs(entry, line),
        parts=tuple((name, _paragraphs(nodes)) for name, nodes in parts),
        bold_items=_bold_items(for_items),
    )


# --- the line-based parts: sections, titles of untitled tables, code blocks ---------------------


def _sections(lines: list[str]) -> list[tuple[str, int]]:
    found = []
    for index in range(len(lines) - 1):
        text, under = lines[index], lines[index + 1]
        if (
            text.strip()
            and not text[0].isspace()
            and _UNDERLINE.match(under)
            and len(under.rstrip()) >= len(text.rstrip())
            and not _UNDERLINE.match(text)
        ):
            found.append((text.strip(), index + 1))
    return found


def _section_at(sections: list[tuple[str, int]], line: int) -> str:
    current = ""
    for title, start in sections:
        if start >= line:
            break
        current = title
    return current


def _text_before(lines: list[str], line: int) -> str:
    """The paragraph or list item just before ``line`` (1-based), labels and directives skipped:
    the name of an untitled table, the context of a code block."""
    index = line - 2
    while index >= 0 and (
        not lines[index].strip()
        or _LABEL.match(lines[index])
        or lines[index].lstrip().startswith(".. table::")
    ):
        index -= 1
    block: list[str] = []
    while index >= 0 and lines[index].strip() and not _LABEL.match(lines[index]):
        block.insert(0, lines[index].strip())
        index -= 1
    if len(block) >= 2 and _UNDERLINE.match(block[-1]):
        return _words(block[-2])  # right under a heading: the heading names it
    text = " ".join(block)
    if not text or text[0] in "+|=" or _UNDERLINE.match(block[-1] if block else ""):
        return ""
    return _words(_plain(re.sub(r"^[-*]\s+", "", text)))


def _plain(text: str) -> str:
    """Inline RST markup reduced to what a reader sees: roles and links to their text,
    emphasis and code quotes dropped."""
    text = re.sub(r":\w+:`([^`<]*?)\s*<[^`>]*>`", r"\1", text)
    text = re.sub(r":\w+:`([^`]*)`", r"\1", text)
    text = re.sub(r"`([^`<]*?)\s*<[^`>]*>`_{1,2}", r"\1", text)
    return text.replace("**", "").replace("``", "")


def _request_line(text: str) -> tuple[str, str] | None:
    found = _REQUEST_LINE.match(text.strip())
    return (found.group(1), found.group(2)) if found else None


def _examples(path: Path, lines: list[str], sections: list[tuple[str, int]]) -> list[Example]:
    examples = []
    index = 0
    while index < len(lines):
        directive = _CODE_BLOCK.match(lines[index])
        if not directive:
            index += 1
            continue
        start, indent = index + 1, len(directive.group(1))
        index += 1
        while index < len(lines) and re.match(r"^\s+:[\w-]+:", lines[index]):
            index += 1  # directive options
        content: list[tuple[int, str]] = []
        while index < len(lines) and (
            not lines[index].strip() or len(lines[index]) - len(lines[index].lstrip()) > indent
        ):
            content.append((index + 1, lines[index]))
            index += 1
        while content and not content[-1][1].strip():
            content.pop()
        while content and not content[0][1].strip():
            content.pop(0)
        examples.append(_example(path, start, content, sections, _text_before(lines, start)))
    return examples


def _example(
    path: Path,
    line: int,
    content: list[tuple[int, str]],
    sections: list[tuple[str, int]],
    context: str,
) -> Example:
    margin = min((len(t) - len(t.lstrip()) for _, t in content if t.strip()), default=0)
    text = "\n".join(t[margin:] for _, t in content)
    method = target = None
    body = content
    if content and (request := _request_line(content[0][1])):
        method, target = request
        body = content[1:]
    while body and not body[0][1].strip():
        body = body[1:]
    common = {"line": line, "section": _section_at(sections, line), "context": context}
    if not body:
        return Example(text=text, method=method, target=target, **common)  # type: ignore[arg-type]
    body_line = body[0][0]
    body_text = "\n".join(t[margin:] for _, t in body)
    try:
        parsed = json.loads(body_text)
    except json.JSONDecodeError as exc:
        at = body_line + exc.lineno - 1
        return Example(
            text=text,
            method=method,
            target=target,
            body_line=body_line,
            error=f"{exc.msg} (column {exc.colno})",
            error_line=at,
            **common,  # type: ignore[arg-type]
        )
    except RecursionError:
        return Example(
            text=text,
            method=method,
            target=target,
            body_line=body_line,
            error="the JSON is nested too deeply to read",
            error_line=body_line,
            **common,  # type: ignore[arg-type]
        )
    return Example(
        text=text,
        method=method,
        target=target,
        body=parsed,
        body_line=body_line,
        **common,  # type: ignore[arg-type]
    )


def _endpoint(lines: list[str], sections: list[tuple[str, int]]) -> Endpoint | None:
    """The request line of the URI section (or, lacking one, the first unindented one)."""
    candidates = []
    for number, text in enumerate(lines, start=1):
        request = _request_line(text) if text[:1].isupper() else None
        if request and request[1].startswith("/"):
            candidates.append(Endpoint(request[0], request[1], number))
    in_uri = [c for c in candidates if _section_at(sections, c.line).upper() == "URI"]
    found = in_uri or candidates
    return found[0] if found else None


# --- tables ---------------------------------------------------------------------------------------


def _title(table: docutils.nodes.Element) -> str:
    title = next(iter(table.findall(docutils.nodes.title)), None)
    return _words(title.astext()) if title is not None and title.parent is table else ""


def _subject(table: docutils.nodes.Element) -> str:
    title = next(iter(table.findall(docutils.nodes.title)), None)
    if title is None or title.parent is not table:
        return ""
    bold = [_words(node.astext()) for node in title.findall(docutils.nodes.strong)]
    named = [text for text in bold if not re.fullmatch(r"Table \d+", text)]
    return named[0] if named else ""


def _grid(
    table: docutils.nodes.Element,
) -> tuple[list[docutils.nodes.Element], list[docutils.nodes.Element]]:
    def rows(kind: type[docutils.nodes.Element]) -> list[docutils.nodes.Element]:
        return [
            row
            for group in table.findall(kind)
            for row in group.children
            if isinstance(row, docutils.nodes.Element)
        ]

    return rows(docutils.nodes.thead), rows(docutils.nodes.tbody)


def _read_table(
    path: Path,
    node: docutils.nodes.Element,
    lines: list[str],
    sections: list[tuple[str, int]],
    labels: dict[str, int],
    problems: list[DocsProblem],
) -> Table | None:
    line = int(node.line or 0) or _first_line(node, 1)
    head, body = _grid(node)
    if not head:
        problems.append(DocsProblem(path, line, "table without a header row; it is not read"))
        return None
    columns = tuple(_words(entry.astext()) for entry in head[-1].children)
    rows = []
    for row in body:
        row_line = _first_line(row, line)
        entries = [e for e in row.children if isinstance(e, docutils.nodes.Element)]
        cells = [_cell(entry, row_line) for entry in entries]
        spans = sum(1 + int(entry.get("morecols", 0)) for entry in entries)
        if spans != len(columns) or len(cells) != len(columns):
            problems.append(
                DocsProblem(
                    path,
                    row_line,
                    f"row has {len(cells)} cell(s) for {len(columns)} column(s); it is not read",
                )
            )
            continue
        rows.append(Row(line=row_line, cells=tuple(zip(columns, cells, strict=True))))
    title = _title(node) or _text_before(lines, line) or f"table on line {line}"
    own_labels = tuple(
        label for label, at in labels.items() if at < line and _only_blank_between(lines, at, line)
    )
    return Table(
        title=title,
        line=line,
        columns=columns,
        rows=tuple(rows),
        section=_section_at(sections, line),
        labels=own_labels,
        subject=_subject(node),
    )


def _only_blank_between(lines: list[str], label_line: int, table_line: int) -> bool:
    """Whether a label (1-based line) stands right before a table: only blank lines between."""
    return all(not lines[i].strip() for i in range(label_line, table_line - 1))


def _in_table(node: docutils.nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, docutils.nodes.table):
            return True
        parent = parent.parent
    return False


def _status_codes(tables: list[Table]) -> list[StatusCode]:
    codes = []
    for table in tables:
        first = table.columns[0].lower() if table.columns else ""
        if "returned value" not in first and "status code" not in first:
            continue
        for row in table.rows:
            found = re.match(r"\s*(\d{3})\b", row.name)
            if found:
                codes.append(StatusCode(int(found.group(1)), _words(row.name), row.line))
    return codes


def parse_page(path: Path, source: str) -> Page:
    """Read a page's text (``path`` is where it came from, for locations). Never raises."""
    lines = source.splitlines()
    sections = _sections(lines)
    labels = labels_of(source)
    page = Page(
        path=path,
        topic=topic_of(source),
        title=sections[0][0] if sections else "",
        labels=labels,
        sections=sections,
    )
    page.examples = _examples(path, lines, sections)
    page.endpoint = _endpoint(lines, sections)
    try:
        tree = docutils.core.publish_doctree(
            source, source_path=str(path), settings_overrides=_SETTINGS
        )
    except (Exception, RecursionError) as exc:  # docutils on text it was never meant to read
        page.problems.append(DocsProblem(path, 1, f"the page cannot be parsed as RST: {exc!r}"))
        return page
    for message in tree.findall(docutils.nodes.system_message):
        text = _words(message.children[0].astext()) if message.children else ""
        # toctree is Sphinx's table of contents: no API content is lost without it.
        if int(message.get("level", 0)) >= 3 and "toctree" not in text:
            line = int(message.get("line") or 1)
            page.problems.append(DocsProblem(path, line, f"not read: {text}"))
    for node in tree.findall(docutils.nodes.table):
        try:
            table = _read_table(path, node, lines, sections, labels, page.problems)
        except (Exception, RecursionError) as exc:
            line = int(node.line or 1)
            page.problems.append(DocsProblem(path, line, f"table cannot be read: {exc!r}"))
            continue
        if table is not None:
            page.tables.append(table)
    page.status_codes = _status_codes(page.tables)
    for item in tree.findall(docutils.nodes.inline):
        if "reflabel" in item.attributes and not _in_table(item):
            line = int(item.get("refline") or 0)
            ref = Ref(label=str(item["reflabel"]), text=_words(item.astext()), line=line)
            page.refs.append((_section_at(sections, line), ref))
    for example in page.examples:
        if example.error:
            page.problems.append(
                DocsProblem(path, example.error_line, f"example is not valid JSON: {example.error}")
            )
    return page


def read_page(path: Path) -> Page:
    """Read one page from disk (an ``OSError`` if the file cannot be read; never on content)."""
    data = path.read_bytes()
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        page = Page(path=path)
        page.problems.append(DocsProblem(path, 1, f"not UTF-8 text: {exc.reason}"))
        return page
    return parse_page(path, source)


class DocsRoot:
    """A folder of pages: finds a page by its path or its topic id, and resolves ``:ref:`` labels
    across all of them. Pages are read once, when first asked for."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._pages: dict[Path, Page] = {}
        self._labels: dict[str, tuple[Path, int]] = {}
        self._topics: dict[str, Path] = {}
        self.files = sorted(root.rglob("*.rst")) if root.is_dir() else [root]
        #: Pages that describe one operation (their URI section gives a method and a path).
        self.operation_files: list[Path] = []
        for file in self.files:
            try:
                source = file.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if _URI_LINE.search(source):
                self.operation_files.append(file)
            topic = topic_of(source)
            if topic:
                self._topics.setdefault(topic, file)
            for label, line in labels_of(source).items():
                self._labels.setdefault(label, (file, line))

    def relative(self, path: Path) -> str:
        """A page's path as an ``x-source`` names it: relative to the root, with ``/``."""
        base = self.root if self.root.is_dir() else self.root.parent
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            return path.as_posix()

    def read(self, path: Path) -> Page:
        if path not in self._pages:
            self._pages[path] = read_page(path)
        return self._pages[path]

    def find(self, page: str, topic: str | None = None) -> Path | None:
        """The file of a page: at its path under the root, else the page with its topic id."""
        base = self.root if self.root.is_dir() else self.root.parent
        candidate = base / page
        if ".." not in Path(page).parts and candidate.is_file():
            return candidate
        return self._topics.get(topic.lower()) if topic else None

    def resolve(self, label: str) -> tuple[Page, Table | None] | None:
        """The page a label is on, and the table it stands before (None for a page or section)."""
        found = self._labels.get(normal_label(label))
        if found is None:
            return None
        page = self.read(found[0])
        return page, page.labelled(label)

    def nested(self, page: Page, row: Row) -> tuple[tuple[Page, Table] | None, list[Ref]]:
        """The table that describes a row's object or items: the table its ``:ref:`` link
        names (on any page of the root); for a row without links, the one table of the same
        page titled after it ("**row** field description"). Also the links no page has."""
        unresolved: list[Ref] = []
        shape = type_keywords(row.type) if row.type is not None else None
        inner = shape.get("items") or shape.get("additionalProperties") if shape else None
        if not (shape == {"type": "object"} or inner == {"type": "object"}):
            return None, unresolved  # only objects are described by further tables
        for ref in row.description.refs:
            found = self.resolve(ref.label)
            if found is None:
                unresolved.append(ref)
            elif found[1] is not None:
                return (found[0], found[1]), unresolved
        if row.description.refs:
            return None, unresolved  # it names its table; another is no better guess
        titled = [t for t in page.tables if t.subject and t.subject.split(".")[-1] == row.name]
        # Only one table may be titled after the row: "entities" could be "sub_jobs.entities".
        return ((page, titled[0]) if len(titled) == 1 else None), unresolved


# --- what a row says, as JSON Schema keywords (one rule for every tool) -------------------------

_SCALARS: dict[str, str] = {
    "string": "string",
    "str": "string",
    "integer": "integer",
    "int": "integer",
    "long": "integer",
    "float": "number",
    "double": "number",
    "number": "number",
    "boolean": "boolean",
    "bool": "boolean",
    "object": "object",
}
_NO_VALUE = {"", "n/a", "none", "-"}
_BOUNDS = {
    "integer": ("minimum", "maximum"),
    "number": ("minimum", "maximum"),
    "string": ("minLength", "maxLength"),
    "array": ("minItems", "maxItems"),
}


def type_keywords(docs_type: str) -> dict[str, Any] | None:
    """The JSON Schema of a docs type (String, Array of objects, Map<String,String>, ...), or
    None for a spelling the pages do not use."""
    text = " ".join(docs_type.split()).lower()
    if text in _SCALARS:
        return {"type": _SCALARS[text]}
    array = re.fullmatch(r"(?:array of|list of) (.+?)|list<(.+)>|(\w+) array", text)
    if array:
        inner = next(group for group in array.groups() if group)
        singular = inner[:-1] if inner.endswith("s") and inner[:-1] in _SCALARS else inner
        if singular in ("arrays", "array"):
            return {"type": "array", "items": {"type": "array"}}
        items = type_keywords(singular)
        return None if items is None else {"type": "array", "items": items}
    mapping = re.fullmatch(r"map<\s*string\s*,\s*(.+)>", text)
    if mapping:
        values = type_keywords(mapping.group(1))
        return None if values is None else {"type": "object", "additionalProperties": values}
    return None


def _number(text: str) -> int | None:
    digits = text.replace(",", "")
    return int(digits) if digits.isdigit() else None


def _value(text: str, kind: str | None) -> Any:
    """A value written in a cell, typed as the row's type says; None when it is prose."""
    text = text.strip().rstrip(".").strip("*").strip()
    if kind == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if kind in ("integer", "number") and re.fullmatch(r"-?\d+", text):
        return int(text)
    if kind in ("string", None):
        if text.lower() == "empty string":
            return ""
        if re.fullmatch(r"[\w.:/-]+", text):
            return text
    return None


def row_keywords(row: Row) -> dict[str, Any]:
    """What a docs row says about its value, as JSON Schema keywords: type (and items), enum,
    default and bounds. Only what the row states in a form this reader knows is returned;
    prose constraints stay in the description."""
    keywords = type_keywords(row.type) if row.type is not None else None
    result: dict[str, Any] = dict(keywords) if keywords else {}
    kind = result.get("type")
    cell = row.description
    items = cell.bold_items
    if kind in ("string", "integer", None) and len(items) >= 2:
        values = [_value(item, kind or "string") for item in items]
        if all(value is not None and value != "" for value in values):
            result["enum"] = values
    default_text = cell.part("Default Value")
    if default_text is None and not cell.parts:
        found = re.search(
            r"(?:default value is|is set to|defaults to)\s+(\S+?)(?:\s+by default)?\.?(?:\s|$)",
            cell.text,
        )
        default_text = found.group(1) if found else None
    if default_text is not None and default_text.strip().lower() not in _NO_VALUE:
        default = _value(default_text, kind)
        if default is not None:
            result["default"] = default
    range_text = (cell.part("Range") or "").split("\n\n")[0]
    if len(cell.range_bold) >= 2 and kind in ("string", None) and "enum" not in result:
        # "The value can be **dedicated** or **shared**."
        result["enum"] = list(cell.range_bold)
    if range_text and "\n" not in range_text.strip() and kind in _BOUNDS:
        low_name, high_name = _BOUNDS[str(kind)]
        both = re.search(r"(\d[\d,]*)\s*(?:to|-|~)\s*(\d[\d,]*)", range_text)
        high = re.search(r"(?:maximum of|at most|no more than|up to)\s+(\d[\d,]*)", range_text)
        if both:
            result[low_name], result[high_name] = _number(both.group(1)), _number(both.group(2))
        elif high:
            result[high_name] = _number(high.group(1))
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m scripts.rst_page PAGE...``: list the tables, examples and problems of pages
    (to copy a table's title into an ``x-source``)."""
    paths = [Path(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    if not paths:
        print("usage: python -m scripts.rst_page PAGE.rst...", file=sys.stderr)
        return 2
    for path in paths:
        try:
            page = read_page(path)
        except OSError as exc:
            print(f"error: {display_path(path)}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        where = display_path(path)
        print(f"{where}: topic {page.topic}, title {page.title!r}")
        if page.endpoint:
            print(f"{where}:{page.endpoint.line}: {page.endpoint.method} {page.endpoint.path}")
        for table in page.tables:
            columns = " / ".join(table.columns)
            print(f"{where}:{table.line}: table {table.title!r} [{columns}] {len(table.rows)} rows")
        for example in page.examples:
            state = "invalid JSON" if example.error else ("JSON" if example.has_body else "no body")
            print(f"{where}:{example.line}: {example.kind} example ({state})")
        for problem in page.problems:
            print(problem.format(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
