"""The loader and the bundler keep one copy of a spec's data and no place per value: a place is
found again from the file when a problem needs one, and it is the place YAML gives. A spec
written as JSON is read by the json module, with the data and problems YAML would give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scripts import load_spec
from scripts.bundle import bundle
from scripts.load_spec import parse_spec
from scripts.problems import SpecError

# (JSON text, whether the json module may read it): the others are left to libyaml, which
# refuses them or reads them differently from the json module.
JSON_TEXTS: list[tuple[str, bool]] = [
    ('{"a":1,"b":[1,2.5,"x",true,null,{}]}', True),
    (
        '{\n\t"a": 1,\r\n"b"  :  -0, "c": -0.0, "d": 1E+2, "e": 123456789012345678901234567890}',
        True,
    ),
    ('{"a": "x\\/y\\b\\f\\n\\r\\t\\"\\\\ \\u00e9\\u0000", "é": "ü", "": "#x"}', True),
    ('{"a:b": "c: d", "x": "{[,]}", "k":\n1}', True),
    ("[1, 2]", True),
    ('{"a": "x\ufeffy"}', True),
    ('{"' + "k" * 1100 + '": 1, "b": 2}', False),  # a key libyaml cannot find
    ('{"' + "k" * 60 + '"' + " " * 1000 + ": 1}", False),
    ('{"a"\n: 1, "b": 2}', False),  # the key's colon on the next line
    ('{"a": "\\ud83d\\ude00"}', False),  # surrogate escapes
    ('{"a": "x\x7fy"}', False),  # characters libyaml refuses or folds
    ('{"a": "x\x86y"}', False),
    ('{"a": "x\x85y"}', False),
    ('{"a": "x\u2028y"}', False),
    ('{"a": 1e400}', False),  # not a JSON number once read
    ('{"a": NaN}', False),  # a string to YAML
    ('{"a": 1, "a": 2}', False),  # duplicate key
    ("[" * 70 + "]" * 70, False),  # deeper than the loader allows
    ('{"a": 1} {"b": 2}', False),
]


def _outcome(text: str) -> Any:
    try:
        return parse_spec(Path("x.json"), text.encode()).data
    except SpecError as exc:
        return [problem.format() for problem in exc.problems]


def _as_yaml(text: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patched:
        patched.setattr(load_spec, "_from_json", lambda _text: load_spec._NOT_PLAIN_JSON)
        return _outcome(text)


@pytest.mark.parametrize(("text", "plain"), JSON_TEXTS)
def test_json_is_read_as_yaml_reads_it(
    text: str, plain: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _as_yaml(text, monkeypatch)
    assert (load_spec._from_json(text) is not load_spec._NOT_PLAIN_JSON) == plain
    outcome = _outcome(text)
    assert outcome == expected
    assert repr(outcome) == repr(expected)  # -0.0 is not 0, 1.0 is not 1


SPLIT = {
    "openapi.json": """{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {},
  "components": {
    "schemas": {
      "Job": {"$ref": "job.yaml", "description": "beside the ref", "title": "Job"},
      "Broken": {"$ref": "#/components/schemas/Nowhere"},
      "Kept": {"type": "object", "properties": {"id": {"type": "string"}}}
    }
  }
}
""",
    "job.yaml": "type: object\ndescription: in the file\nproperties:\n  id: {type: string}\n",
}


@pytest.fixture
def split(tmp_path: Path) -> Path:
    for name, text in SPLIT.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path / "openapi.json"


def test_a_bundle_records_an_origin_only_where_a_value_comes_from_elsewhere(split: Path) -> None:
    spec = bundle(split)
    job = split.parent / "job.yaml"
    assert spec.origins == {
        "": (split, ""),
        "/components/schemas/Job": (job, ""),
        "/components/schemas/Job/description": (split, "/components/schemas/Job/description"),
        "/components/schemas/Job/title": (split, "/components/schemas/Job/title"),
    }
    assert all(doc.data is None for doc in spec.documents.values())


@pytest.mark.parametrize(
    ("pointer", "place"),
    [
        ("/components/schemas/Job/properties/id", ("job.yaml", 4, 3, "/properties/id")),
        # A field beside the $ref is located beside the $ref, also where the file has one.
        ("/components/schemas/Job/description", ("openapi.json", 7, 50, None)),
        ("/components/schemas/Job/title", ("openapi.json", 7, 77, None)),
        ("/components/schemas/Kept/properties/id/type", ("openapi.json", 9, 64, None)),
        ("/components/schemas/Kept/missing", ("openapi.json", 9, 7, None)),
        ("/info", ("openapi.json", 3, 3, None)),
    ],
)
def test_a_problem_is_placed_where_the_value_is_written(
    split: Path, pointer: str, place: tuple[str, int, int, str | None]
) -> None:
    file, line, column, source_pointer = place
    problem = bundle(split).locate(pointer, "m")
    assert (problem.file.name, problem.line, problem.column) == (file, line, column)
    assert problem.pointer == (source_pointer or pointer)


def test_the_root_files_values_are_shared_with_the_bundle_not_copied(
    split: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What bundling does not change is the loaded value itself: one copy in memory."""
    import scripts.bundle

    loaded: list[Any] = []

    def loading(path: Path) -> load_spec.Document:
        document = load_spec.load_spec(path)
        loaded.append(document.data)
        return document

    monkeypatch.setattr(scripts.bundle, "load_spec", loading)
    schemas = bundle(split).data["components"]["schemas"]
    written = loaded[0]["components"]["schemas"]
    assert schemas["Kept"] is written["Kept"]
    assert schemas["Broken"] is written["Broken"]
    # Job is inlined from its file, and the mapping holding it changed with it.
    assert schemas["Job"]["properties"] == {"id": {"type": "string"}}
    assert schemas is not written


def test_places_are_the_ones_the_full_parse_found(tmp_path: Path) -> None:
    """Places found on demand are those the YAML nodes give, aliases and keys included."""
    text = "a: &x\n  b: [1, {c: 2}]\nd: *x\ne: |\n  text\nf:\n  - g\n"
    document = parse_spec(tmp_path / "x.yaml", text.encode())
    assert document.locations is None
    pointers = ("", "/a", "/a/b/1/c", "/d/b/1/c", "/d/b/0", "/e", "/f/0", "/a/nothing/here")
    assert [document.location(pointer) for pointer in pointers] == [
        (1, 1),
        (1, 1),
        (2, 14),
        (2, 14),  # an alias's values are where the anchored ones are written
        (2, 7),
        (4, 4),
        (7, 5),
        (1, 1),  # /a is a mapping, which is placed at its key
    ]
