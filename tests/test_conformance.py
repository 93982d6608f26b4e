"""`make conformance`: the spec compared with the pages it traces, both ways, with located lines;
accepted differences, docs problems, pages found by topic id, and a page that changed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SOURCE_DOCS, SPECS, run_pipeline
from scripts.bundle import bundle

API_REF = ROOT.parent / "shared" / "ecs-api-ref"
EVS = SPECS / "otc-docs" / "evs"
FIXTURE_SPEC = SPECS / "conformance" / "openapi.yaml"
EXPAND = "apis/expanding_evs_disk_capacity.rst"
SPEC_BUNDLE = bundle(FIXTURE_SPEC)
needs_api_ref = pytest.mark.skipif(
    not API_REF.is_dir(), reason=f"{API_REF} is absent (../shared/ is not beside the project)"
)
needs_source_docs = pytest.mark.skipif(
    not (SOURCE_DOCS / "responses_task.rst").is_file(), reason=f"{SOURCE_DOCS} is absent"
)


def _conformance(docs: Path, spec: Path = FIXTURE_SPEC) -> tuple[int, list[str], str]:
    result = run_pipeline("conformance", "--docs", docs, "--spec", spec)
    assert "Traceback" not in result.err
    return result.status, result.out.splitlines(), result.err


def test_the_traced_pages_match_with_one_accepted_difference_and_one_docs_problem() -> None:
    status, lines, err = _conformance(EVS)
    assert (status, err) == (0, "")
    assert lines == [
        "tests/specs/otc-docs/evs/apis/expanding_evs_disk_capacity.rst:49: accepted (D1): "
        "'Table 3 os-extend field description' row 'new_size': maximum is 32768 in the docs, "
        "65536 in the spec [#/components/schemas/ExpandVolumeOption/properties/new_size]",
        "tests/specs/otc-docs/evs/apis/querying_job_status.rst:88: docs problem: example is not "
        "JSON: Expecting value (column 38)",
        "compared 3 traced page(s): 8 table(s), 15 row(s), 6 example(s); 0 difference(s); "
        "1 accepted (D1 x1); 1 docs problem(s)",
        "the spec does not describe 0 of the 2 operation pages in the docs",
    ]


# Each change to a copy of the test pages, and the one located line it must produce.
CHANGES = {
    "mandatory": (
        EXPAND,
        "   | is_auto_pay | No        |",
        "   | is_auto_pay | Yes       |",
        f"{EXPAND}:65: 'Table 3 os-extend field description' row 'is_auto_pay': the docs say "
        "mandatory, the spec not [#/components/schemas/ExpandVolumeOption/properties/is_auto_pay]",
    ),
    "new row": (
        "apis/querying_job_status.rst",
        "   job_id     Yes       The job to query.",
        "   job_id     Yes       The job to query.\n   verbose    No        More detail.",
        "apis/querying_job_status.rst:25: 'Table 1 Path parameters' row 'verbose' is not a "
        "parameter of /paths/~1v1~1{project_id}~1jobs~1{job_id}/get [#/paths/~1v1~1{project_id}"
        "~1jobs~1{job_id}/get]",
    ),
    "type": (
        "data_structure/job_structures.rst",
        "   | job_id    | String",
        "   | job_id    | Float ",
        "data_structure/job_structures.rst:20: 'Table 1 sub_jobs field description' row 'job_id': "
        "type is Float in the docs, string in the spec "
        "[#/components/schemas/SubJob/properties/job_id]",
    ),
    "default": (
        EXPAND,
        "   |             |           |         | false      ",
        "   |             |           |         | true       ",
        f"{EXPAND}:65: 'Table 3 os-extend field description' row 'is_auto_pay': default is 'true' "
        "in the docs, 'false' in the spec "
        "[#/components/schemas/ExpandVolumeOption/properties/is_auto_pay]",
    ),
    "endpoint": (
        EXPAND,
        "POST /v2.1/{project_id}/cloudvolumes/{volume_id}/action\n",
        "POST /v3/{project_id}/cloudvolumes/{volume_id}/action\n",
        f"{EXPAND}:16: the page says POST /v3/{{project_id}}/cloudvolumes/{{volume_id}}/action, "
        "the spec POST /v2.1/{project_id}/cloudvolumes/{volume_id}/action "
        "[#/paths/~1v2.1~1{project_id}~1cloudvolumes~1{volume_id}~1action/post]",
    ),
    "example": (
        EXPAND,
        '"job_id": "4010a32c5f1b3a6c015f1b4a09a30007"\n   }\n\nOr',
        '"job_id": 7\n   }\n\nOr',
        f"{EXPAND}:116: response example fits no declared schema; "
        "/components/responses/Task/content/application~1json/schema: at /job_id: 7 is not of "
        "type 'string' "
        "[#/paths/~1v2.1~1{project_id}~1cloudvolumes~1{volume_id}~1action/post]",
    ),
    "status code": (
        "common/returned_values.rst",
        "   | 404 Not Found             |",
        "   | 409 Conflict              |",
        "common/returned_values.rst:25: status 409 is not a response of /paths/~1v1~1{project_id}"
        "~1jobs~1{job_id}/get [#/paths/~1v1~1{project_id}~1jobs~1{job_id}/get]\n"
        "common/returned_values.rst:25: status 409 is not a response of /paths/~1v2.1~1"
        "{project_id}~1cloudvolumes~1{volume_id}~1action/post [#/paths/~1v2.1~1{project_id}"
        "~1cloudvolumes~1{volume_id}~1action/post]",
    ),
    "table title": (
        EXPAND,
        "**Table 4** Response parameters",
        "**Table 4** Response fields",
        f"{EXPAND}:1: no table titled 'Table 4 Response parameters' on the page "
        "[#/components/schemas/TaskResponse]",
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_changed_page_fails_with_the_located_line(change: str, tmp_path: Path) -> None:
    page, before, after, expected = CHANGES[change]
    docs = tmp_path / "evs"
    shutil.copytree(EVS, docs)
    text = (docs / page).read_text(encoding="utf-8")
    assert before in text
    (docs / page).write_text(text.replace(before, after, 1), encoding="utf-8")
    status, lines, err = _conformance(docs)
    failing = [
        line.split("/evs/", 1)[1]
        for line in lines
        if "accepted (" not in line and "docs problem" not in line and ".rst:" in line
    ]
    # The status-code change also drops 404 from the page, which two operations declare.
    extra = [line for line in failing if "answers 404, which the page does not list" in line]
    assert status == 1
    assert [line for line in failing if line not in extra] == expected.split("\n")
    assert err.endswith(f"{len(failing)} difference(s) between the docs and the spec\n")


def test_a_page_is_found_by_its_topic_id_under_another_name(tmp_path: Path) -> None:
    docs = tmp_path / "evs"
    shutil.copytree(EVS, docs)
    (docs / "old").mkdir()
    (docs / EXPAND).rename(docs / "old" / "volume_extend_2019.rst")
    status, lines, _ = _conformance(docs)
    assert status == 0
    assert any(
        line.endswith(
            "/evs/old/volume_extend_2019.rst:49: accepted (D1): 'Table 3 os-extend field "
            "description' row 'new_size': maximum is 32768 in the docs, 65536 in the spec "
            "[#/components/schemas/ExpandVolumeOption/properties/new_size]"
        )
        for line in lines
    )
    assert lines[-2].startswith("compared 3 traced page(s): 8 table(s), 15 row(s)")


def test_docs_without_any_traced_page_compare_nothing_and_fail(tmp_path: Path) -> None:
    (tmp_path / "other.rst").write_text("Other\n=====\n\nNothing here.\n", encoding="utf-8")
    status, lines, err = _conformance(tmp_path)
    assert (status, lines) == (1, [])
    assert err.endswith("traces is here; nothing was compared\n")


def test_a_missing_docs_folder_is_unusable_input(tmp_path: Path) -> None:
    status, lines, err = _conformance(tmp_path / "nowhere")
    assert (status, lines) == (2, [])
    assert err.startswith("error: ") and err.endswith(": no such file or folder\n")


@needs_source_docs
def test_make_conformance_with_its_default_docs_compares_the_old_page_by_topic_id() -> None:
    done = subprocess.run(
        ["make", "-s", "conformance"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = re.search(
        r"compared 1 traced page\(s\): (\d+) table\(s\), (\d+) row\(s\)", done.stdout
    )
    assert summary is not None, done.stdout
    assert int(summary.group(1)) >= 4 and int(summary.group(2)) >= 7
    assert "responses_task.rst:" in done.stdout  # its differences are accepted, by line


@needs_api_ref
def test_the_whole_ecs_reference_conforms_and_counts_the_pages_not_described() -> None:
    status, lines, err = _conformance(API_REF, ROOT / "spec" / "openapi.yaml")
    assert status == 0, "\n".join(lines) + err
    located = [line for line in lines if ".rst:" in line]
    assert all("accepted (" in line or "docs problem:" in line for line in located)
    assert re.fullmatch(
        r"the spec does not describe \d+ of the \d+ operation pages in the docs", lines[-1]
    )


@needs_api_ref
def test_a_changed_ecs_page_fails_with_its_line(tmp_path: Path) -> None:
    docs = tmp_path / "api-ref"
    shutil.copytree(API_REF, docs)
    page = docs / "apis_recommended/job_status_management/querying_job_execution_status.rst"
    text = page.read_text(encoding="utf-8")
    row = next(x for x in text.splitlines(keepends=True) if "| errorcode_message |" in x)
    assert row in text
    cause = "Indicates the cause of a sub-job execution failure."
    added = row.replace("errorcode_message", "trace_id".ljust(17)).replace(
        cause, "A field the spec does not have.".ljust(len(cause))
    )
    border = text[text.index(row) + len(row) :].split("\n", 1)[0] + "\n"
    page.write_text(text.replace(row + border, row + border + added + border, 1))
    line = text[: text.index(row)].count("\n") + 3
    status, lines, _ = _conformance(docs, ROOT / "spec" / "openapi.yaml")
    assert status == 1
    failing = [
        x for x in lines if "accepted (" not in x and "docs problem" not in x and ".rst:" in x
    ]
    assert len(failing) == 1
    assert re.fullmatch(
        rf".*/querying_job_execution_status\.rst:{line}: 'Table 5 sub_jobs\.entities field "
        r"description' row 'trace_id' is not a property of /components/schemas/\w+ \[#/\S+\]",
        failing[0],
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    ":original_name: en-us_topic_0000000101.html\n\n",
                    "URI\n---\n\nPOST /v2.1/{project_id}/cloudvolumes/{volume_id}/action\n\n",
                    "Request\n-------\n\n",
                    ".. table:: **Table 4** Response parameters\n\n   ====== ====== ====\n"
                    "   Parameter Type Description\n   ====== ====== ====\n"
                    "   job_id Array of objects :ref:`x <en-us_topic_0000000101>`\n"
                    "   ====== ====== ====\n\n",
                    '.. code-block::\n\n   {"job_id": [1]}\n\n',
                    "Returned Values\n---------------\n\n",
                    "See :ref:`x <en-us_topic_0000000101>`.\n\n",
                    "\x00{[",
                ]
            ),
            st.text(max_size=40),
        ),
        max_size=12,
    )
)
def test_any_text_on_a_traced_page_is_compared_without_raising(parts: list[str]) -> None:
    import tempfile

    from scripts.conformance import check

    with tempfile.TemporaryDirectory() as folder:
        docs = Path(folder) / "evs"
        shutil.copytree(EVS, docs)
        (docs / EXPAND).write_text("Hostile\n=======\n\n" + "".join(parts), encoding="utf-8")
        report = check(docs, SPEC_BUNDLE)
        for line in report.lines():
            assert re.match(r"\S+:\d+: ", line), line
        assert isinstance(report.summary(), str)


def test_an_x_source_of_another_shape_is_a_located_problem_of_the_spec(tmp_path: Path) -> None:
    traced = "      x-source:\n        page: apis/querying_job_status.rst\n"
    text = FIXTURE_SPEC.read_text(encoding="utf-8")
    assert traced in text
    spec = tmp_path / "openapi.yaml"
    spec.write_text(text.replace(traced, "      x-source: apis/querying_job_status.rst\n#"))
    status, lines, _ = _conformance(EVS, spec)
    assert status == 1
    # Lines come in path order, and where the spec's tmp folder sorts depends on the checkout's.
    problems = [line for line in lines if "x-source must be" in line]
    assert len(problems) == 1
    assert problems[0] == (
        f"{os.path.relpath(spec, ROOT)}:74: x-source must be a mapping {{page, topic, table}} "
        "or a list of them [#/paths/~1v1~1{project_id}~1jobs~1{job_id}/get/x-source]"
    )
    assert lines[-1] == "the spec does not describe 1 of the 2 operation pages in the docs"
