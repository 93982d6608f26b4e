"""The build cache and the validation shortcuts only save time: the output stays byte for byte.

A build with an empty cache, one that takes everything from the cache of an earlier build, one
whose cache is stale (the spec was edited since) and one whose cache is damaged write the same
files, or fail with the same report. A failed build writes no cache. The shortcut that lets
jsonschema-rs settle openapi-spec-validator's meta-schema checks never passes a schema the
validator's own check fails. The models generated with masked descriptions, the texts put
back, are the models generated from the document; an edit to descriptions reuses them and the
import check's verdict, which such an edit cannot change; the import checker started early
never outlives the build.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import hashlib
import os
import random
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from jsonschema.exceptions import SchemaError, ValidationError
from openapi_schema_validator import OAS30Validator, OAS31Validator, oas31_format_checker

from conftest import ROOT, SPEC, SPECS, Run, bundling, run_pipeline
from scripts import build as build_module
from scripts import schema_check, template_cache
from scripts.build import _render_documents
from scripts.bundle import bundle
from scripts.cache import BuildCache, unpack_files
from scripts.fragments import Fragments
from scripts.problems import SpecError
from scripts.publish import render_published, to_json, to_openapi_30, to_yaml
from scripts.render_models import _named_models, adjust_schemas, mask_descriptions, render_models

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


def _our_spec_built_once(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of the project's spec folder, its root file, and the OUT of a successful cold
    build of it (with the cache that build left beside OUT)."""
    spec_dir = tmp_path / "spec"
    shutil.copytree(SPEC.parent, spec_dir)
    spec = spec_dir / "openapi.yaml"
    out = tmp_path / "out"
    assert build(spec, out).status == 0
    return spec_dir, spec, out


def test_the_project_spec_builds_the_same_from_a_stale_and_a_damaged_cache(
    tmp_path: Path,
) -> None:
    spec_dir, spec, out = _our_spec_built_once(tmp_path)
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
    spec_dir, spec, out = _our_spec_built_once(tmp_path)
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
    spec_dir, spec, out = _our_spec_built_once(tmp_path)
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


# --- models generated with masked descriptions ------------------------------------------------

_HEADER = '"""Models."""'
#: Texts the generator escapes (quotes, backslashes, control characters, line breaks Python
#: and Jinja read differently), texts that look like a placeholder, and plain ones.
_HOSTILE = [
    "plain", "quote \" and ' both", 'triple """ inside', "back\\slash \\n",
    "multi\nline\n\n  indented",
    'ends with quote"', "ends with backslash\\", "tab\there", "cr\r\nlf", "lone\rcr",
    "uni \u00e9 \u2028 sep \x85 nel", "x" * 150, "   ", "", "form\x0cfeed", "nul\x00byte",
    "descz5_", "DESCZ0_", " padded  ", "\nstarts with a newline", "ends with a newline\n",
    '"""', "\\", "'", "\"\"\" + __import__('os').system('false') + \"\"\"", "v\x0bt",
]  # fmt: skip
#: Texts that the generator and Jinja's indent (our Enum template) break into the same lines.
_PLAIN = [
    t
    for t in _HOSTILE
    if not t.startswith("\n") and not any(c in t for c in "\r\x0b\x0c\x85\u2028")
]


def _described(texts: list[str]) -> dict[str, Any]:
    """A document whose schemas of every kind the generator writes carry the ``texts``."""
    schemas: dict[str, Any] = {}
    for index, text in enumerate(texts):
        schemas[f"Thing{index}"] = {
            "type": "object",
            "description": text,
            "properties": {
                "name": {"type": "string", "description": text, "default": f"n{index}"},
                "inner": {
                    "type": "object",
                    "description": text,
                    "properties": {"mode": {"enum": ["a", "b"], "description": text}},
                },
                "kind": {"$ref": f"#/components/schemas/Kind{index}", "description": text},
                # Named like a data keyword: its text is kept as it is.
                "default": {"type": "object", "description": "descz0_ kept", "properties": {}},
            },
        }
        # A value like a placeholder: the placeholders take another start.
        schemas[f"Kind{index}"] = {"type": "string", "enum": ["x", "descz0_"], "description": text}
        schemas[f"Level{index}"] = {"type": "integer", "enum": [1, 2], "description": text}
        schemas[f"Names{index}"] = {
            "type": "array",
            "items": {"type": "string"},
            "description": text,
        }
        schemas[f"Either{index}"] = {
            "oneOf": [
                {"type": "string", "description": text},
                {"$ref": f"#/components/schemas/Thing{index}"},
            ],
            "description": text,
        }
    info = {"title": "t", "version": "1", "description": texts[0] if texts else "x"}
    return {"openapi": "3.1.0", "info": info, "paths": {}, "components": {"schemas": schemas}}


