"""The build cache and the validation shortcuts only save time: the output stays byte for byte.

A build with an empty cache, one that takes everything from the cache of an earlier build, one
whose cache is stale (the spec was edited since) and one whose cache is damaged write the same
files, or fail with the same report. A failed build writes no cache. The shortcut that lets
jsonschema-rs settle openapi-spec-validator's meta-schema checks never passes a schema the
validator's own check fails.
"""

from __future__ import annotations

import copy
import hashlib
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema.exceptions import SchemaError, ValidationError
from openapi_schema_validator import OAS30Validator, OAS31Validator, oas31_format_checker

from conftest import ROOT, SPEC, SPECS, Run, run_pipeline
from scripts import schema_check, template_cache
from scripts.build import _render_documents
from scripts.bundle import bundle
from scripts.fragments import Fragments
from scripts.problems import SpecError
from scripts.publish import render_published, to_json, to_openapi_30, to_yaml

PUBLIC_SPECS = ROOT.parent / "shared" / "public-specs"
_PUBLIC = sorted(
    [*PUBLIC_SPECS.glob("*.yaml"), PUBLIC_SPECS / "redocly-starter" / "openapi" / "openapi.yaml"]
)
needs_public_specs = pytest.mark.skipif(
    not PUBLIC_SPECS.is_dir(), reason=f"{PUBLIC_SPECS} is not there (the shared folder)"
)


