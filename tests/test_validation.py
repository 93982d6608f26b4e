"""One broken spec per validation rule: each problem reported once, located, nothing written;
examples that do not match their schema: a located warning, or an error where asked for."""

from __future__ import annotations

import copy
import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ROOT, SPEC, SPECS, bundling, run_pipeline, snapshot
from scripts.bundle import Bundle, bundle
from scripts.problems import errors_in
from scripts.publish import NO_RESPONSES, to_openapi_30
from scripts.validate import examples_policy, validate, validate_derived
from scripts.validation_key import rewrite_descriptions, validation_key

INVALID = SPECS / "invalid"
EXAMPLES = SPECS / "examples"
VALID = SPECS / "valid"

# case folder -> the exact problem lines the pipeline must print, in order.
EXPECTED: dict[str, list[str]] = {
    "yaml-syntax": ["openapi.yaml:9:6: YAML syntax error: did not find expected key [#]"],
    "duplicate-key": [
        "openapi.yaml:12:5: duplicate key 'get' (first defined on line 7) [#/paths/~1things/get]"
    ],
    "empty": ["openapi.yaml:1:1: the file is empty: expected an OpenAPI document [#]"],
    # Once "internal error (UnknownType)": the example check ran a validator on the bad type.
    "unknown-type": [
        "openapi.yaml:7:13: 'strin' is not one of ['array', 'boolean', 'integer', 'null', "
        "'number', 'object', 'string'] [#/components/schemas/A/type]",
        "openapi.yaml:8:18: warning: example not checked: its schema #/components/schemas/A "
        "names a type JSON Schema does not have ('strin') [#/components/schemas/A/examples/0]",
    ],
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
        "schemas/Thing.yaml:8:9: warning: example does not match its schema "
        "#/components/schemas/Thing: 7 is not of type 'string' [#/examples/0/id]",
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
    "duplicate-operation-id": [
        "openapi.yaml:14:20: operationId 'getThing' is not unique (also at "
        "#/paths/~1things/get/operationId) [#/paths/~1things~1{id}/get/operationId]"
    ],
    "structure": [
        "openapi.yaml:2:1: 'version' is a required property [#/info]",
        "openapi.yaml:14:13: 'objekt' is not one of ['array', 'boolean', 'integer', 'null', "
        "'number', 'object', 'string'] [#/components/schemas/Thing/type]",
    ],
    "invalid-default": [
        "openapi.yaml:14:22: 'ten' is not of type 'integer' "
        "[#/paths/~1things/get/parameters/0/schema/default]",
        "openapi.yaml:29:24: 'km' is not one of ['cm', 'm'] "
        "[#/components/schemas/Thing/properties/size/properties/unit/default]",
    ],
    "circular-allof": [
        # Tree (an array of Trees) is a recursive schema, not a loop: no problem.
        "openapi.yaml:10:17: circular allOf: #/components/schemas/Animal -> "
        "#/components/schemas/Pet -> #/components/schemas/Animal; a schema cannot include "
        "itself [#/components/schemas/Pet/allOf/0/$ref]"
    ],
    "too-deep": [
        "openapi.yaml:9:530: nested more than 64 levels deep [#/components/schemas/Deep"
        + "/properties/a" * 30
        + "/properties]"
    ],
    "x-waiter": [
        "openapi.yaml:15:17: x-waiter: 'status' is not a JSON pointer (like '/status') "
        "[#/paths/~1jobs~1{jobId}/get/x-waiter/status]",
        "openapi.yaml:16:18: x-waiter: 'SUCCESS' is not of type 'array' "
        "[#/paths/~1jobs~1{jobId}/get/x-waiter/success]",
        "openapi.yaml:18:19: x-waiter: unknown field 'interval' (known: status, success, "
        "failure) [#/paths/~1jobs~1{jobId}/get/x-waiter/interval]",
        "openapi.yaml:30:19: x-waiter: 'DONE' is both a success and a failure status "
        "[#/paths/~1tasks~1{taskId}/get/x-waiter/failure/0]",
        "openapi.yaml:37:7: x-waiter: 'status' is a required property "
        "[#/paths/~1other/get/x-waiter]",
        "openapi.yaml:38:9: x-waiter: [] should be non-empty "
        "[#/paths/~1other/get/x-waiter/success]",
    ],
    "path-braces": [
        "openapi.yaml:4:3: path '/v1/{project_id}/servers/{server_id' is not a path template: "
        "each '{' needs its '}', around a name (like /servers/{server_id}) "
        "[#/paths/~1v1~1{project_id}~1servers~1{server_id]",
        "openapi.yaml:12:3: path '/a}/{b}}' is not a path template: each '{' needs its '}', "
        "around a name (like /servers/{server_id}) [#/paths/~1a}~1{b}}]",
    ],
    "structure-deep": [
        # Each at the field at fault, blaming the alternative the author meant (a path
        # parameter, an apiKey scheme), not the Reference Object or another kind.
        "openapi.yaml:9:68: 'strin' is not one of ['array', 'boolean', 'integer', 'number', "
        "'object', 'string'] [#/paths/~1x~1{id}/get/parameters/0/schema/items/type]",
        "openapi.yaml:10:11: 'required' is a required property "
        "[#/paths/~1x~1{id}/get/parameters/1]",
        "openapi.yaml:18:27: unresolvable $ref '#/components/schemas/Nope': nothing at that "
        "place [#/paths/~1x~1{id}/get/requestBody/content/application~1json/schema/properties/"
        "a/$ref]",
        "openapi.yaml:20:9: 'description' is a required property "
        "[#/paths/~1x~1{id}/get/responses/200]",
        "openapi.yaml:32:7: 'propertyName' is a required property "
        "[#/components/schemas/S/discriminator]",
        "openapi.yaml:34:5: 'in' is a required property [#/components/securitySchemes/k]",
    ],
    "structure-deep-31": [
        # The same in 3.1, whose schema leaves fields "unevaluated" after the real mistake.
        "openapi.yaml:9:68: 'strin' is not one of ['array', 'boolean', 'integer', 'null', "
        "'number', 'object', 'string'] [#/paths/~1x~1{id}/get/parameters/0/schema/items/type]",
        "openapi.yaml:10:11: 'required' is a required property "
        "[#/paths/~1x~1{id}/get/parameters/1]",
        "openapi.yaml:18:27: unresolvable $ref '#/components/schemas/Nope': nothing at that "
        "place [#/paths/~1x~1{id}/get/requestBody/content/application~1json/schema/properties/"
        "a/$ref]",
        "openapi.yaml:20:9: 'description' is a required property "
        "[#/paths/~1x~1{id}/get/responses/200]",
        "openapi.yaml:32:7: 'propertyName' is a required property "
        "[#/components/schemas/S/discriminator]",
        "openapi.yaml:34:5: 'in' is a required property [#/components/securitySchemes/k]",
    ],
    "path-parameter": [
        "openapi.yaml:7:5: Path parameter 'id' for 'get' operation in '/things/{id}' was not "
        "resolved [#/paths/~1things~1{id}/get]"
    ],
}