def _masked_and_plain(texts: list[str]) -> tuple[str | None, str]:
    """The models put back from a masked run (None: not put back), and those of the document."""
    document = adjust_schemas(_described(texts))
    expected, _ = _named_models(document, "x.yaml", _HEADER)
    masked = mask_descriptions(document)
    source, _ = _named_models(masked.document, "x.yaml", _HEADER)
    return masked.unmask(source), expected


def test_plain_descriptions_are_put_back_as_the_generator_writes_them() -> None:
    unmasked, expected = _masked_and_plain(_PLAIN)
    assert unmasked == expected


def test_descriptions_that_cannot_be_put_back_are_generated_from_the_document() -> None:
    for text in sorted(set(_HOSTILE) - set(_PLAIN)):
        unmasked, expected = _masked_and_plain(["plain", text])
        assert unmasked is None or unmasked == expected, text
    assert _masked_and_plain(["cr\r\nlf"])[0] is None  # such text is what the mask gives up on


_TEXTS = st.lists(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
    | st.sampled_from(['"""', "\\", "'", "descz0_", "\n"]),
    max_size=5,
).map("".join)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TEXTS, min_size=1, max_size=4))
# A character newer than this interpreter's Unicode tables: repr() escapes it, the generator
# (which writes literals by the newest Python's tables) does not.
@example(["\U00013440"])
def test_masked_models_are_the_models_of_the_document(texts: list[str]) -> None:
    unmasked, expected = _masked_and_plain(texts)
    event("put back" if unmasked is not None else "generated from the document")
    assert unmasked is None or unmasked == expected


def test_models_from_the_cache_are_the_models_generated(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path)
    started: list[bool] = []
    first = render_models(
        _described(_PLAIN), "x.yaml", cache=cache, before_generating=lambda: started.append(True)
    )
    assert started
    cache.save()
    assert [p.name.split("-")[0] for p in tmp_path.iterdir()] == ["models"]
    # Blank descriptions are structure (no docstring is written for them): those stay.
    edited = _described([text + " (edited)" if text.strip() else text for text in _PLAIN])
    again = render_models(
        edited, "x.yaml", cache=BuildCache(tmp_path), before_generating=started.clear
    )
    assert started  # not generated again: the structure is the same
    assert again.source == render_models(edited, "x.yaml").source
    assert again.structure == first.structure is not None
    assert (again.classes, again.fields) == (first.classes, first.fields)


# --- the import check and its verdict ---------------------------------------------------------


def _entries(out: Path, kind: str) -> set[str]:
    return {p.name for p in cache_of(out).iterdir() if p.name.rsplit("-", 1)[0] == kind}