def contents(folder: Path) -> dict[str, str]:
    """Every file of a build by path, with the digest of its bytes."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def cache_of(out: Path) -> Path:
    return out.parent / f".{out.name}.cache"


def build(spec: Path, out: Path, *more: str) -> Run:
    return run_pipeline("build", "--spec", spec, "--out", out, "--package", "api", *more)


def same_build(first: Run, second: Run) -> None:
    """Two runs that either both built or both failed, with the same report: the same
    problems, or the same warnings (a cached result must not swallow one)."""
    assert first.status == second.status, (first.err, second.err)
    assert first.err == second.err


@pytest.mark.parametrize(
    "spec", [SPECS / "valid" / "warnings" / "openapi.yaml", SPECS / "client" / "warnings.yaml"]
)
def test_a_cached_build_prints_the_same_warnings(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cold = build(spec, out)
    assert cold.status == 0, cold.err
    assert "warning:" in cold.err
    cold_files = contents(out)
    warm = build(spec, out, "--force")
    same_build(cold, warm)
    assert contents(out) == cold_files


@needs_public_specs
@pytest.mark.parametrize("spec", _PUBLIC, ids=lambda p: p.relative_to(PUBLIC_SPECS).as_posix())
def test_a_build_from_the_cache_is_the_build_without_it(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cold = build(spec, out)
    if cold.status != 0:
        assert not out.exists() and not cache_of(out).exists(), "a failed build wrote something"
        same_build(cold, build(spec, out))
        return
    cold_files = contents(out)
    entries = contents(cache_of(out))
    warm = build(spec, out, "--force")
    same_build(cold, warm)
    assert contents(out) == cold_files
    assert contents(cache_of(out)) == entries  # all taken, none lost for the next build


def test_the_project_spec_builds_the_same_from_a_stale_and_a_damaged_cache(
    tmp_path: Path,
) -> None:
    spec_dir = tmp_path / "spec"
    shutil.copytree(SPEC.parent, spec_dir)
    spec = spec_dir / "openapi.yaml"
    out = tmp_path / "out"
    assert build(spec, out).status == 0
    # Stale: one schema's description changes; the cache is from the spec before the edit.
    schema = spec_dir / "schemas" / "ServerId.yaml"
    text = schema.read_text()
    assert "description:" in text
    schema.write_text(text.replace("description:", "description: Edited. ", 1))
    assert build(spec, out).status == 0
    edited = contents(out)
    fresh = tmp_path / "fresh"
    assert build(spec, fresh).status == 0
    assert contents(fresh) == edited
    # Damaged: every entry cut short, garbled, or its payload changed under its checksum.
    entries = sorted(cache_of(out).iterdir())
    assert entries
    for index, entry in enumerate(entries):
        data = entry.read_bytes()
        damaged = (data[: len(data) // 2], b"\x00garbage" + data, data + b"tampered")[index % 3]
        entry.write_bytes(damaged)
    assert build(spec, out, "--force").status == 0
    assert contents(out) == edited
    # The damaged entries were replaced by sound ones: the next build takes them.
    assert build(spec, out, "--force").status == 0
    assert contents(out) == edited


def test_a_validation_remembered_across_a_description_edit_sees_every_other_edit(
    tmp_path: Path,
) -> None:
    """A description edit keeps the remembered clean validation (its key leaves descriptions
    out); an edit that breaks an example or the structure is reported as without a cache."""
    spec_dir = tmp_path / "spec"
    shutil.copytree(SPEC.parent, spec_dir)
    spec = spec_dir / "openapi.yaml"
    out = tmp_path / "out"
    assert build(spec, out).status == 0
    remembered = sorted(cache_of(out).glob("valid-*"))
    assert remembered
    schema = spec_dir / "schemas" / "ServerId.yaml"
    text = schema.read_text()
    schema.write_text(text.replace("Reference to one ECS", "Edited: reference to one ECS", 1))
    assert build(spec, out).status == 0
    assert sorted(cache_of(out).glob("valid-*")) == remembered  # the same key: not re-checked
    # An example that no longer matches its schema (a warning), a type that does not exist.
    for edited, status in (
        (text.replace("  - id: bae51750-0089-41a1-9b18-5c777978ff6d\n", "  - id: 7\n"), 0),
        (text.replace("type: object", "type: strin", 1), 1),
    ):
        assert edited != text
        schema.write_text(edited)
        cached = build(spec, out)
        same_build(cached, build(spec, tmp_path / f"fresh-{status}"))
        assert cached.status == status
        assert "ServerId.yaml" in cached.err


def test_a_failed_build_writes_no_cache_and_keeps_the_old_one(tmp_path: Path) -> None:
    spec_dir = tmp_path / "spec"
    shutil.copytree(SPEC.parent, spec_dir)
    spec = spec_dir / "openapi.yaml"
    out = tmp_path / "out"
    assert build(spec, out).status == 0
    before = contents(cache_of(out))
    schema = spec_dir / "schemas" / "ServerId.yaml"
    schema.write_text(schema.read_text() + "required: [id]\n")  # a duplicate key
    assert build(spec, out).status == 1
    assert contents(cache_of(out)) == before
    invalid = SPECS / "invalid" / "structure" / "openapi.yaml"
    other = tmp_path / "other"
    assert build(invalid, other).status == 1
    assert not cache_of(other).exists()


def test_the_cache_holds_only_what_the_last_build_used(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(SPEC, out).status == 0
    first = set(contents(cache_of(out)))
    foreign = SPECS / "foreign" / "openapi.yaml"
    assert build(foreign, out).status == 0
    second = set(contents(cache_of(out)))
    # Only the remembered schema checks and the pieces of the documents (one entry each,
    # rewritten by every build with what it used) are in both.
    assert second
    assert {name.split("-")[0] for name in first & second} <= {"schema", "fragments"}


# --- the meta-schema check shortcut -----------------------------------------------------------


def _python_check_passes(dialect: str, value: Any) -> bool:
    """openapi-spec-validator's own check of a schema (what the shortcut must agree with)."""
    try:
        if dialect:
            OAS31Validator.check_schema(value, format_checker=oas31_format_checker)
        else:
            OAS30Validator.check_schema(value)
    except (SchemaError, ValidationError):
        return False
    return True


