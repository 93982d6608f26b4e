"""The loader reads YAML 1.2 (core schema), the YAML version OpenAPI 3.x names: words such as
``yes`` and ``NO`` stay strings, ``1:20`` stays a string, ``3e-05`` is a number, and the
published spec and the models keep the meaning the author wrote."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import SPECS, run_pipeline
from scripts import load_spec
from scripts.load_spec import parse_spec
from scripts.problems import SpecError

# plain scalar as written -> the value it is in YAML 1.2's core schema
SCALARS: list[tuple[str, Any]] = [
    # YAML 1.1 booleans that are strings in 1.2
    *[(word, word) for word in ["yes", "no", "on", "off", "ON", "OFF", "NO", "Yes", "y", "n"]],
    ("true", True),
    ("False", False),
    ("TRUE", True),
    # sexagesimal numbers of YAML 1.1 are strings
    ("1:20", "1:20"),
    ("190:20:30", "190:20:30"),
    # floats YAML 1.1 reads as strings
    ("3e-05", 3e-05),
    ("1e3", 1000.0),
    (".5", 0.5),
    ("-.5e-3", -0.0005),
    ("1.", 1.0),
    ("+2.5", 2.5),
    # integers: 1.2 octal and hex; a leading zero is decimal; no underscores
    ("0o17", 15),
    ("0x1F", 31),
    ("010", 10),
    ("-3", -3),
    ("+4", 4),
    ("1_000", "1_000"),
    ("0b101", "0b101"),
    ("0o8", "0o8"),
    # null
    ("~", None),
    ("null", None),
    ("NULL", None),
    ("", None),
    # dates stay as written
    ("2016-04-25", "2016-04-25"),
]


def _value(text: str) -> Any:
    return parse_spec(Path("x.yaml"), f"v: {text}\n".encode()).data["v"]


@pytest.mark.parametrize(("text", "expected"), SCALARS)
def test_plain_scalars_follow_the_yaml_12_core_schema(text: str, expected: Any) -> None:
    value = _value(text)
    assert value == expected
    assert type(value) is type(expected)


def test_quoted_and_explicitly_tagged_scalars_keep_their_type() -> None:
    data = parse_spec(Path("x.yaml"), b"a: 'true'\nb: !!str 5\nc: !!int '7'\nd: \"1e3\"\n").data
    assert data == {"a": "true", "b": "5", "c": 7, "d": "1e3"}


def test_keys_stay_the_strings_they_were_written_as() -> None:
    data = parse_spec(Path("x.yaml"), b"200: a\nyes: b\non: c\n1:20: d\n").data
    assert list(data) == ["200", "yes", "on", "1:20"]


def test_a_tag_that_does_not_fit_its_value_is_a_located_problem() -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec(Path("x.yaml"), b"a: 1\nb: !!int seven\n")
    assert [p.format() for p in caught.value.problems] == [
        "x.yaml:2:4: 'seven' is not a YAML 1.2 int [#/b]"
    ]


def test_the_loader_still_parses_with_libyaml() -> None:
    if hasattr(yaml, "CSafeLoader"):
        assert issubclass(load_spec._Loader, yaml.CSafeLoader)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("yaml12") / "out"
    result = run_pipeline(
        "build", "--spec", SPECS / "yaml12" / "openapi.yaml", "--out", out, "--package", "y12"
    )
    assert result.status == 0, result.err
    return out


def test_the_published_spec_keeps_the_meaning(built: Path) -> None:
    for published in (
        json.loads((built / "openapi.json").read_text()),
        load_spec.load_spec(built / "openapi.yaml").data,
        # Also as a YAML 1.1 reader sees it: the values are quoted where it would differ.
        yaml.safe_load((built / "openapi.yaml").read_text()),
    ):
        schemas = published["components"]["schemas"]
        assert schemas["Country"]["enum"] == ["DE", "NL", "NO"]
        answer = schemas["Answer"]["properties"]
        assert answer["reply"]["enum"] == ["yes", "no", "on", "off", "ON", "OFF", "y", "n"]
        assert answer["period"]["example"] == "1:20"
        assert answer["tolerance"]["maximum"] == 3e-05
        assert answer["tolerance"]["example"] == 1e-05
        assert answer["mode"]["example"] == 15


def test_the_models_keep_the_meaning(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(built))
    models = importlib.import_module("y12.models")
    assert [member.value for member in models.Country] == ["DE", "NL", "NO"]
    reply = [member.value for member in models.Reply]
    assert reply == ["yes", "no", "on", "off", "ON", "OFF", "y", "n"]
    answer = models.Answer.model_validate({"reply": "ON", "period": "1:20"})
    assert answer.model_dump(mode="json", exclude_none=True) == {"reply": "ON", "period": "1:20"}
