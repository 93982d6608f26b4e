"""`make import`: a draft OpenAPI document from one operation page, on ECS pages and on test pages
of other services in the same conventions; every draft validates; what it cannot read is a
located warning; hostile pages never give a traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SPECS, run_pipeline, snapshot
from scripts.bundle import bundle
from scripts.import_page import import_page, render
from scripts.validate import validate

API_REF = ROOT.parent / "shared" / "ecs-api-ref"
OTHERS = SPECS / "otc-docs"
needs_api_ref = pytest.mark.skipif(
    not API_REF.is_dir(), reason=f"{API_REF} is absent (../shared/ is not beside the project)"
)


def _import(page: Path, out: Path) -> tuple[dict[str, Any], list[str]]:
    """Run the command as a user would; return the draft and the warning lines."""
    result = run_pipeline("import", page, "--out", out)
    assert result.status == 0, result.err
    assert "Traceback" not in result.err
    draft = out / f"{page.stem}.yaml"
    assert result.out.startswith("wrote ") and draft.name in result.out
    # The draft passes `make validate` on its own.
    assert run_pipeline("validate", draft).status == 0
    return yaml.safe_load(draft.read_text(encoding="utf-8")), result.err.splitlines()


def _nodes_without_source(document: dict[str, Any]) -> list[str]:
    """Schemas, properties, parameters and operations that carry no x-source."""
    missing = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if "x-source" not in operation:
                missing.append(f"{method} {path}")
            for parameter in operation.get("parameters", []):
                if "x-source" not in parameter:
                    missing.append(f"parameter {parameter['name']}")
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        if "x-source" not in schema:
            missing.append(name)
        for prop, value in schema.get("properties", {}).items():
            if "x-source" not in value:
                missing.append(f"{name}.{prop}")
    return missing


def test_an_evs_page_becomes_an_operation_with_nested_schemas(tmp_path: Path) -> None:
    page = OTHERS / "evs" / "apis" / "expanding_evs_disk_capacity.rst"
    draft, warnings = _import(page, tmp_path)
    assert [w.split("evs/apis/", 1)[1] for w in warnings] == [
        "expanding_evs_disk_capacity.rst:124: warning: response example has none of the "
        "table's fields; left out"
    ]
    operation = draft["paths"]["/v2.1/{project_id}/cloudvolumes/{volume_id}/action"]["post"]
    assert operation["operationId"] == "ExpandingEvsDiskCapacity"
    assert [(p["name"], p["in"], p["required"]) for p in operation["parameters"]] == [
        ("project_id", "path", True),
        ("volume_id", "path", True),
    ]
    body = operation["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/ExpandingEvsDiskCapacityRequest"}
    assert body["examples"]["Request1"]["value"] == {"os-extend": {"new_size": 100}}
    schemas = draft["components"]["schemas"]
    assert schemas["ExpandingEvsDiskCapacityRequest"]["required"] == ["os-extend"]
    option = schemas["OsExtend"]
    assert option["x-source"] == {
        "page": "apis/expanding_evs_disk_capacity.rst",
        "topic": "en-us_topic_0000000101",
        "table": "Table 3 os-extend field description",
    }
    assert option["required"] == ["new_size"]
    new_size = {k: v for k, v in option["properties"]["new_size"].items() if k != "x-source"}
    assert new_size == {
        "type": "integer",
        "minimum": 10,
        "maximum": 32768,
        "description": "The size the disk will have, in GiB.",
    }
    auto_pay = option["properties"]["is_auto_pay"]
    assert (auto_pay["enum"], auto_pay["default"]) == (["true", "false"], "false")
    answers = operation["responses"]["200"]["content"]["application/json"]["examples"]
    # The "Or" example is the error body, which no table of the page describes: left out.
    assert [e["value"] for e in answers.values()] == [
        {"job_id": "4010a32c5f1b3a6c015f1b4a09a30007"}
    ]
    assert _nodes_without_source(draft) == []


def test_nested_tables_are_found_by_title_and_through_section_links_on_other_pages(
    tmp_path: Path,
) -> None:
    page = OTHERS / "evs" / "apis" / "querying_job_status.rst"
    draft, warnings = _import(page, tmp_path)
    shown = [w.split("evs/apis/", 1)[1] for w in warnings]
    assert shown == [
        "querying_job_status.rst:88: warning: example is not valid JSON: Expecting value "
        "(column 38)"
    ]
    schemas = draft["components"]["schemas"]
    entities = schemas["QueryingJobStatusResponse"]["properties"]["entities"]
    assert entities["$ref"] == "#/components/schemas/Entities"
    sub_jobs = schemas["Entities"]["properties"]["sub_jobs"]
    assert sub_jobs["items"] == {"$ref": "#/components/schemas/SubJobs"}
    assert schemas["SubJobs"]["x-source"]["page"] == "data_structure/job_structures.rst"
    status = schemas["QueryingJobStatusResponse"]["properties"]["status"]
    assert status["enum"] == ["SUCCESS", "RUNNING", "FAIL", "INIT"]
    assert _nodes_without_source(draft) == []


def test_what_an_ims_page_does_not_let_it_read_is_a_located_warning(tmp_path: Path) -> None:
    page = OTHERS / "ims" / "apis" / "registering_an_image_file.rst"
    draft, warnings = _import(page, tmp_path)
    shown = [w.split("ims/apis/", 1)[1] for w in warnings]
    assert shown == [
        "registering_an_image_file.rst:44: warning: row 'os_version': type 'Enum<String>' is "
        "not a docs type this importer knows; drafted without a type",
        "registering_an_image_file.rst:48: warning: row 'license' links to "
        "'en-us_topic_0999999999__table7', which no page under tests/specs/otc-docs/ims has; "
        "the field is drafted without its table",
        "registering_an_image_file.rst:51: warning: not read: Error parsing content block for "
        'the "table" directive: exactly one table expected.',
        "registering_an_image_file.rst:80: warning: example is not valid JSON: Expecting "
        "property name enclosed in double quotes (column 1)",
    ]
    request = draft["components"]["schemas"]["RegisteringAnImageFileRequest"]["properties"]
    assert "type" not in request["os_version"]
    assert request["license"]["type"] == "object" and "$ref" not in request["license"]
    assert (request["name"]["minLength"], request["name"]["maxLength"]) == (1, 128)
    assert request["tags"]["items"] == {"type": "string"}
    operation = draft["paths"]["/v2/cloudimages/action"]["post"]
    assert "examples" not in operation["requestBody"]["content"]["application/json"]


def test_a_bms_page_with_query_parameters_maps_and_a_query_in_its_example(tmp_path: Path) -> None:
    page = OTHERS / "bms" / "apis" / "changing_the_os_of_a_bms.rst"
    draft, warnings = _import(page, tmp_path)
    assert warnings == []
    operation = draft["paths"]["/v1/{project_id}/baremetalservers/{server_id}/changeos"]["post"]
    force = operation["parameters"][2]
    assert (force["name"], force["in"], force["required"], force["schema"]) == (
        "force",
        "query",
        False,
        {"default": "false", "type": "string"},
    )
    schemas = draft["components"]["schemas"]
    # "**os-change** field description" describes the row of that name; no link needed.
    change = schemas["ChangingTheOsOfABmsRequest"]["properties"]["os-change"]
    assert change["$ref"] == "#/components/schemas/OsChange"
    metadata = schemas["OsChange"]["properties"]["metadata"]
    assert metadata["additionalProperties"] == {"type": "string"}
    assert schemas["OsChange"]["required"] == ["imageid"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    assert examples["Request1"]["value"]["os-change"]["metadata"] == {"purpose": "test"}


ECS_PAGES = {
    "lifecycle_management/creating_ecss.rst": [
        ":952: warning: request example does not fit the tables at /server/publicip/eip/"
        "bandwidth: 'chargemode' is a required property; left out",
        ":1107: warning: response example has none of the table's fields; left out",
    ],
    "lifecycle_management/deleting_ecss.rst": [
        ":201: warning: response example has none of the table's fields; left out"
    ],
    "batch_operations/stopping_ecss_in_a_batch.rst": [],
    "status_management/changing_an_ecs_os_using_an_image_with_cloud-init_installed.rst": [
        ":293: warning: request example does not fit the tables at /os-change: 'keyname' is a "
        "required property; left out",
        ":320: warning: request example does not fit the tables at /os-change: 'keyname' is a "
        "required property; left out",
    ],
    "disk_management/detaching_an_evs_disk_from_an_ecs.rst": [],
    "nic_management/adding_nics_to_an_ecs_in_a_batch.rst": [],
    "job_status_management/querying_job_execution_status.rst": [
        ":167: warning: response example does not fit the tables at /fail_reason: None is not "
        "of type 'string'; left out"
    ],
    "lifecycle_management/listing_details_about_ecss.rst": [
        ":706: warning: response example does not fit the tables at /servers/3/fault: None is "
        "not of type 'object'; left out"
    ],
}


@needs_api_ref
@pytest.mark.parametrize("page", sorted(ECS_PAGES))
def test_ecs_pages_draft_valid_documents(page: str, tmp_path: Path) -> None:
    draft, warnings = _import(API_REF / "apis_recommended" / page, tmp_path)
    assert [w.split(".rst", 1)[1] for w in warnings] == ECS_PAGES[page]
    assert _nodes_without_source(draft) == []


@needs_api_ref
def test_creating_ecss_reaches_the_data_structure_page(tmp_path: Path) -> None:
    draft, _ = _import(
        API_REF / "apis_recommended/lifecycle_management/creating_ecss.rst", tmp_path
    )
    schemas = draft["components"]["schemas"]
    assert schemas["Ipv6Bandwidth"]["x-source"]["page"] == (
        "data_structure/data_structure_for_creating_ecss.rst"
    )
    listing = draft["components"]["schemas"]["CreatingEcssResponse"]
    assert listing["x-source"]["table"] == "Response"


@needs_api_ref
def test_a_stray_brace_in_a_uri_is_dropped_and_said(tmp_path: Path) -> None:
    page = API_REF / "native_openstack_nova_apis/nic_management/detaching_a_nic_from_an_ecs.rst"
    draft, warnings = _import(page, tmp_path)
    assert warnings[0].endswith(
        ":23: warning: the URI /v2.1/{project_id}/servers/{server_id}/os-interface/{port_id}{ "
        "has a stray brace; drafted as /v2.1/{project_id}/servers/{server_id}/os-interface/"
        "{port_id}"
    )
    assert list(draft["paths"]) == ["/v2.1/{project_id}/servers/{server_id}/os-interface/{port_id}"]


def test_a_page_that_is_no_operation_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    out.mkdir()
    (out / "keep.yaml").write_text("openapi: 3.1.0\n", encoding="utf-8")
    before = snapshot(out)
    result = run_pipeline("import", OTHERS / "evs" / "common" / "returned_values.rst", "--out", out)
    assert result.status == 2
    assert result.err.endswith(
        "returned_values.rst:1: error: no request line (METHOD /path) in a URI section; this "
        "is not an operation page\n"
    )
    assert "Traceback" not in result.err
    assert snapshot(out) == before


def test_a_missing_page_is_unusable_input(tmp_path: Path) -> None:
    result = run_pipeline("import", tmp_path / "nowhere.rst", "--out", tmp_path)
    assert result.status == 2
    assert result.err.startswith("error: ")
    assert result.err.endswith("/nowhere.rst: no such page\n")


def test_make_import_writes_the_draft_into_out(tmp_path: Path) -> None:
    page = OTHERS / "bms" / "apis" / "changing_the_os_of_a_bms.rst"
    done = subprocess.run(
        ["make", "-s", "import", f"PAGE={page}", f"OUT={tmp_path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "changing_the_os_of_a_bms.yaml").is_file()
    usage = subprocess.run(["make", "-s", "import"], cwd=ROOT, capture_output=True, text=True)
    assert usage.returncode == 2
    assert usage.stderr.startswith("usage: make import PAGE=")


# --- hostile pages ------------------------------------------------------------------------------

PIECES = [
    "URI\n---\n\nPOST /v1/{a}/x{\n\n",
    "Request\n-------\n\n",
    "Response\n--------\n\n",
    ".. table:: **Table 2** t\n\n   ========= ========= ====== ====\n"
    "   Parameter Mandatory Type   Description\n   ========= ========= ====== ====\n"
    "   a         Yes       Object :ref:`x <y>`\n"
    "   b         No        Wat    **Range** 1 to 2\n   ========= ========= ====== ====\n\n",
    ".. _y:\n\n",
    '.. code-block::\n\n   POST https://x/v1/a\n\n   {"a": {"b": 1}}\n\n',
    '.. code-block::\n\n   {"a": \n\n',
    "   | x | y |\n",
    "\x00\u202e{}{{}}",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=30)), max_size=12))
def test_any_operation_page_drafts_a_valid_document_or_is_refused(parts: list[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "page.rst"
        page.write_text("Hostile\n=======\n\n" + "".join(parts), encoding="utf-8")
        try:
            draft = import_page(page)
        except ValueError as exc:  # no METHOD /path: refused with a located line
            assert str(exc).startswith(f"{page.name}:1: error:") or ":1: error:" in str(exc)
            return
        out = Path(folder) / "draft.yaml"
        out.write_text(render(draft), encoding="utf-8")
        assert validate(bundle(out)) == []