def _without_text(source: bytes) -> str:
    """A module's syntax tree with docstrings and pydantic's field descriptions blanked: what
    is left is all an import can depend on."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Field":
            for keyword in node.keywords:
                if keyword.arg == "description" and isinstance(keyword.value, ast.Constant):
                    keyword.value.value = ""
        first = (getattr(node, "body", None) or [None])[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            first.value.value = "" if isinstance(first.value.value, str) else first.value.value
    return ast.dump(tree)


def test_an_edit_of_descriptions_reuses_the_models_and_the_import_verdict(tmp_path: Path) -> None:
    spec_dir, spec, out = _our_spec_built_once(tmp_path)
    models, imports = _entries(out, "models"), _entries(out, "imports")
    assert len(models) == len(imports) == 1
    before = (out / "api" / "models.py").read_bytes()
    schema = spec_dir / "schemas" / "ServerId.yaml"
    text = schema.read_text()
    hostile = '""" + __import__("os").system("false") + """ \\\\ \'quoted\' \\'
    text = text.replace("Specifies the ECS ID.", hostile).replace("Reference to one", "One \\")
    schema.write_text(text)
    assert build(spec, out).status == 0
    after = (out / "api" / "models.py").read_bytes()
    assert after != before
    # The same entries, taken rather than made again: no generator run, no import check.
    assert (_entries(out, "models"), _entries(out, "imports")) == (models, imports)
    # The verdict holds: the edit changed text no import reads, and the package does import.
    assert _without_text(after) == _without_text(before)
    build_module.check_imports(out / "api")
    fresh = tmp_path / "fresh"
    assert build(spec, fresh).status == 0
    assert contents(fresh) == contents(out)
    # A change of structure (a constraint) generates and checks again.
    schema.write_text(
        schema.read_text().replace("    type: string\n", "    type: string\n    maxLength: 64\n", 1)
    )
    assert build(spec, out).status == 0
    assert not _entries(out, "models") & models
    assert not _entries(out, "imports") & imports


def test_models_that_fail_to_import_while_the_rest_is_rendered_fail_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # models.py is imported ahead, by the checker started when the generator ran.
    from scripts import render_models as models_module

    real = models_module.render_models

    def broken(*args: Any, **kwargs: Any) -> Any:
        models = real(*args, **kwargs)
        return dataclasses.replace(models, source=models.source + "\n\nBROKEN = undefined_name\n")

    monkeypatch.setattr(models_module, "render_models", broken)
    out = tmp_path / "out"
    target = build_module.Target(spec=SPEC, out=out, package="ecs_tasks")
    expected = r"ecs_tasks/models\.py:\d+: NameError: name 'undefined_name' is not defined"
    with pytest.raises(build_module.GeneratedCodeError, match=expected):
        build_module.build(target, force=True, cache=False)
    assert not out.exists()


def _checker_in_child(note: Path) -> None:
    with build_module._ImportChecker() as checker:
        checker.start()
        assert checker._process is not None
        note.write_text(str(checker._process.pid))
        time.sleep(60)


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return status != "Z"


def _wait_for(condition: Any, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_build_that_stops_early_stops_its_import_checker(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    note = tmp_path / "pid"
    with pytest.raises(KeyError), build_module._in_background(_checker_in_child, note):
        assert _wait_for(note.exists)
        assert _wait_for(lambda: note.read_text() != "")
        raise KeyError("validation failed")  # the build leaves before asking for the package
    assert not _alive(int(note.read_text()))
    assert capfd.readouterr() == ("", "")


def test_an_import_checker_whose_build_died_ends_by_itself(tmp_path: Path) -> None:
    note = tmp_path / "pid"
    parent = os.fork()
    if parent == 0:  # pragma: no cover - the child
        try:
            _checker_in_child(note)
        finally:
            os._exit(0)
    assert _wait_for(lambda: note.exists() and note.read_text() != "")
    os.kill(parent, signal.SIGKILL)  # no cleanup at all: the checker reads the end of its input
    os.waitpid(parent, 0)
    assert _wait_for(lambda: not _alive(int(note.read_text())))


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


@pytest.mark.parametrize(
    "path", bundling(_EVERY_SPEC), ids=lambda p: p.name if p.parent == SPECS else str(p)
)
def test_documents_made_in_pieces_are_the_documents_made_whole(path: Path) -> None:
    """The published files and the docs, made from the pieces of an earlier build of the same
    spec, of another spec (stale) or of none, are the same bytes; and the published files are
    those written at once."""
    data = bundle(path).data
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


def test_ruff_formats_only_the_modules_whose_text_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "api"
    folder.mkdir()
    (folder / "a.py").write_text("x=1\n")
    (folder / "b.py").write_text("y=2\n")
    first = BuildCache(tmp_path / "cache")
    build_module._format_reusing(folder, first)
    first.save()
    formatted_a = (folder / "a.py").read_bytes()
    assert formatted_a == b"x = 1\n"

    (folder / "a.py").write_text("x=1\n")  # the same text as before
    (folder / "b.py").write_text("y=3\n")  # new text
    given: list[list[str]] = []
    real = build_module._format_python

    def recording(where: Path) -> None:
        given.append(sorted(path.name for path in where.glob("*.py")))
        real(where)

    monkeypatch.setattr(build_module, "_format_python", recording)
    build_module._format_reusing(folder, BuildCache(tmp_path / "cache"))
    assert given == [["b.py"]]
    assert (folder / "a.py").read_bytes() == formatted_a
    assert (folder / "b.py").read_bytes() == b"y = 3\n"


def test_an_edit_of_one_description_makes_only_its_own_pieces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = bundle(SPEC).data
    _, pieces = _render_documents(data, None)
    made: list[str] = []
    real = Fragments.text

    def counting(self: Fragments, maker: str, source: Any, make: Any) -> str | None:
        return real(self, maker, source, lambda: made.append(maker) or make())

    monkeypatch.setattr(Fragments, "text", counting)
    _render_documents(data, pieces)
    assert made == []  # nothing changed: every piece is the last build's

    edited = copy.deepcopy(data)
    name = next(iter(edited["components"]["schemas"]))
    edited["components"]["schemas"][name]["description"] = "Edited."
    _render_documents(edited, pieces)
    # Its entry in openapi.yaml, openapi.json and openapi-3.0.yaml, and its section in each docs
    # format: 6 of the spec's hundreds of pieces.
    assert len(unpack_files(pieces) or {}) > 100
    assert sorted(made) == [
        "docs-html-schema",
        "docs-md-schema",
        "docs-rst-schema",
        "published-json",
        "published-yaml",
        "published-yaml",
    ]