# case folder -> the located mismatches, in order, as errors (with --examples error); by
# default each is the same line with "warning: " after the place.
MISMATCHES: dict[str, list[str]] = {
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
    "read-write-only": [
        # A request may leave out the readOnly id (and its value is not checked), a response
        # the writeOnly password; the other way round they are demanded.
        "openapi.yaml:17:17: example does not match its schema "
        "#/paths/~1users/post/requestBody/content/application~1json/schema: 'password' is a "
        "required property [#/paths/~1users/post/requestBody/content/application~1json/examples/"
        "noPassword/value]",
        "openapi.yaml:28:19: example does not match its schema "
        "#/paths/~1users/post/responses/201/content/application~1json/schema: 'id' is a "
        "required property [#/paths/~1users/post/responses/201/content/application~1json/"
        "examples/noId/value]",
    ],
    "one-of-closest": [
        "openapi.yaml:20:42: example does not match its schema "
        "#/paths/~1pets/post/requestBody/content/application~1json/schema: it matches no "
        "branch; the closest, oneOf/1 (#/components/schemas/Dog), fails: 'deafening' is not one "
        "of ['loud', 'quiet'] [#/paths/~1pets/post/requestBody/content/application~1json/"
        "examples/loudDog/value/bark]",
        "openapi.yaml:39:17: example does not match its schema "
        "#/paths/~1animals/post/requestBody/content/application~1json/schema: it matches no "
        "branch; the closest, oneOf/0 (#/components/schemas/Bird), fails: 'wings' is a "
        "required property [#/paths/~1animals/post/requestBody/content/application~1json/"
        "examples/bird/value]",
    ],
}


def test_every_case_folder_has_expectations() -> None:
    assert sorted(p.name for p in INVALID.iterdir() if p.is_dir()) == sorted(EXPECTED)
    assert sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()) == sorted(MISMATCHES)


