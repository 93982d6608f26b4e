"""The reference documentation: what it shows, that it is stable, that spec text cannot inject
markup into any of its three forms, and that its RST tables are the source page's tables."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docutils.core
import docutils.nodes
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markupsafe import escape

from conftest import ROOT, SOURCE_DOCS, SPEC, SPECS
from scripts.bundle import bundle
from scripts.docs_view import docs_type
from scripts.render_docs import markdown_html, md_cell, render_docs
from scripts.rst_page import read_page
from scripts.validate import iter_operations

FOREIGN = SPECS / "docs-render" / "foreign" / "openapi.yaml"
HOSTILE = SPECS / "docs-render" / "hostile" / "openapi.yaml"
SOURCE_PAGE = SOURCE_DOCS / "responses_task.rst"
#: Characters no output may contain: they would break lines or mislead the reader.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: Everything the HTML page may consist of; an injected element would show up as another tag.
HTML_TAGS = {
    *("a", "article", "blockquote", "body", "br", "caption", "code", "dd", "details", "div"),
    *("dl", "dt", "em"),
    *("figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr"),
    *("html", "input", "label", "li", "main", "meta", "nav", "ol", "p", "pre", "script"),
    *("section", "span", "strong", "style", "summary", "table", "tbody", "td", "th", "thead"),
    *("title", "tr", "ul"),
}


def _load(spec: Path) -> tuple[dict[str, Any], dict[str, str]]:
    data = bundle(spec).data
    return data, {name: content.decode() for name, content in render_docs(data).items()}


@pytest.fixture(scope="module")
def ours() -> tuple[dict[str, Any], dict[str, str]]:
    return _load(SPEC)


@pytest.fixture(scope="module")
def foreign() -> tuple[dict[str, Any], dict[str, str]]:
    return _load(FOREIGN)


@pytest.fixture(scope="module")
def hostile() -> tuple[dict[str, Any], dict[str, str]]:
    return _load(HOSTILE)


@pytest.fixture(scope="module", params=["ours", "foreign", "hostile"])
def any_spec(request: pytest.FixtureRequest) -> tuple[dict[str, Any], dict[str, str]]:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


class _Page(HTMLParser):
    """The elements, attributes and visible text of an HTML document."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.chunks: list[str] = []
        self._skip = 0
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, name, value or "") for name, value in attrs]
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.chunks).split())


def _markdown_as_html(text: str) -> str:
    """Markdown rendered the way a forge would, raw HTML allowed: anything our escaping missed
    would come out as markup."""
    return str(MarkdownIt("commonmark", {"html": True}).enable("table").render(text))


def _doctree(text: str) -> tuple[docutils.nodes.document, str]:
    warnings = io.StringIO()
    settings_ = {"report_level": 2, "halt_level": 5, "warning_stream": warnings}
    tree = docutils.core.publish_doctree(text, settings_overrides=settings_)
    return tree, warnings.getvalue()


def _visible(files: dict[str, str]) -> dict[str, str]:
    """What a reader sees of each output, whitespace collapsed."""
    return {
        "html": _Page(files["docs/index.html"]).text,
        "md": _Page(_markdown_as_html(files["docs/reference.md"])).text,
        "rst": " ".join(_doctree(files["docs/reference.rst"])[0].astext().split()),
    }


# --- the three files -----------------------------------------------------------------------------


def test_the_docs_are_three_files(ours: tuple[dict[str, Any], dict[str, str]]) -> None:
    assert sorted(ours[1]) == ["docs/index.html", "docs/reference.md", "docs/reference.rst"]