def _schemas_of(data: Any) -> list[Any]:
    """Every value under a ``schema`` key or in ``components/schemas``, and their parts."""
    found: list[Any] = []

    def walk(value: Any, is_schema: bool) -> None:
        if is_schema:
            found.append(value)
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, key in ("schema", "items", "not", "additionalProperties"))
                if key in ("schemas", "properties") and isinstance(item, dict):
                    for inner in item.values():
                        walk(inner, True)
                if key in ("allOf", "anyOf", "oneOf") and isinstance(item, list):
                    for inner in item:
                        walk(inner, True)
        elif isinstance(value, list):
            for item in value:
                walk(item, False)

    walk(data, False)
    return found


def _corpus_specs() -> list[Path]:
    specs = [SPEC, *SPECS.rglob("*.yaml"), *SPECS.rglob("*.json")]
    if PUBLIC_SPECS.is_dir():
        specs += [*PUBLIC_SPECS.rglob("*.yaml")]
    return specs


_KEYS = [
    "type", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "multipleOf", "required", "enum", "items", "prefixItems", "properties",
    "additionalProperties", "nullable", "discriminator", "format", "$ref", "default", "const",
    "allOf", "anyOf", "oneOf", "not", "minItems", "maxItems", "uniqueItems", "description",
    "title", "example", "examples", "readOnly", "xml", "externalDocs", "deprecated", "$id",
    "$anchor", "contentMediaType", "dependentRequired", "minProperties", "$defs", "if", "then",
    "unevaluatedProperties", "$comment", "$dynamicRef", "x-extension",
]  # fmt: skip
_VALUES: list[Any] = [
    None, True, False, 0, 1, -1, 1.0, 1.5, 2**70, "", "string", "integer", "null", "object",
    "foo", "#/a", "a b", "%zz", "\x00", [], ["string"], ["string", "string"], ["string", "null"],
    [1], {}, {"type": "string"}, {"type": 5}, {"a": {"type": "string"}}, {"a": 5},
    {"propertyName": "x"}, {"propertyName": 5}, {"name": "x"}, [{"type": "string"}], [5],
]  # fmt: skip


def _generated_schemas(count: int) -> list[Any]:
    """Schema-like values with keywords of every kind, right and wrong (a fixed seed)."""
    draw = random.Random(13)
    schemas: list[Any] = []
    for _ in range(count):
        schema: Any = {draw.choice(_KEYS): draw.choice(_VALUES) for _ in range(draw.randint(1, 4))}
        if draw.random() < 0.2:
            schema = {"properties": {"p": schema}}
        if draw.random() < 0.1:
            schema = {"allOf": [schema]}
        schemas.append(schema)
    return schemas


def test_jsonschema_rs_never_passes_a_schema_the_validator_fails() -> None:
    corpus: list[Any] = []
    for path in _corpus_specs():
        try:
            data = bundle(path).data
        except (SpecError, OSError, ValueError):
            continue
        corpus += _schemas_of(data)
        if str(data.get("openapi", "")).startswith("3.1"):
            corpus += _schemas_of(to_openapi_30(data))
    corpus += _generated_schemas(3000)
    quick = 0
    for value in corpus:
        for dialect in ("", "https://spec.openapis.org/oas/3.1/dialect/base"):
            if schema_check.passes_quickly(dialect, value):
                quick += 1
                assert _python_check_passes(dialect, value), (dialect, value)
    assert quick > len(corpus) // 2  # the shortcut does take most schemas


def test_a_schema_with_a_pattern_always_goes_to_the_validator() -> None:
    # Python's re rejects this pattern; the regex dialect of jsonschema-rs would not be asked.
    schema = {"type": "string", "pattern": "\\p{L}+"}
    for dialect in ("", "https://spec.openapis.org/oas/3.1/dialect/base"):
        assert not schema_check.passes_quickly(dialect, schema)
        assert not _python_check_passes(dialect, schema)


