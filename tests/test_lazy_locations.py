"""The loader and the bundler keep one copy of a spec's data and no place per value: a place is
found again from the file when a problem needs one, and it is the place YAML gives. A spec is
read without a node tree (JSON by the json module, YAML from libyaml's events) with the data
and problems that composing and building the nodes give."""

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


def _composed(text: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """What the loader makes of ``text`` by composing YAML nodes and building from them."""
    with monkeypatch.context() as patched:
        patched.setattr(load_spec, "_from_json", lambda _text: load_spec._COMPOSE)
        patched.setattr(load_spec, "_from_events", lambda _text: load_spec._COMPOSE)
        return _outcome(text)


@pytest.mark.parametrize(("text", "plain"), JSON_TEXTS)
def test_json_is_read_as_yaml_reads_it(
    text: str, plain: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _composed(text, monkeypatch)
    assert (load_spec._from_json(text) is not load_spec._COMPOSE) == plain
    outcome = _outcome(text)
    assert outcome == expected
    assert repr(outcome) == repr(expected)  # -0.0 is not 0, 1.0 is not 1


def _nested(depth: int) -> str:
    """An anchored list 40 levels deep, and an alias to it under ``depth`` more lists."""
    return f"x: &x {'[' * 40}{']' * 40}\ny: {'[' * depth}*x{']' * depth}\n"


def _laughs() -> str:
    """Lists of ten aliases to the list before, seven times over."""
    names = zip("abcdef", "bcdefg", strict=True)
    lists = [f"{b}: &{b} [{', '.join([f'*{a}'] * 10)}]\n" for a, b in names]
    return "a: &a [1,1,1,1,1,1,1,1,1,1]\n" + "".join(lists) + "h: [*g, *g, *g]\n"


# (YAML text, whether it is built from events): the others are left to the composer, which
# reports what is wrong with them or builds them as they are.
YAML_TEXTS: list[tuple[str, bool]] = [
    ("a: 1\nb: [1, 2, {c: d}]\nc: |\n  text\n  more\nd:\n", True),
    (
        "200: a\nyes: b\n1:20: c\n~: d\nnull: e\nf: [yes, no, 1:20, 0o17, 0x1F, 010, 3e-05, ~]\n",
        True,
    ),
    ("a: !!str 5\nb: !!int '7'\nc: !!float 1\nd: !!binary aGk=\ne: !foo bar\nf: ! 5\n", True),
    ("%YAML 1.1\n---\na: yes\n...\n", True),
    ("!!set {a, b}\n", True),
    ("? a\n{b, c: }: 1\n", False),  # a mapping as a key
    ('a: "\\u00e9\\N"\n', True),
    ("---\n", True),
    ("a: &x [1, {b: 2}]\nc: *x\nd: [*x, *x]\ne: &y 5\nf: *y\n", True),
    (_nested(23), True),
    (_nested(24), False),  # the alias's copy goes deeper than the loader allows
    ("- " * 64 + "x\n", True),
    ("- " * 65 + "x\n", False),
    ("a: &x [1, *x]\n", False),  # an alias inside what it names
    ("a: &x [&x 1]\nb: *x\n", False),  # an anchor defined twice
    ("a: &x 1\nb: &x 2\nc: *x\n", False),
    ("a: *y\n", False),
    ("&k a: 1\n", False),
    ("a: &x {b: 1}\n*x : 2\n", False),
    (_laughs(), False),  # over 30 million values once aliases are expanded
    ("a: 1\na: 2\n", False),
    ("a: {b: 1, b: 2}\n", False),
    ("<<: {a: 1}\n", False),
    ("'<<': 1\n", False),
    ("a: !!int seven\nb: !!bool yes\n", False),
    ("a: 1e400\nb: .nan\n", False),
    ("--- 1\n--- 2\n", False),
    ("", False),
    ("# only a comment\n", False),
    ("a: [1, 2\n", False),
    ("\ta: 1\n", False),
]


@pytest.mark.parametrize(("text", "events"), YAML_TEXTS)
def test_yaml_is_read_from_events_as_from_nodes(
    text: str, events: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _composed(text, monkeypatch)
    assert (load_spec._from_events(text) is not load_spec._COMPOSE) == events
    outcome = _outcome(text)
    assert outcome == expected
    assert repr(outcome) == repr(expected)


def test_an_alias_stands_for_a_copy_of_what_it_names() -> None:
    data = parse_spec(Path("x.yaml"), b"a: &x {b: [1]}\nc: *x\n").data
    assert data["a"] == data["c"]
    assert data["a"] is not data["c"] and data["a"]["b"] is not data["c"]["b"]


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