def _summary(lines: list[str]) -> str:
    warnings = sum(": warning: " in line for line in lines)
    errors = len(lines) - warnings
    text = f"{errors} problem{'s' if errors != 1 else ''}"
    if warnings:
        text += f", {warnings} warning{'s' if warnings != 1 else ''}"
    return text + "; nothing was written"


def _as_warning(line: str) -> str:
    place, message = line.split(": ", 1)
    return f"{place}: warning: {message}"


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_validate_reports_each_problem_once_where_it_is(case: str) -> None:
    result = run_pipeline("validate", "openapi.yaml", cwd=INVALID / case)
    lines = result.err.splitlines()
    assert result.status == 1, result.err
    assert "Traceback" not in result.err
    assert lines[:-1] == EXPECTED[case]
    assert lines[-1] == _summary(EXPECTED[case])


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


@pytest.mark.parametrize("case", sorted(MISMATCHES))
def test_a_mismatching_example_is_a_located_warning_by_default(
    case: str, existing_output: Path
) -> None:
    result = run_pipeline("validate", "openapi.yaml", cwd=EXAMPLES / case)
    assert result.status == 0, result.err
    assert result.err.splitlines() == [_as_warning(line) for line in MISMATCHES[case]]
    count = len(MISMATCHES[case])
    assert result.out == f"openapi.yaml: valid ({count} warning{'s' if count > 1 else ''})\n"


@pytest.mark.parametrize("case", sorted(MISMATCHES))
def test_a_mismatching_example_is_an_error_when_asked(case: str, existing_output: Path) -> None:
    result = run_pipeline("validate", "--examples", "error", "openapi.yaml", cwd=EXAMPLES / case)
    assert result.status == 1
    assert result.err.splitlines() == [*MISMATCHES[case], _summary(MISMATCHES[case])]
    before = snapshot(existing_output)
    result = run_pipeline(
        "build",
        "--examples",
        "error",
        "--spec",
        "openapi.yaml",
        "--out",
        existing_output,
        cwd=EXAMPLES / case,
    )
    assert result.status == 1
    assert result.err.splitlines()[:-1] == MISMATCHES[case]
    assert snapshot(existing_output) == before


def test_our_own_spec_is_held_to_its_examples(tmp_path: Path) -> None:
    """pyproject.toml makes a mismatch in spec/ an error without any flag, so `make build`
    stays strict; the same spec copied elsewhere only warns, unless --examples error."""
    assert examples_policy(SPEC) == "error"
    assert examples_policy(SPEC, "warning") == "warning"
    copy = tmp_path / "spec"
    shutil.copytree(SPEC.parent, copy)
    status = copy / "schemas" / "JobStatus.yaml"
    status.write_text(status.read_text().replace("  - RUNNING\nx-decision", "  - DONE\nx-decision"))
    assert examples_policy(copy / "openapi.yaml") == "warning"
    line = (
        "schemas/JobStatus.yaml:19:5: {}example does not match its schema "
        "#/components/schemas/JobStatus: 'DONE' is not one of ['SUCCESS', 'RUNNING', 'FAIL', "
        "'INIT'] [#/examples/1]"
    )
    result = run_pipeline("validate", "openapi.yaml", cwd=copy)
    assert (result.status, result.err.splitlines()) == (0, [line.format("warning: ")])
    result = run_pipeline("validate", "--examples", "error", "openapi.yaml", cwd=copy)
    assert (result.status, result.err.splitlines()[0]) == (1, line.format(""))


def test_operation_ids_are_optional_for_operations_callbacks_and_webhooks() -> None:
    result = run_pipeline("validate", "openapi.yaml", cwd=VALID / "no-operation-id")
    assert (result.status, result.err, result.out) == (0, "", "openapi.yaml: valid\n")


def test_the_bundler_rewrites_file_references_in_a_discriminator_mapping() -> None:
    folder = VALID / "discriminator-files"
    data = bundle(folder / "openapi.yaml").data
    pet = data["paths"]["/pets"]["get"]["responses"]["200"]["content"]["application/json"]
    assert pet["schema"]["discriminator"]["mapping"] == {
        "cat": "#/components/schemas/Cat",  # the component the file became
        "dog": "#/paths/~1pets/get/responses/200/content/application~1json/schema/oneOf/1",
        "lizard": "#/components/schemas/Lizard",  # named only here: a component of its own
        "bird": "#/components/schemas/Cat",  # internal: unchanged
    }
    assert data["components"]["schemas"]["Lizard"]["properties"]["kind"] == {"const": "lizard"}
    result = run_pipeline("validate", "openapi.yaml", cwd=folder)
    assert (result.status, result.err) == (0, "")


