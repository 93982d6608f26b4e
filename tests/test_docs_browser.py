"""The HTML reference in a real browser (headless Chromium): every operation and schema is on
the page and in its navigation, the filter box narrows the page as one types, and the page makes
no request but for itself and logs no error, whatever its spec says."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import SPEC, SPECS
from scripts.bundle import bundle
from scripts.render_docs import render_docs
from scripts.validate import iter_operations

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
)
# Everything that could make the browser itself reach the network is off.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SPECS_BY_NAME = {
    "ours": SPEC,
    "foreign": SPECS / "docs-render" / "foreign" / "openapi.yaml",
    "hostile": SPECS / "docs-render" / "hostile" / "openapi.yaml",
}


@dataclass
class Visit:
    """An open page and everything it did: console messages, requests, dialogs."""

    page: Any
    url: str
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], Path]]:
    """Each spec's bundled data and its index.html on disk."""
    found = {}
    for name, spec in SPECS_BY_NAME.items():
        data = bundle(spec).data
        path = tmp_path_factory.mktemp(name) / "index.html"
        path.write_bytes(render_docs(data)["docs/index.html"])
        found[name] = (data, path)
    return found


@contextmanager
def visit(browser: Any, path: Path, *, javascript: bool = True) -> Iterator[Visit]:
    """Open ``path`` in a fresh browser context, recording what the page does."""
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    seen = Visit(page=page, url=path.as_uri())
    page.on("console", lambda message: seen.console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: seen.console.append(f"pageerror: {error}"))
    page.on("request", lambda request: seen.requests.append(request.url))

    def on_dialog(dialog: Any) -> None:
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(seen.url)
    yield seen
    context.close()


@pytest.fixture
def ours(browser: Any, pages: dict[str, tuple[dict[str, Any], Path]]) -> Iterator[Visit]:
    with visit(browser, pages["ours"][1]) as seen:
        yield seen


def _operations(data: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, operation) for _, path, method, operation in iter_operations(data)]


def _visible_schemas(page: Any) -> list[str]:
    return [
        text.strip() for text in page.locator("article.schema:visible h3 code").all_inner_texts()
    ]


def _visible_operations(page: Any) -> list[str]:
    return page.locator("article.operation:visible .op-meta dd code").all_inner_texts()  # type: ignore[no-any-return]


def _sections(page: Any, selector: str, script: str) -> dict[Any, str]:
    """The anchors of the sections ``selector`` finds, keyed by what ``script`` reads of each."""
    pairs = page.eval_on_selector_all(selector, f"els => els.map(e => [{script}, e.id])")
    return {tuple(key) if isinstance(key, list) else key: anchor for key, anchor in pairs}


@pytest.mark.parametrize("name", ["ours", "foreign"])
def test_every_operation_and_schema_has_a_section_and_a_link(
    name: str, browser: Any, pages: dict[str, tuple[dict[str, Any], Path]]
) -> None:
    data, path = pages[name]
    with visit(browser, path) as seen:
        page = seen.page
        operations = _sections(
            page,
            "article.operation",
            "[e.querySelector('.method').textContent, e.querySelector('.path').textContent]",
        )
        schemas = _sections(page, "article.schema", "e.querySelector('h3 code').textContent")
        for route, method, operation in _operations(data):
            anchor = operations[(method.upper(), route)]
            if "operationId" in operation:
                assert operation["operationId"] in page.locator(f"#{anchor}").inner_text()
            assert page.locator(f'nav a[href="#{anchor}"]').count() >= 1
        assert len(operations) == len(_operations(data))
        assert sorted(schemas) == sorted(data["components"]["schemas"])
        for schema, anchor in schemas.items():
            link = page.locator(f'nav a[href="#{anchor}"]')
            assert link.inner_text().strip() == schema
            link.click()
            assert page.evaluate("location.hash") == f"#{anchor}"
            assert page.locator(f"#{anchor}").is_visible()


def test_typing_filters_operations_and_schemas(
    ours: Visit, pages: dict[str, tuple[dict[str, Any], Path]]
) -> None:
    data = pages["ours"][0]
    page = ours.page
    schemas = list(data["components"]["schemas"])
    operations = [operation["operationId"] for _, _, operation in _operations(data)]
    box = page.locator("#search")
    assert box.is_visible()
    assert _visible_operations(page) == operations
    assert _visible_schemas(page) == schemas

    box.press_sequentially("ShowJ")
    assert _visible_operations(page) == ["ShowJob"]
    assert _visible_schemas(page) == []
    assert not page.locator("#schemas").is_visible()  # an empty group is hidden too
    assert not page.locator("#servers").is_visible()
    nav = page.locator("nav a[data-target]:visible").all_inner_texts()
    assert [" ".join(text.split()) for text in nav] == ["GET Query the status of a job"]
    assert page.locator("#search-status").inner_text() == f"1 of {len(operations + schemas)} shown"

    box.fill("")
    box.press_sequentially("error")
    expected = [
        name
        for name, schema in data["components"]["schemas"].items()
        if "error" in name.lower() or any("error" in p for p in schema.get("properties", {}))
    ]
    assert _visible_schemas(page) == expected
    assert _visible_operations(page) == []

    box.fill("")
    box.press_sequentially("no such thing")
    assert _visible_schemas(page) == [] and _visible_operations(page) == []
    assert page.locator("#no-match").is_visible()

    box.press("Escape")  # clears the filter: everything is back
    assert box.input_value() == ""
    assert _visible_operations(page) == operations
    assert _visible_schemas(page) == schemas
    assert page.locator("#servers").is_visible() and not page.locator("#no-match").is_visible()
    assert page.locator("#search-status").inner_text() == ""


def test_slash_focuses_the_filter(ours: Visit) -> None:
    ours.page.locator("h1").click()
    ours.page.keyboard.press("/")
    assert ours.page.evaluate("document.activeElement.id") == "search"


@pytest.mark.parametrize("name", ["ours", "foreign", "hostile"])
def test_the_page_requests_nothing_and_logs_nothing(
    name: str, browser: Any, pages: dict[str, tuple[dict[str, Any], Path]]
) -> None:
    with visit(browser, pages[name][1]) as seen:
        seen.page.locator("#search").press_sequentially("a")
        seen.page.locator("details").first.click()
        seen.page.wait_for_load_state("networkidle")
        assert seen.requests == [seen.url]
        assert seen.console == []
        assert seen.dialogs == []  # no script of the spec's ran


def test_without_javascript_the_whole_page_is_there(
    browser: Any, pages: dict[str, tuple[dict[str, Any], Path]]
) -> None:
    data, path = pages["ours"]
    with visit(browser, path, javascript=False) as seen:
        assert not seen.page.locator("#search").is_visible()
        assert _visible_schemas(seen.page) == list(data["components"]["schemas"])
        assert len(_visible_operations(seen.page)) == len(_operations(data))