def test_damaged_compiled_templates_are_compiled_again(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(SPEC, out).status == 0  # fills the template cache if it was empty
    compiled = sorted(template_cache.FOLDER.rglob("*.cache"))
    assert compiled
    for index, path in enumerate(compiled):
        data = path.read_bytes()
        path.write_bytes((data[:20], b"garbage", data[:-7])[index % 3])
    again = tmp_path / "again"
    assert build(SPEC, again).status == 0
    assert contents(again) == contents(out)


# --- the published files, made in pieces ------------------------------------------------------

_EVERY_SPEC = sorted(
    [*SPECS.rglob("*.yaml"), *(_PUBLIC if PUBLIC_SPECS.is_dir() else [])],
    key=lambda path: path.as_posix(),
)


#: The pieces of the documents of another spec: a stale cache.
_OTHER_PIECES = _render_documents(bundle(SPECS / "foreign" / "openapi.yaml").data, None)[1]


def _published_whole(data: dict[str, Any]) -> dict[str, bytes]:
    """The published files, each written at once."""
    return {
        "openapi.yaml": to_yaml(data).encode(),
        "openapi.json": to_json(data).encode(),
        "openapi-3.0.yaml": to_yaml(to_openapi_30(data)).encode(),
    }


@pytest.mark.parametrize("path", _EVERY_SPEC, ids=lambda p: p.name if p.parent == SPECS else str(p))
def test_documents_made_in_pieces_are_the_documents_made_whole(path: Path) -> None:
    """The published files and the docs, made from the pieces of an earlier build of the same
    spec, of another spec (stale) or of none, are the same bytes; and the published files are
    those written at once."""
    try:
        data = bundle(path).data
    except SpecError:
        pytest.skip("not a spec that bundles")
    files, pieces = _render_documents(data, None)
    assert {name: files[name] for name in _published_whole(data)} == _published_whole(data)
    assert pieces  # made in pieces, not at once
    assert _render_documents(data, pieces) == (files, pieces)  # every piece from the cache
    assert _render_documents(data, _OTHER_PIECES)[0] == files


def test_an_edit_of_structure_or_text_renders_as_a_fresh_build() -> None:
    data = bundle(SPEC).data
    _, pieces = _render_documents(data, None)
    schemas = data["components"]["schemas"]
    name = next(n for n, s in schemas.items() if isinstance(s.get("properties"), dict))
    edits = [
        lambda d: d["components"]["schemas"][name].update(description="Edited *text*."),
        lambda d: d["components"]["schemas"][name]["properties"].update(added={"type": "integer"}),
        lambda d: d["components"]["schemas"][name].update(type=["object", "null"]),
        lambda d: d["paths"].pop(next(iter(d["paths"]))),
    ]
    for edit in edits:
        edited = copy.deepcopy(data)
        edit(edited)
        fresh, _ = _render_documents(edited, None)
        assert _render_documents(edited, pieces)[0] == fresh
        assert fresh != _render_documents(data, None)[0]


def test_published_pieces_hold_for_odd_documents_and_stale_or_damaged_pieces() -> None:
    shared = {"type": "string", "description": "written once, then as an alias"}
    odd: dict[Any, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "t\u00fc", "version": "1"},
        "paths": {"/a": {"get": {"parameters": [{"schema": shared}]}}, "/b": {}},
        "webhooks": {},
        "components": {
            "schemas": {"A": shared, "x" * 200: {"description": "long " * 40}, 1: {}},
            "on": {"yes": {"description": "keys YAML would quote"}},
            "examples": None,
        },
        7: ["a key that is no string"],
    }
    unshared = copy.deepcopy(odd)
    other = copy.deepcopy(unshared)
    other["components"]["schemas"]["A"]["description"] = "changed"
    stale = Fragments()
    render_published(other, stale)
    for document in (odd, unshared):
        whole = _published_whole(document)
        assert render_published(document, Fragments()) == whole
        assert render_published(document, Fragments(stale.payload())) == whole
        for payload in (b"garbage", stale.payload()[:-7], b"\0\0"):
            assert render_published(document, Fragments(payload)) == whole