PUBLIC_SPECS = ROOT.parent / "shared" / "public-specs"
# spec (relative to PUBLIC_SPECS) -> the warnings validation gives, exactly.
PUBLIC_WARNINGS: dict[str, list[str]] = {
    "api-with-examples.yaml": [],
    "callback-example.yaml": [],
    "link-example.yaml": [],
    "non-oauth-scopes.yaml": [
        # 3.1 allows it; 3.0, which the build also publishes, does not.
        "non-oauth-scopes.yaml:7:5: warning: operation GET /users describes no response; the "
        "OpenAPI 3.0 rendering gives it a default response described as unspecified "
        "[#/paths/~1users/get]"
    ],
    "petstore-expanded.yaml": [],
    "petstore.yaml": [],
    "swagger-petstore.yaml": [],
    "twilio_studio_v2.yaml": [],
    "uspto.yaml": [],
    "webhook-example.yaml": [],
    # Its Beverage and Dessert request examples leave out required readOnly fields (id,
    # createdAt, ...), which a request need not send: no warning for those.
    "redocly-starter/openapi/openapi.yaml": [
        "redocly-starter/openapi/paths/order-items.yaml:14:17: warning: 'required' next to $ref "
        "is ignored: a Reference Object takes only summary and description (repeat it in the "
        "referenced object instead) [#/get/parameters/0/required]"
    ],
}


@pytest.mark.skipif(not PUBLIC_SPECS.is_dir(), reason="../shared/public-specs is not here")
def test_every_public_spec_is_covered() -> None:
    found = {p.name for p in PUBLIC_SPECS.glob("*.yaml")} | {"redocly-starter/openapi/openapi.yaml"}
    assert found == set(PUBLIC_WARNINGS)


@pytest.mark.skipif(not PUBLIC_SPECS.is_dir(), reason="../shared/public-specs is not here")
@pytest.mark.parametrize("name", sorted(PUBLIC_WARNINGS))
def test_public_specs_validate_with_their_warnings(name: str) -> None:
    result = run_pipeline("validate", name, cwd=PUBLIC_SPECS)
    assert result.status == 0, result.err
    assert result.err.splitlines() == PUBLIC_WARNINGS[name]


def test_a_build_prints_each_warning_once_and_succeeds(tmp_path: Path) -> None:
    """Warnings of validation (the example) and of rendering (a scheme the client cannot
    apply), each located, once, in file order; the build still writes OUT."""
    out = tmp_path / "out"
    result = run_pipeline(
        "build",
        "--spec",
        "openapi.yaml",
        "--out",
        out,
        "--package",
        "warned",
        cwd=VALID / "warnings",
    )
    assert result.status == 0, result.err
    lines = result.err.splitlines()
    assert [line.split(": warning: ")[0] for line in lines] == [
        "openapi.yaml:10:11",  # rendering: security requirement of the operation
        "openapi.yaml:21:24",  # validation: the example
        "openapi.yaml:24:5",  # rendering: the digest scheme
    ]
    assert lines[1] == (
        "openapi.yaml:21:24: warning: example does not match its schema "
        "#/paths/~1things/get/responses/200/content/application~1json/schema: 'many' is not of "
        "type 'integer' [#/paths/~1things/get/responses/200/content/application~1json/example/"
        "count]"
    )
    assert all(line.endswith("]") for line in lines)
    assert result.out.endswith("(3 warnings)\n")
    assert (out / "warned" / "_client.py").is_file()


def test_the_30_rendering_describes_a_response_where_31_has_none() -> None:
    data = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/users": {"get": {"operationId": "listUsers"}}},
    }
    rendered = to_openapi_30(data)
    assert rendered["paths"]["/users"]["get"]["responses"] == {
        "default": {"description": NO_RESPONSES}
    }
    assert validate_derived(rendered) == []


def test_fields_beside_a_ref_stay_with_that_use() -> None:
    """`required: true` beside the first $ref to a file amends that use only: the next
    reference to the same file gets the parameter as the file writes it."""
    data = bundle(VALID / "ref-siblings" / "openapi.yaml").data
    first = data["paths"]["/a"]["get"]["parameters"]
    second = data["paths"]["/b"]["get"]["parameters"]
    assert first == [
        {"name": "filter", "in": "query", "schema": {"type": "string"}, "required": True}
    ]
    assert second == [{"name": "filter", "in": "query", "schema": {"type": "string"}}]


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


# --- a clean validation is remembered without the descriptions ---------------------------------

