"""One broken spec per validation rule: each problem reported once, located, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SPEC, SPECS, run_pipeline, snapshot

INVALID = SPECS / "invalid"

# case folder -> the exact problem lines the pipeline must print, in order.
EXPECTED: dict[str, list[str]] = {
    "yaml-syntax": ["openapi.yaml:9:6: YAML syntax error: did not find expected key [#]"],
    "duplicate-key": [
        "openapi.yaml:12:5: duplicate key 'get' (first defined on line 7) [#/paths/~1things/get]"
    ],
    "empty": ["openapi.yaml:1:1: the file is empty: expected an OpenAPI document [#]"],
    "not-utf8": ["openapi.yaml:3:14: not UTF-8: byte 0xe9 cannot be decoded [#]"],
    "unresolvable-ref": [
        "openapi.yaml:15:23: unresolvable $ref '#/components/schemas/Thingy': nothing at that "
        "place [#/paths/~1things/get/responses/200/content/application~1json/schema/$ref]"
    ],
    "missing-file": [
        "openapi.yaml:9:13: $ref 'schemas/Thing.yaml': no such file "
        "[#/components/schemas/Thing/$ref]"
    ],
    "external-file-problem": [
        "schemas/Thing.yaml:6:11: $ref 'Missing.yaml': no such file [#/properties/parent/$ref]",
        "schemas/Thing.yaml:8:9: example does not match its schema #/components/schemas/Thing: "
        "7 is not of type 'string' [#/examples/0/id]",
    ],
    "cyclic-ref": [
        "openapi.yaml:9:13: cyclic $ref: #/components/schemas/A -> #/components/schemas/B -> "
        "#/components/schemas/A [#/components/schemas/A/$ref]"
    ],
    "remote-ref": [
        "openapi.yaml:9:13: remote $ref 'https://example.com/schemas/thing.yaml' refused: only "
        "files under the spec's folder are read [#/components/schemas/Thing/$ref]"
    ],
    "outside-ref": [
        "openapi.yaml:9:13: $ref '../../outside.yaml' points outside the spec's folder; refused "
        "[#/components/schemas/Thing/$ref]"
    ],
    "missing-operation-id": [
        "openapi.yaml:7:5: operation GET /things has no operationId [#/paths/~1things/get]"
    ],
    "duplicate-operation-id": [
        "openapi.yaml:14:20: operationId 'getThing' is not unique (also at "
        "#/paths/~1things/get/operationId) [#/paths/~1things~1{id}/get/operationId]"
    ],
    "media-example": [
        "openapi.yaml:24:27: example does not match its schema "
        "#/paths/~1things/get/responses/200/content/application~1json/schema: 'three' is not of "
        "type 'integer' [#/paths/~1things/get/responses/200/content/application~1json/examples/"
        "bad/value/size]"
    ],
    "schema-example": [
        "openapi.yaml:13:11: example does not match its schema #/components/schemas/Status: "
        "'DONE' is not one of ['SUCCESS', 'FAIL'] [#/components/schemas/Status/examples/1]",
        "openapi.yaml:20:20: example does not match its schema "
        "#/components/schemas/Thing/properties/count: -1 is less than the minimum of 0 "
        "[#/components/schemas/Thing/properties/count/example]",
    ],
    "parameter-example": [
        "openapi.yaml:15:20: example does not match its schema "
        "#/paths/~1things/get/parameters/0/schema: 1000 is greater than the maximum of 100 "
        "[#/paths/~1things/get/parameters/0/example]"
    ],
    "referenced-example": [
        "openapi.yaml:31:7: example does not match its schema "
        "#/paths/~1things/post/requestBody/content/application~1json/schema: 'id' is a required "
        "property [#/components/examples/NoId/value]"
    ],
    "structure": [
        'openapi.yaml:2:1: "version" is a required property [#/info]',
        "openapi.yaml:14:13: 'objekt' is not valid under any of the given schemas "
        "[#/components/schemas/Thing/type]",
    ],
    "path-parameter": [
        "openapi.yaml:7:5: Path parameter 'id' for 'get' operation in '/things/{id}' was not "
        "resolved [#/paths/~1things~1{id}/get]"
    ],
}


def test_every_case_folder_has_expectations() -> None:
    assert sorted(p.name for p in INVALID.iterdir() if p.is_dir()) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_validate_reports_each_problem_once_where_it_is(case: str) -> None:
    result = run_pipeline("validate", "openapi.yaml", cwd=INVALID / case)
    lines = result.err.splitlines()
    assert result.status == 1, result.err
    assert "Traceback" not in result.err
    assert lines[:-1] == EXPECTED[case]
    count = len(EXPECTED[case])
    assert lines[-1] == f"{count} problem{'s' if count > 1 else ''}; nothing was written"


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_a_broken_spec_changes_nothing_in_out(case: str, existing_output: Path) -> None:
    before = snapshot(existing_output)
    result = run_pipeline(
        "build", "--spec", "openapi.yaml", "--out", existing_output, cwd=INVALID / case
    )
    assert result.status == 1
    assert result.err.splitlines()[:-1] == EXPECTED[case]
    assert snapshot(existing_output) == before
    assert sorted(p.name for p in existing_output.parent.iterdir()) == ["out"], "debris left"


def test_missing_spec_is_unusable_input(tmp_path: Path) -> None:
    result = run_pipeline("validate", tmp_path / "nope.yaml")
    assert result.status == 2
    assert result.err.strip().endswith("nope.yaml: no such file")
    assert "Traceback" not in result.err


def test_a_folder_is_unusable_input(tmp_path: Path) -> None:
    result = run_pipeline("validate", tmp_path)
    assert result.status == 2
    assert "is a directory" in result.err


def test_our_spec_is_valid() -> None:
    result = run_pipeline("validate", SPEC)
    assert result.status == 0, result.err
    assert result.out.strip() == "spec/openapi.yaml: valid"