def test_rendering_is_deterministic(ours: tuple[dict[str, Any], dict[str, str]]) -> None:
    """The same bytes on a second run and in another process with another hash seed."""
    assert _load(SPEC)[1] == ours[1]
    script = (
        "import hashlib, pathlib; from scripts.bundle import bundle; "
        "from scripts.render_docs import render_docs; "
        f"files = render_docs(bundle(pathlib.Path({str(SPEC)!r})).data); "
        "print({k: hashlib.sha256(v).hexdigest() for k, v in sorted(files.items())})"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    here = {k: hashlib.sha256(v.encode()).hexdigest() for k, v in sorted(ours[1].items())}
    assert done.stdout.strip() == str(here)


@pytest.mark.parametrize("spec", ["ours", "foreign"])
def test_every_operation_response_and_schema_is_in_every_output(
    spec: str, request: pytest.FixtureRequest
) -> None:
    data, files = request.getfixturevalue(spec)
    expected: list[str] = []
    for _, path, method, operation in iter_operations(data):
        expected += [path, method.upper(), *operation.get("tags", [])]
        expected += [operation[key] for key in ("operationId", "summary") if key in operation]
        expected += [str(status) for status in operation["responses"]]
        for parameter in operation.get("parameters", []):
            if "name" in parameter:
                expected.append(parameter["name"])
    for name, schema in data["components"]["schemas"].items():
        expected.append(name)
        for part in [schema, *schema.get("allOf", [])]:
            expected += list(part.get("properties", {}))
    for where, text in _visible(files).items():
        missing = [item for item in expected if item not in text]
        assert not missing, f"{where} lacks {missing}"


def test_our_docs_show_descriptions_examples_headers_and_enums(
    ours: tuple[dict[str, Any], dict[str, str]],
) -> None:
    data, files = ours
    phrases = [
        "Specifies the job ID returned after a job is delivered.",  # a property description
        "Poll this operation with the job_id a task-delivering request returned",  # operation
        "Not Found: the project, ECS or job does not exist (D10).",  # a response
        "X-Request-Id",  # a header
        "Retry-After",
        "SUCCESS",  # enum values
        "INIT",
        "IllegalBody",  # example names and summaries
        "Illegal request body (corrected source page example)",
        "https://ecs.{region}.otc.t-systems.com",  # the server
        "X-Auth-Token",  # the security scheme
    ]
    for where, text in _visible(files).items():
        missing = [phrase for phrase in phrases if phrase not in text]
        assert not missing, f"{where} lacks {missing}"
    example = data["paths"]["/v1/{project_id}/jobs/{job_id}"]["get"]["responses"]["200"]
    value = example["content"]["application/json"]["examples"]["Succeeded"]["value"]
    pretty = json.dumps(value, indent=2, ensure_ascii=False)
    assert str(escape(pretty)) in files["docs/index.html"]
    assert pretty in files["docs/reference.md"]
    assert "\n".join("   " + line for line in pretty.split("\n")) in files["docs/reference.rst"]


def test_the_page_is_self_contained(any_spec: tuple[dict[str, Any], dict[str, str]]) -> None:
    page = any_spec[1]["docs/index.html"]
    parsed = _Page(page)
    assert parsed.tags.count("script") == 1 and parsed.tags.count("style") == 1
    assert "link" not in parsed.tags and "img" not in parsed.tags
    for tag, name, value in parsed.attrs:
        assert name not in ("src", "srcset", "background", "poster", "data"), (tag, name)
        if name == "href":
            assert value.startswith(("#", "https://", "http://", "mailto:")), value
            assert tag == "a"
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None and "url(" not in style.group(1) and "@import" not in style.group(1)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None and "default-src 'none'" in policy.group(1)
    # The policy lets exactly the page's own style and script run.
    for kind, body in (("style", r"<style>(.*?)</style>"), ("script", r"<script>(.*?)</script>")):
        content = re.search(body, page, re.S)
        assert content is not None
        digest = hashlib.sha256(content.group(1).encode()).digest()
        assert f"{kind}-src 'sha256-{base64.b64encode(digest).decode()}'" in policy.group(1)


def test_every_anchor_of_the_page_is_unique_and_every_link_lands(
    any_spec: tuple[dict[str, Any], dict[str, str]],
) -> None:
    page = _Page(any_spec[1]["docs/index.html"])
    ids = [value for _, name, value in page.attrs if name == "id"]
    assert len(ids) == len(set(ids))
    targets = {value[1:] for _, name, value in page.attrs if name == "href" and value[:1] == "#"}
    assert targets <= set(ids)
    markdown = any_spec[1]["docs/reference.md"]
    anchors = re.findall(r'<a id="([^"]+)"></a>', markdown)
    assert len(anchors) == len(set(anchors))
    assert set(re.findall(r"\]\(#([^)]+)\)", markdown)) <= set(anchors)


def test_the_rst_parses_without_warnings(any_spec: tuple[dict[str, Any], dict[str, str]]) -> None:
    tree, warnings = _doctree(any_spec[1]["docs/reference.rst"])
    assert warnings == ""
    assert not [m for m in tree.findall(docutils.nodes.system_message) if m["level"] >= 2]


def test_no_output_carries_a_control_character(
    any_spec: tuple[dict[str, Any], dict[str, str]],
) -> None:
    for name, text in any_spec[1].items():
        assert not UNSAFE.search(text), name


# --- hostile text stays text ---------------------------------------------------------------------

HOSTILE_TEXT = [
    "</title></script><script>alert('title')</script> {{ 7*7 }} {% raw %}",
    "<img src=x onerror=alert('img')> and <script>alert('script')</script>",
    "[js link](javascript:alert('link'))",
    ".. raw:: html",
    ".. include:: /etc/passwd",
    '{{ config }} {% for x in y %}{% endfor %} """',
    "<b>Tag</b> | `pipe` .. raw:: html",
    "id<svg onload=alert('param')>",
    "|sub|",
    "<script>alert('cell')</script>",
    "get</script><script>alert('op')</script>",
    "Summary ends with two colons::",
    "<img src=x onerror=alert('name')>",
    "Wide characters 日本語 and combining e\u0301 in a grid table.",
    "override \ufffdevil",  # a bidi override, neutralised and visible
]


def test_hostile_text_is_shown_as_text_in_every_output(
    hostile: tuple[dict[str, Any], dict[str, str]],
) -> None:
    for where, text in _visible(hostile[1]).items():
        missing = [item for item in HOSTILE_TEXT if item not in text]
        assert not missing, f"{where} lacks {missing}"
        assert "49" not in text  # {{ 7*7 }} was never evaluated


def _assert_only_harmless_markup(page: _Page, allowed: set[str]) -> None:
    assert set(page.tags) <= allowed, set(page.tags) - allowed
    for tag, name, value in page.attrs:
        assert not name.startswith("on"), (tag, name, value)
        if name in ("href", "src"):
            assert value.startswith(("#", "https://", "http://", "mailto:")), (tag, name, value)


def test_hostile_html_has_no_injected_markup(
    hostile: tuple[dict[str, Any], dict[str, str]],
) -> None:
    page = _Page(hostile[1]["docs/index.html"])
    _assert_only_harmless_markup(page, HTML_TAGS)
    assert page.tags.count("script") == 1
    assert "javascript:" not in " ".join(value for _, name, value in page.attrs if name == "href")


def test_hostile_markdown_has_no_injected_markup(
    hostile: tuple[dict[str, Any], dict[str, str]],
) -> None:
    rendered = _markdown_as_html(hostile[1]["docs/reference.md"])
    page = _Page(rendered)
    allowed = {"a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
    allowed |= {"li", "ol", "p", "pre", "strong"}
    _assert_only_harmless_markup(
        page, allowed | {"table", "thead", "tbody", "tr", "th", "td", "ul"}
    )
    # Our own raw HTML is the anchors and line breaks; the links are the spec's safe ones.
    assert {(t, n) for t, n, _ in page.attrs} <= {("a", "id"), ("a", "href"), ("code", "class")}


def test_hostile_rst_has_no_directive_role_or_reference_of_its_own(
    hostile: tuple[dict[str, Any], dict[str, str]],
) -> None:
    tree, warnings = _doctree(hostile[1]["docs/reference.rst"])
    assert warnings == ""
    for kind in (
        docutils.nodes.raw,
        docutils.nodes.substitution_definition,
        docutils.nodes.substitution_reference,
        docutils.nodes.footnote_reference,
        docutils.nodes.citation_reference,
        docutils.nodes.field_list,
        docutils.nodes.problematic,
    ):
        assert not list(tree.findall(kind)), kind
    for reference in tree.findall(docutils.nodes.reference):
        uri = reference.get("refuri", "")
        assert not uri or uri.startswith(("https://", "http://", "mailto:")), uri
    comments = [c.astext() for c in tree.findall(docutils.nodes.comment)]
    assert comments == ["Generated from the OpenAPI description by ecs-tasks; do not edit."]


def test_markdown_descriptions_are_rendered_without_raw_html_or_unsafe_links() -> None:
    out = markdown_html(
        "<script>x</script> [a](javascript:alert(1)) [b](vbscript:x) [c](data:text/html,x) "
        "![i](https://example.com/i.png) [d](https://example.com) <https://example.com/e>"
    )
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert re.findall(r'href="([^"]*)"', out) == [
        "https://example.com/i.png",  # an image shows as a link, never loads
        "https://example.com",
        "https://example.com/e",
    ]
    assert "<img" not in out


# --- the source page's table layout --------------------------------------------------------------


@pytest.fixture(scope="module")
def our_rst(
    ours: tuple[dict[str, Any], dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    path = tmp_path_factory.mktemp("docs") / "reference.rst"
    path.write_text(ours[1]["docs/reference.rst"], encoding="utf-8")
    return path


@pytest.mark.skipif(
    not SOURCE_PAGE.is_file(),
    reason=f"the source page {SOURCE_PAGE} is not beside the project (../shared/ is absent)",
)
def test_rst_tables_reproduce_the_source_page_row_by_row(our_rst: Path) -> None:
    """The generated schema tables have the source page's rows, names and types in its order,
    and each description starts with the page's text (read by the one page reader)."""
    generated = {table.title: table for table in read_page(our_rst).tables}
    source = read_page(SOURCE_PAGE).tables
    # The source page's four tables, in order: normal response, abnormal response, Table 1, 2.
    for schema, table in zip(
        ["TaskResponse", "ErrorResponse", "Error", "ErrorDetail"], source, strict=True
    ):
        ours = generated[f"{schema} field description"]
        assert [(r.name, r.type) for r in ours.rows] == [(r.name, r.type) for r in table.rows]


def test_rst_tables_agree_with_the_spec(
    ours: tuple[dict[str, Any], dict[str, str]], our_rst: Path
) -> None:
    """Every generated schema table has one row per property, in order, typed as the docs
    spell types (read back by the one page reader)."""
    data = ours[0]
    generated = {table.title: table for table in read_page(our_rst).tables}
    for name, schema in data["components"]["schemas"].items():
        if not schema.get("properties"):
            continue
        table = generated[f"{name} field description"]
        properties = schema["properties"]
        assert [row.name for row in table.rows] == list(properties), name
        for row in table.rows:
            prop = properties[row.name]
            assert row.type == docs_type(data, prop), (name, row.name)


def test_the_docs_own_conformance_check_reads_every_schema_table(our_rst: Path) -> None:
    tables = [t for t in read_page(our_rst).tables if t.title.endswith(" field description")]
    with_properties = [
        name
        for name, schema in bundle(SPEC).data["components"]["schemas"].items()
        if schema.get("properties")
    ]
    assert [t.title for t in tables] == [f"{name} field description" for name in with_properties]


# --- Markdown tables -----------------------------------------------------------------------------


def _tables(markdown: str) -> list[list[list[str]]]:
    """The tables of a Markdown document as rows of cell sources."""
    tables: list[list[list[str]]] = []
    inside = False
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        if token.type in ("table_open", "table_close"):
            inside = token.type == "table_open"
            tables += [[]] if inside else []
        elif inside and token.type == "tr_open":
            tables[-1].append([])
        elif inside and token.type == "inline":
            tables[-1][-1].append(token.content)
    return tables


def test_markdown_tables_keep_their_columns(
    any_spec: tuple[dict[str, Any], dict[str, str]],
) -> None:
    markdown = any_spec[1]["docs/reference.md"]
    tables = _tables(markdown)
    assert tables
    header_lines = [
        line for line in markdown.split("\n") if line.startswith("| ") and "---" not in line
    ]
    assert len([line for line in header_lines if line.rstrip().endswith("|")]) == len(header_lines)
    for table in tables:
        assert {len(row) for row in table} == {len(table[0])}, table


def test_markdown_schema_tables_list_properties(
    ours: tuple[dict[str, Any], dict[str, str]],
) -> None:
    error = ours[1]["docs/reference.md"].split('<a id="schema-error"></a>', 1)[1]
    rows = _tables(error)[0]
    assert [row[:3] for row in rows] == [
        ["Property", "Type", "Required"],
        ["`message`", "String", "Required"],
        ["`code`", "String", "Required"],
        ["`details`", "Array of objects ([ErrorDetail](#schema-errordetail))", "Optional"],
    ]
    assert rows[3][3] == (
        "Specifies error details.<br>Error details provide the error code and fault "
        "description, facilitating error handling.<br>Optional: the old page said "
        '"This field is optional.", the current one has no Mandatory column for it (D21).'
    )


# --- properties of the escaping, for any text ----------------------------------------------------

#: Pieces of Markdown, RST and HTML markup, to be glued into text that looks like markup.
_MARKUP = (
    *("`", "``", "*", "**", "_", "__", "|", ":", "::", "..", "- ", "* ", "1. ", "i) ", "#", ">"),
    *("\\", "<b>", "[1]_", "|x|", ":role:", "word_", "===", "---", "+--+", "```", "    code"),
    *("[a](https://example.com/_)", "[b](javascript:x)", ".. raw:: html\n\n   <script>"),
    *("\n", "\n\n", " ", "\t", "a", "e\u0301", "日", "\u2028", "\x1b", "http://x"),
)
_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40) | st.lists(
    st.sampled_from(_MARKUP), max_size=25
).map("".join)


def _spec(title: str, name: str, prop: str, description: str) -> dict[str, Any]:
    """A small spec whose every text is ``title``, ``name``, ``prop`` or ``description``."""
    schema = {
        "type": "object",
        "description": description,
        "required": [prop],
        "properties": {prop: {"type": "string", "description": description}},
    }
    operation = {
        "operationId": name,
        "summary": title,
        "description": description,
        "tags": [name],
        "responses": {"200": {"description": description}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": name, "description": description},
        "tags": [{"name": name, "description": description}],
        "paths": {f"/{name}": {"get": operation}},
        "components": {"schemas": {name: schema}},
    }


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT, _TEXT, _TEXT, _TEXT)
# A property named with backslashes only: in a table cell, RST once read it as a transition.
@example("", "", "\\\\", "")
def test_any_spec_text_renders_as_text(title: str, name: str, prop: str, description: str) -> None:
    files = {k: v.decode() for k, v in render_docs(_spec(title, name, prop, description)).items()}
    tree, warnings = _doctree(files["docs/reference.rst"])
    assert warnings == ""
    assert not list(tree.findall(docutils.nodes.raw))
    assert len(list(tree.findall(docutils.nodes.row))) == 2  # the schema table: header, property
    for table in _tables(files["docs/reference.md"]):
        assert {len(row) for row in table} == {len(table[0])}
    _assert_only_harmless_markup(_Page(files["docs/index.html"]), HTML_TAGS)
    for text in files.values():
        assert not UNSAFE.search(text)


@settings(max_examples=150, deadline=None)
@given(_TEXT)
def test_any_text_in_a_markdown_cell_stays_in_its_cell(text: str) -> None:
    table = f"| a | b |\n| --- | --- |\n| x | {md_cell(text)} |\n"
    assert [len(row) for row in _tables(table)[0]] == [2, 2]
    cells = {"table", "thead", "tbody", "tr", "th", "td", "code", "em", "strong", "a", "br"}
    _assert_only_harmless_markup(_Page(_markdown_as_html(table)), cells)