#: Every spec at hand: the test specs (also their parts, which may be specs of their own) and
#: the public ones.
_ALL_SPECS = sorted(
    [
        *SPECS.rglob("*.yaml"),
        *PUBLIC_SPECS.glob("*.yaml"),
        PUBLIC_SPECS / "redocly-starter" / "openapi" / "openapi.yaml",
    ]
)
#: Description texts unlike any real one: empty, long, with markup, quotes and a $ref in them.
_REWRITES = (
    lambda text: "",
    lambda text: f"'$ref': '#/nowhere'\n\n# {text[::-1]} {{{{ x }}}} \u00fc\u2028" + "y" * 3000,
)


def _findings(spec: Bundle) -> list[tuple[str, str, str]]:
    """What validation says of a bundled spec, placed, without the words (which may quote a
    description): the places and severities of the spec's problems and of its 3.0 rendering's."""
    problems = validate(spec)
    found = [("3.1", problem.pointer, problem.severity) for problem in problems]
    if not errors_in(problems):  # as in the build, which renders only a spec without errors
        derived = validate_derived(to_openapi_30(spec.data))
        found += [("3.0", pointer, "error") for pointer, _ in derived]
    return found


@pytest.mark.parametrize(
    "path", bundling(_ALL_SPECS), ids=lambda p: p.relative_to(ROOT.parent).as_posix()
)
def test_no_finding_of_validation_depends_on_what_its_key_leaves_out(path: Path) -> None:
    """The descriptions that :func:`validation_key` leaves out, rewritten, change nothing
    validation finds: so a clean validation remembered under the key holds for every spec
    with that key. A spec keyed by its whole content gets another key for any rewrite."""
    if not path.exists():
        pytest.skip(f"{path} is not here")
    spec = bundle(path)
    key = validation_key(spec.data, "warning")
    if not key.startswith("descriptions-left-out|"):
        edited = rewrite_descriptions(spec.data, lambda text: f"{text} (edited)")
        assert edited == spec.data or validation_key(edited, "warning") != key
        return
    before = _findings(spec)
    rewritten = 0
    for rewrite in _REWRITES:

        def counting(text: str, rewrite: Callable[[str], str] = rewrite) -> str:
            nonlocal rewritten
            rewritten += 1
            return rewrite(text)

        changed = dataclasses.replace(spec, data=rewrite_descriptions(spec.data, counting))
        assert validation_key(changed.data, "warning") == key
        assert _findings(changed) == before
    if path.name == "openapi.yaml" and path.parent == SPECS / "tasks":
        assert rewritten > 0  # the rewrite reaches real descriptions


def test_the_validation_key_keeps_all_but_descriptions() -> None:
    spec = bundle(SPEC)
    key = validation_key(spec.data, "error")
    assert validation_key(spec.data, "warning") != key  # the policy is part of it
    schemas = spec.data["components"]["schemas"]
    name = next(n for n, s in schemas.items() if isinstance(s.get("description"), str))
    edited = copy.deepcopy(spec.data)
    edited["components"]["schemas"][name]["description"] += " Edited."
    assert validation_key(edited, "error") == key
    edited["components"]["schemas"][name]["x-note"] = "an extension is a value"
    assert validation_key(edited, "error") != key
    # A reference into a component, not to it, could make a description a value or a schema:
    # such a document is keyed by its whole content.
    inner = copy.deepcopy(spec.data)
    inner["components"]["schemas"]["Inner"] = {"$ref": f"#/components/schemas/{name}/description"}
    assert validation_key(inner, "error").startswith("whole|")


class _Mapping:
    """Subscriptable by its methods, without being a dict."""

    def __contains__(self, key: object) -> bool:
        return False

    def __getitem__(self, key: object) -> object:
        raise KeyError(key)

    def __len__(self) -> int:
        return 0


def test_the_quick_subscriptable_check_gives_the_protocols_answer() -> None:
    """scripts.validate answers pathable's Subscriptable check once per JSON type; every
    answer is the one of the protocol itself."""
    import pathable.accessors
    from pathable.protocols import Subscriptable

    quick = pathable.accessors.Subscriptable  # type: ignore[attr-defined]
    assert quick is not Subscriptable  # the quick check is in place
    values = [{}, {"a": 1}, [], [1], "", "text", 0, 7, 1.5, True, False, None, b"x", (), _Mapping()]
    for value in values:
        assert isinstance(value, quick) == isinstance(value, Subscriptable), value
    assert isinstance(_Mapping(), quick) and not isinstance(3, quick)
