"""The one page reader: tables, parts of cells, :ref: targets across pages, examples and status
codes, each with its line, on the ECS reference and on the test pages; and on any text, no crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SOURCE_DOCS, SPECS
from scripts.rst_page import (
    DocsRoot,
    parse_page,
    read_page,
    row_keywords,
    type_keywords,
)

API_REF = ROOT.parent / "shared" / "ecs-api-ref"
EVS = SPECS / "otc-docs" / "evs"
IMS = SPECS / "otc-docs" / "ims"
needs_api_ref = pytest.mark.skipif(
    not API_REF.is_dir(), reason=f"{API_REF} is absent (../shared/ is not beside the project)"
)
JOB_PAGE = "apis_recommended/job_status_management/querying_job_execution_status.rst"


def test_tables_have_titles_columns_sections_and_row_lines() -> None:
    page = read_page(EVS / "apis" / "expanding_evs_disk_capacity.rst")
    typed = ("Parameter", "Mandatory", "Type", "Description")
    assert [(t.title, t.line, t.section, t.columns) for t in page.tables] == [
        ("Table 1 Path parameters", 20, "URI", ("Parameter", "Mandatory", "Description")),
        ("Table 2 Request parameters", 34, "Request", typed),
        ("Table 3 os-extend field description", 44, "Request", typed),
        ("Table 4 Response parameters", 88, "Response", ("Parameter", "Type", "Description")),
    ]
    uri, _, nested, response = page.tables
    assert [(r.name, r.line, r.mandatory, r.type) for r in uri.rows] == [
        ("project_id", 25, True, None),
        ("volume_id", 26, True, None),
    ]
    assert nested.subject == "os-extend"
    assert nested.labels == ("en-us_topic_0000000101__table3",)
    assert [(r.name, r.line, r.mandatory) for r in nested.rows] == [
        ("new_size", 49, True),
        ("is_auto_pay", 65, False),
    ]
    # A table without a Mandatory column says nothing about it.
    assert response.rows[0].mandatory is None
    assert page.endpoint is not None
    assert (page.endpoint.method, page.endpoint.path, page.endpoint.line) == (
        "POST",
        "/v2.1/{project_id}/cloudvolumes/{volume_id}/action",
        16,
    )


def test_definition_constraints_range_default_blocks_are_split_into_parts() -> None:
    table = read_page(EVS / "apis" / "expanding_evs_disk_capacity.rst").tables[2]
    new_size, auto_pay = table.rows
    assert new_size.description.parts == (
        ("Definition", "The size the disk will have, in GiB."),
        ("Constraints", "It must be larger than the current size."),
        ("Range", "10 to 32768"),
        ("Default Value", "N/A"),
    )
    assert new_size.description.definition == "The size the disk will have, in GiB."
    assert auto_pay.description.part("Range") == "- true: pay at once.\n- false: pay later."
    # What the parts say, as JSON Schema keywords: bounds, enum, default.
    assert row_keywords(new_size) == {"type": "integer", "minimum": 10, "maximum": 32768}
    assert row_keywords(auto_pay) == {
        "type": "string",
        "enum": ["true", "false"],
        "default": "false",
    }


@pytest.mark.parametrize(
    ("docs", "schema"),
    [
        ("String", {"type": "string"}),
        ("Integer", {"type": "integer"}),
        ("Float", {"type": "number"}),
        ("Boolean", {"type": "boolean"}),
        ("Object", {"type": "object"}),
        ("Array of objects", {"type": "array", "items": {"type": "object"}}),
        ("Array of strings", {"type": "array", "items": {"type": "string"}}),
        ("Map<String,String>", {"type": "object", "additionalProperties": {"type": "string"}}),
        (
            "Map<String, Array of objects>",
            {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "object"}},
            },
        ),
        ("Enum<String>", None),
    ],
)
def test_docs_types_map_to_json_schema(docs: str, schema: dict[str, object] | None) -> None:
    assert type_keywords(docs) == schema


def test_ref_links_resolve_to_tables_on_other_pages_and_through_section_labels() -> None:
    root = DocsRoot(EVS)
    page = root.read(EVS / "apis" / "querying_job_status.rst")
    entities = page.tables[2]
    sub_jobs = entities.rows[1]
    assert [(r.label, r.text, r.line) for r in sub_jobs.description.refs] == [
        ("en-us_topic_0000000105__section1", "Sub-jobs", 59)
    ]
    found, unresolved = root.nested(page, sub_jobs)
    assert unresolved == []
    assert found is not None
    assert (found[0].path.name, found[1].title) == (
        "job_structures.rst",
        "Table 1 sub_jobs field description",
    )
    # A row without a link reaches the table titled after it on the same page.
    nested, _ = root.nested(page, page.tables[1].rows[1])
    assert nested is not None and nested[1].title == "Table 3 entities field description"
    # A string row is never described by a further table, whatever it links to.
    assert root.nested(page, page.tables[1].rows[0]) == (None, [])


def test_a_link_to_a_label_no_page_has_is_returned_as_unresolved() -> None:
    root = DocsRoot(IMS)
    page = root.read(IMS / "apis" / "registering_an_image_file.rst")
    license_row = page.tables[0].rows[4]
    found, unresolved = root.nested(page, license_row)
    assert found is None
    assert [(r.label, r.line) for r in unresolved] == [("en-us_topic_0999999999__table7", 48)]


def test_examples_keep_the_request_line_with_the_json_body_and_report_invalid_json() -> None:
    page = read_page(EVS / "apis" / "expanding_evs_disk_capacity.rst")
    request, answer, error = page.examples
    assert (request.kind, request.line, request.method, request.target) == (
        "request",
        101,
        "POST",
        "https://{endpoint}/v2.1/{project_id}/cloudvolumes/{volume_id}/action",
    )
    assert (request.body, request.body_line) == ({"os-extend": {"new_size": 100}}, 105)
    assert (answer.kind, answer.body) == (
        "response",
        {"job_id": "4010a32c5f1b3a6c015f1b4a09a30007"},
    )
    assert (error.context, error.body["error"]["code"]) == ("Or", "EVS.2024")
    broken = read_page(EVS / "apis" / "querying_job_status.rst")
    assert [p.format() for p in broken.problems] == [
        f"{_shown(EVS / 'apis' / 'querying_job_status.rst')}:88: warning: "
        "example is not valid JSON: Expecting value (column 38)"
    ]


def test_a_table_docutils_cannot_parse_is_a_located_problem() -> None:
    page = read_page(IMS / "apis" / "registering_an_image_file.rst")
    assert [p.line for p in page.problems] == [51, 80]
    assert 'not read: Error parsing content block for the "table" directive' in (
        page.problems[0].message
    )


def test_status_codes_are_read_with_their_lines() -> None:
    page = read_page(EVS / "common" / "returned_values.rst")
    assert [(s.code, s.line) for s in page.status_codes] == [
        (200, 13),
        (202, 15),
        (400, 23),
        (404, 25),
        (500, 27),
    ]


@needs_api_ref
def test_the_ecs_job_page() -> None:
    root = DocsRoot(API_REF)
    page = root.read(API_REF / JOB_PAGE)
    assert page.topic == "en-us_topic_0022225398"
    assert [t.title for t in page.tables] == [
        "Table 1 Parameter description",
        "Table 2 Response parameters",
        "Table 3 entities field description",
        "Table 4 sub_jobs field description",
        "Table 5 sub_jobs.entities field description",
    ]
    status = page.tables[1].rows[0]
    assert (status.name, status.line, row_keywords(status)) == (
        "status",
        52,
        {"type": "string", "enum": ["SUCCESS", "RUNNING", "FAIL", "INIT"]},
    )
    # Links in the page's text, by section: the returned values page has the status codes.
    returned = [ref for section, ref in page.refs if section == "Returned Values"]
    target = root.resolve(returned[0].label)
    assert target is not None and target[1] is None
    assert [s.code for s in target[0].status_codes][:4] == [200, 201, 202, 204]
    assert 300 in [s.code for s in target[0].status_codes]


@needs_api_ref
def test_untitled_tables_are_named_by_the_text_or_heading_above_them() -> None:
    jobs = read_page(API_REF / "common_parameters/job_request_results/responses_jobs.rst")
    assert [t.title for t in jobs.tables][:2] == [
        "Normal response description",
        "Abnormal response description",
    ]
    create = read_page(API_REF / "apis_recommended/lifecycle_management/creating_ecss.rst")
    assert create.table("Response") is not None


@pytest.mark.skipif(not (SOURCE_DOCS / "responses_task.rst").is_file(), reason="no source docs")
def test_the_old_page_is_found_by_its_topic_id_under_its_other_name() -> None:
    root = DocsRoot(SOURCE_DOCS)
    page = "common_parameters/job_request_results/responses_jobs.rst"
    assert root.find(page) is None
    assert root.find(page, "en-us_topic_0022067714") == SOURCE_DOCS / "responses_task.rst"
    old = root.read(SOURCE_DOCS / "responses_task.rst")
    error = old.table("Abnormal response description")
    assert error is not None
    # An older page's in-page anchor link (`Table 1 <#anchor>`__) is a link like :ref:.
    found, _ = root.nested(old, error.rows[0])
    assert found is not None and found[1].title == "Table 1 error field structure"


def _shown(path: Path) -> str:
    from scripts.problems import display_path

    return display_path(path)


# --- hostile text ---------------------------------------------------------------------------

FRAGMENTS = [
    ".. table:: **Table 1** x\n\n",
    "   +---+---+\n",
    "   | a | b |\n",
    "   +===+===+\n",
    "   | :ref:`T <lbl>` | **Definition** |\n",
    "   ===== ====\n",
    "   a     b\n",
    ".. _lbl:\n\n",
    '.. code-block::\n\n   POST https://x/v1/{p}\n\n   {"a": [1, \n',
    "URI\n---\n\nGET /v1/{x}\n\n",
    ":original_name: en-us_topic_1.html\n",
    "-  **A**: b\n",
    ".. note::\n\n   text\n",
    "\t\x00\u202e",
    "[[[[[[[[[[[[[[[[[[[[",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=400),
        st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join),
        st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=20).map(
            "".join
        ),
    )
)
def test_any_text_is_read_without_raising(source: str) -> None:
    page = parse_page(Path("hostile.rst"), source)
    for problem in page.problems:
        assert problem.format().startswith("hostile.rst:")
    for table in page.tables:
        for row in table.rows:
            row_keywords(row)


def test_bytes_that_are_not_utf8_are_a_problem_not_an_error(tmp_path: Path) -> None:
    page_path = tmp_path / "latin1.rst"
    page_path.write_bytes("Titel\n=====\n\nGr\xfc\xdfe\n".encode("latin-1"))
    page = read_page(page_path)
    assert [p.message for p in page.problems] == ["not UTF-8 text: invalid start byte"]
