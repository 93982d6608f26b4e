"""Specs written to break the pipeline: each ends in a located error or in sound output.

A case that must fail is checked for exit status 1, one located problem line naming what is
wrong, no traceback, and an OUT folder left exactly as it was. A case that must build is
checked for code that compiles, passes ruff and mypy, and carries the spec's text intact.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import ROOT, run_pipeline, snapshot
from scripts import load_spec

HEAD = 'openapi: 3.1.0\ninfo:\n  title: Hostile\n  version: "1"\n'
NASTY = (
    "triple \"\"\" and ''' quotes, {{ jinja }} {% block x %}, </script>"
    "<img src=x onerror=alert(1)>, a NUL \x00 and a trailing backslash \\"
)


def schemas(body: str, paths: str = "paths: {}\n") -> str:
    return HEAD + paths + "components:\n  schemas:\n" + body


@dataclass(frozen=True)
class Case:
    files: dict[str, str | bytes]
    error: str | None = None  # a fragment of the one expected problem line
    check: Callable[[Path, str], None] | None = None  # (OUT, package) -> assertions
    extra: dict[str, Any] = field(default_factory=dict)


def _models(out: Path, package: str) -> str:
    return (out / package / "models.py").read_text()


def _import(out: Path, package: str, module: str = "models") -> Any:
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module(f"{package}.{module}")
    finally:
        sys.path.remove(str(out))


def check_keywords(out: Path, package: str) -> None:
    models = _import(out, package)
    thing = models.Class.model_validate(
        {"from": "a", "type": "b", "id": 1, "list": ["x"], "json": "j"}
    )
    assert thing.model_dump(by_alias=True, exclude_unset=True) == {
        "from": "a",
        "type": "b",
        "id": 1,
        "list": ["x"],
        "json": "j",
    }
    assert {member.value for member in models.From} == {"class", "", "a b", "import"}


def check_case_collision(out: Path, package: str) -> None:
    source = _models(out, package)
    classes = [n.name for n in ast.parse(source).body if isinstance(n, ast.ClassDef)]
    assert len(classes) == 2 and "Job" in classes


def check_unicode(out: Path, package: str) -> None:
    models = _import(out, package)
    value = {"名前": "山田", "café": "au lait"}
    assert (
        models.Person.model_validate(value).model_dump(by_alias=True, exclude_unset=True) == value
    )
    assert "Ünïcödé ✓ 名前" in (models.Person.__doc__ or "")


def check_text_intact(out: Path, package: str) -> None:
    models = _import(out, package)
    assert models.Texty.model_fields["a"].description == NASTY
    assert (models.Texty.__doc__ or "").strip() == NASTY.rstrip()
    client = _import(out, package, "_client")
    assert NASTY.rstrip() in (client.Client.get_texty.__doc__ or "")
    assert NASTY.split(",")[0] in (_import(out, package, "__init__").__doc__ or "")


def check_recursive(out: Path, package: str) -> None:
    models = _import(out, package)
    tree = models.Node.model_validate({"name": "a", "children": [{"name": "b", "children": []}]})
    assert tree.children[0].name == "b"


def check_operation_names(out: Path, package: str) -> None:
    """Colliding and awkward operationIds get distinct, safe names, and each method sends its
    own operation (operationId -> path: getThing /p0, get_thing /p1, class /p2, 123go /p3)."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200)

    client_module = _import(out, package, "_client")
    http = httpx.Client(transport=httpx.MockTransport(answer))
    with client_module.Client("https://api.example", http_client=http) as client:
        for method in ("get_thing_2", "get_thing", "class_", "operation_123go"):
            getattr(client, method)()
    assert seen == ["/p0", "/p1", "/p2", "/p3"]


def check_hyphen_path_parameter(out: Path, package: str) -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(200, json={"name": "x"})

    client_module = _import(out, package, "_client")
    http = httpx.Client(transport=httpx.MockTransport(answer))
    with client_module.Client("https://api.example", http_client=http) as client:
        client.get_thing("a/b", version=2)
    assert seen == ["/things/a%2Fb?version=2"]


def check_builds(out: Path, package: str) -> None:
    assert (out / package / "models.py").is_file()


def _nested(depth: int) -> str:
    return HEAD + "paths: {}\nx-deep: " + "[" * depth + "]" * depth + "\n"


def _laughs() -> str:
    lines = [HEAD + "paths: {}", "x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"x-a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def _chain_of_files(count: int) -> dict[str, str | bytes]:
    """Files each nested 20 levels deep, each inlined into the one before: fine one by one,
    too deep once joined."""
    files: dict[str, str | bytes] = {
        "openapi.yaml": schemas("    A:\n      $ref: f0.yaml\n"),
    }
    for index in range(count):
        inner = f"{{$ref: f{index + 1}.yaml}}" if index + 1 < count else "{type: string}"
        files[f"f{index}.yaml"] = "{properties: {a: " * 10 + inner + "}}" * 10 + "\n"
    return files


OPERATION = """paths:
  /things:
    get:
      operationId: {op}
      responses:
        '200':
          description: ok
"""

CASES: dict[str, Case] = {
    # --- must fail, located ---
    "yaml-syntax": Case({"openapi.yaml": HEAD + "paths:\n  /x: {get: [}\n"}, "YAML syntax error"),
    "duplicate-key": Case(
        {"openapi.yaml": HEAD + "paths: {}\npaths: {}\n"}, "duplicate key 'paths'"
    ),
    "tab-indent": Case({"openapi.yaml": HEAD + "paths:\n\t/x: {}\n"}, "YAML syntax error"),
    "not-utf8": Case({"openapi.yaml": HEAD.encode() + b"x-t: caf\xe9\n"}, "not UTF-8"),
    "empty": Case({"openapi.yaml": ""}, "the file is empty"),
    "only-comments": Case({"openapi.yaml": "# nothing\n\n"}, "the file is empty"),
    "huge-file": Case(
        {"openapi.yaml": HEAD + "paths: {}\nx-big: '" + "x" * (50 * 1024 * 1024) + "'\n"},
        "files over 20 MiB are refused",
    ),
    "deep-nesting": Case({"openapi.yaml": _nested(5000)}, "maximum nesting depth"),
    "deep-python-nesting": Case({"openapi.yaml": _nested(600)}, "nested more than 64 levels"),
    "deep-once-bundled": Case(_chain_of_files(7), "nested more than 128 levels deep once bundled"),
    "circular-allof-across-files": Case(
        {
            "openapi.yaml": schemas("    A:\n      $ref: a.yaml\n"),
            "a.yaml": "allOf:\n  - $ref: b.yaml\n",
            "b.yaml": "allOf:\n  - $ref: a.yaml\n  - {type: object}\n",
        },
        "circular allOf",
    ),
    "alias-bomb": Case({"openapi.yaml": _laughs()}, "expands to more than 5,000,000 values"),
    "recursive-alias": Case(
        {"openapi.yaml": HEAD + "paths: {}\nx-a: &a [1, *a]\n"}, "alias refers to a node"
    ),
    "raw-nul": Case({"openapi.yaml": HEAD + "paths: {}\nx-t: 'a\x00b'\n"}, "NUL character"),
    "not-a-number": Case({"openapi.yaml": HEAD + "paths: {}\nx-n: .inf\n"}, "not a JSON number"),
    "top-level-list": Case({"openapi.yaml": "- openapi\n- 3.1.0\n"}, "must be a mapping"),
    "swagger-2": Case(
        {"openapi.yaml": 'swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {}\n'},
        "Swagger (OpenAPI 2.0) is not supported",
    ),
    "cyclic-ref": Case(
        {
            "openapi.yaml": schemas("    A:\n      $ref: B.yaml\n"),
            "B.yaml": "$ref: A.yaml\n",
            "A.yaml": "$ref: B.yaml\n",
        },
        "cyclic $ref",
    ),
    "missing-file": Case(
        {"openapi.yaml": schemas("    A:\n      $ref: nope.yaml\n")}, "no such file"
    ),
    "ref-to-folder": Case(
        {"openapi.yaml": schemas("    A:\n      $ref: sub\n"), "sub/keep.yaml": "{}\n"},
        "is a directory",
    ),
    "climbing-ref": Case(
        {"openapi.yaml": schemas("    A:\n      $ref: ../../etc/passwd\n")},
        "points outside the spec's folder",
    ),
    "remote-ref": Case(
        {"openapi.yaml": schemas("    A:\n      $ref: 'http://127.0.0.1:9/x.yaml'\n")},
        "remote $ref 'http://127.0.0.1:9/x.yaml' refused",
    ),
    "non-string-ref": Case(
        {"openapi.yaml": schemas("    A:\n      $ref: 42\n")}, "$ref must be a string"
    ),
    "duplicate-operation-ids": Case(
        {
            "openapi.yaml": HEAD
            + OPERATION.format(op="same")
            + "  /others:\n    get:\n      operationId: same\n      responses:\n"
            "        '200':\n          description: ok\n"
        },
        "operationId 'same' is not unique",
    ),
    "non-ascii-schema-name": Case(
        {"openapi.yaml": schemas("    Größe:\n      type: string\n")}, "does not match"
    ),
    # --- must build, soundly ---
    "keywords-and-builtins": Case(
        {
            "openapi.yaml": schemas(
                "    class:\n      type: object\n      properties:\n"
                "        from: {type: string}\n        type: {type: string}\n"
                "        id: {type: integer}\n        list: {type: array, items: {type: string}}\n"
                "        json: {type: string}\n"
                "    from:\n      type: string\n      enum: [class, '', 'a b', import]\n"
            )
        },
        check=check_keywords,
    ),
    "schema-names-differ-in-case": Case(
        {
            "openapi.yaml": schemas(
                "    Job:\n      type: object\n      properties: {a: {type: string}}\n"
                "    job:\n      type: object\n      properties: {b: {type: string}}\n"
            )
        },
        check=check_case_collision,
    ),
    "non-ascii-text": Case(
        {
            "openapi.yaml": schemas(
                "    Person:\n      type: object\n      description: Ünïcödé ✓ 名前\n"
                "      properties:\n        名前: {type: string}\n        café: {type: string}\n"
            )
        },
        check=check_unicode,
    ),
    "hostile-descriptions": Case(
        {
            "openapi.yaml": HEAD.replace("Hostile", json.dumps(NASTY.split(",")[0]))
            + "paths:\n  /texty:\n    get:\n      operationId: getTexty\n"
            + f"      summary: {json.dumps(NASTY)}\n      responses:\n        '200':\n"
            + "          description: ok\n          content:\n            application/json:\n"
            + "              schema: {$ref: '#/components/schemas/Texty'}\n"
            + "components:\n  schemas:\n    Texty:\n      type: object\n"
            + f"      description: {json.dumps(NASTY)}\n      properties:\n"
            + f"        a:\n          type: string\n          description: {json.dumps(NASTY)}\n"
        },
        check=check_text_intact,
    ),
    "recursive-schema": Case(
        {
            "openapi.yaml": schemas("    Node:\n      $ref: schemas/node.yaml\n"),
            "schemas/node.yaml": "type: object\nrequired: [name]\nproperties:\n"
            "  name: {type: string}\n"
            "  children:\n    type: array\n    items: {$ref: node.yaml}\n",
        },
        check=check_recursive,
    ),
    "awkward-operation-ids": Case(
        {
            "openapi.yaml": HEAD
            + "paths:\n"
            + "".join(
                f"  /p{i}:\n    get:\n      operationId: '{op}'\n      responses:\n"
                "        '200':\n          description: ok\n"
                for i, op in enumerate(["getThing", "get_thing", "class", "123go"])
            )
        },
        check=check_operation_names,
    ),
    "hyphenated-path-parameter": Case(
        {
            "openapi.yaml": HEAD
            + "paths:\n  /things/{thing-id}:\n    get:\n      operationId: getThing\n"
            "      parameters:\n"
            "        - {name: thing-id, in: path, required: true, schema: {type: string}}\n"
            "        - {name: version, in: query, schema: {type: integer}}\n"
            "      responses:\n        '200':\n          description: ok\n"
            "          content:\n            application/json:\n"
            "              schema: {type: object}\n"
        },
        check=check_hyphen_path_parameter,
    ),
    "json-input": Case(
        {
            "openapi.yaml": json.dumps(
                {
                    "openapi": "3.1.0",
                    "info": {"title": "JSON", "version": "1"},
                    "paths": {},
                    "components": {"schemas": {"A": {"type": "object"}}},
                }
            )
        },
        check=check_builds,
    ),
    "unquoted-dates-and-codes": Case(
        {
            "openapi.yaml": HEAD
            + "paths:\n  /d:\n    get:\n      operationId: d\n      responses:\n"
            "        200:\n          description: ok\n          content:\n"
            "            application/json:\n              schema: {type: string}\n"
            "              example: 2016-04-25\n"
        },
        check=check_builds,
    ),
}

FAILING = sorted(name for name, case in CASES.items() if case.error)
BUILDING = sorted(name for name, case in CASES.items() if case.check)


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len(FAILING) + len(BUILDING) == len(CASES)


def _write(case: Case, folder: Path) -> Path:
    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder / "openapi.yaml"


@pytest.mark.parametrize("name", FAILING)
def test_a_hostile_spec_fails_with_one_located_problem(
    name: str, tmp_path: Path, existing_output: Path
) -> None:
    spec = _write(CASES[name], tmp_path / "spec")
    before = snapshot(existing_output)
    for command in (["validate", spec], ["build", "--spec", spec, "--out", existing_output]):
        result = run_pipeline(*command)
        lines = result.err.splitlines()
        assert result.status == 1, result.err[-2000:]
        assert "Traceback" not in result.err
        assert len(lines) == 2, lines  # the problem, then the count
        assert CASES[name].error in lines[0]
        assert lines[0].split(":")[0].endswith(".yaml") or "sub" in lines[0]
        assert lines[0].split(":")[1].isdigit() and lines[0].split(":")[2].isdigit()
        assert lines[0].endswith("]")  # the JSON pointer
    assert snapshot(existing_output) == before


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Every building case built once into its own OUT, as package hostile_<case>."""
    outs: dict[str, Path] = {}
    for name in BUILDING:
        folder = tmp_path_factory.mktemp(name)
        spec = _write(CASES[name], folder / "spec")
        out = folder / "out"
        result = run_pipeline("build", "--spec", spec, "--out", out, "--package", _package(name))
        assert result.status == 0, f"{name}: {result.err}"
        outs[name] = out
    yield outs
    for out in outs.values():
        shutil.rmtree(out.parent, ignore_errors=True)


def _package(name: str) -> str:
    return "hostile_" + name.replace("-", "_")


@pytest.mark.parametrize("name", BUILDING)
def test_a_hostile_spec_builds_sound_code(name: str, built: dict[str, Path]) -> None:
    out, package = built[name], _package(name)
    for path in (out / package).glob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    check = CASES[name].check
    assert check is not None
    check(out, package)


def test_hostile_outputs_pass_ruff_and_mypy(built: dict[str, Path]) -> None:
    # ruff as a user of OUT runs it: in OUT, whose pyproject.toml sets only the Python
    # version, so with ruff's default rules (README's promise).
    for name, out in built.items():
        lint = [sys.executable, "-m", "ruff", "check", "--quiet", _package(name)]
        done = subprocess.run(lint, cwd=out, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    packages = [str(out / _package(name)) for name, out in built.items()]
    for command in (
        ["ruff", "format", "--check", "--quiet", *packages],
        ["mypy", "--strict", "--no-incremental", *packages],
    ):
        done = subprocess.run(
            [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


# --- input that is not a regular file, and sizes ---------------------------------------------


def _run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The pipeline with a time limit: a FIFO that blocked would hang the test otherwise."""
    return subprocess.run(
        [sys.executable, "-m", "scripts", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_as_the_spec_is_refused_before_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "openapi.yaml"
    os.mkfifo(fifo)
    result = _run("validate", "openapi.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr
        == "error: openapi.yaml: is a FIFO (named pipe), not a regular file; refused\n"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_referenced_from_the_spec_is_a_located_problem(
    tmp_path: Path, existing_output: Path
) -> None:
    spec = _write(Case({"openapi.yaml": schemas("    A:\n      $ref: pipe.yaml\n")}), tmp_path)
    os.mkfifo(tmp_path / "pipe.yaml")
    before = snapshot(existing_output)
    for command in (
        ["validate", "openapi.yaml"],
        ["build", "--spec", spec, "--out", existing_output],
    ):
        result = _run(*command, cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.splitlines() == [
            "openapi.yaml:9:13: $ref 'pipe.yaml': is a FIFO (named pipe), not a regular file; "
            "refused [#/components/schemas/A/$ref]",
            "1 problem; nothing was written",
        ]
    assert snapshot(existing_output) == before


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_as_the_spec_is_refused_before_reading(existing_output: Path) -> None:
    before = snapshot(existing_output)
    for command in (
        ["validate", "/dev/zero"],
        ["build", "--spec", "/dev/zero", "--out", existing_output],
    ):
        result = _run(*command)
        assert result.returncode == 2
        assert result.stderr.endswith("zero: is a character device, not a regular file; refused\n")
    assert snapshot(existing_output) == before


def test_no_file_is_read_past_the_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(load_spec.MAX_FILE_BYTES * 3)  # sparse: no disk used
    assert len(load_spec.read_source(big)) == load_spec.MAX_FILE_BYTES + 1


def test_an_enum_of_100000_values_is_refused_where_it_is(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    values = "".join(f"        - V{i}\n" for i in range(10_000))
    spec.write_text(schemas("    Big:\n      type: string\n      enum:\n" + values))
    assert _run("validate", "openapi.yaml", cwd=tmp_path).returncode == 0  # 10,000 is fine
    values = "".join(f"        - V{i}\n" for i in range(100_000))
    spec.write_text(schemas("    Big:\n      type: string\n      enum:\n" + values))
    result = _run("validate", "openapi.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "openapi.yaml:10:7: an enum of 100,000 values is refused: at most 10,000 are supported "
        "(the package generated for 100,000 takes a minute to build and seconds to import); "
        "describe a longer list as a string with a pattern, or in the description "
        "[#/components/schemas/Big/enum]",
        "1 problem; nothing was written",
    ]


def test_a_spec_file_replaced_by_a_fifo_after_a_build_is_refused(tmp_path: Path) -> None:
    """The up-to-date check reads the spec files of the last build first; it must not block."""
    spec = _write(Case({"openapi.yaml": schemas("    A:\n      $ref: a.yaml\n")}), tmp_path)
    (tmp_path / "a.yaml").write_text("type: string\n")
    out = tmp_path / "out"
    assert _run("build", "--spec", spec, "--out", out, "--package", "fifo").returncode == 0
    before = snapshot(out)
    (tmp_path / "a.yaml").unlink()
    os.mkfifo(tmp_path / "a.yaml")
    result = _run(
        "build", "--spec", "openapi.yaml", "--out", out, "--package", "fifo", cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "openapi.yaml:9:13: $ref 'a.yaml': is a FIFO (named pipe), not a regular file; "
        "refused [#/components/schemas/A/$ref]",
        "1 problem; nothing was written",
    ]
    assert snapshot(out) == before


RECURSIVE_ARRAY = schemas(
    "    Tree:\n      type: array\n      items: {$ref: '#/components/schemas/Tree'}\n"
    "    Expr:\n      anyOf:\n        - type: string\n        - type: object\n"
    "          properties:\n            all:\n              type: array\n"
    "              items: {$ref: '#/components/schemas/Expr'}\n",
    paths="paths:\n  /tree:\n    get:\n      operationId: getTree\n"
    "      responses:\n        '200':\n          description: ok\n"
    "          content:\n            application/json:\n"
    "              schema: {$ref: '#/components/schemas/Tree'}\n",
)


def test_a_recursive_array_schema_builds(tmp_path: Path) -> None:
    """An array of itself is a valid schema: the build (docs included) ends, and the model
    reads nested lists. (Not in the corpus above: the model generator types it as a bare
    `list`, which mypy --strict refuses; reported to the models' owner.)"""
    spec = _write(Case({"openapi.yaml": RECURSIVE_ARRAY}), tmp_path / "spec")
    out = tmp_path / "out"
    result = _run("build", "--spec", spec, "--out", out, "--package", "trees")
    assert result.returncode == 0, result.stderr
    assert "Array of arrays" in (out / "docs" / "reference.md").read_text()
    models = _import(out, "trees")
    assert models.Tree.model_validate([[], [[]]]).model_dump() == [[], [[]]]
