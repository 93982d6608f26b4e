"""The build: fresh output, no work when nothing changed, all-or-nothing writes, any spec."""

from __future__ import annotations

import errno
import functools
import json
import multiprocessing
import multiprocessing.connection
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate as validate_openapi

from conftest import GENERATED, ROOT, SPEC, SPECS, run_pipeline, snapshot
from scripts import build as build_module
from scripts.build import Target


def test_generated_is_fresh() -> None:
    result = run_pipeline("check")
    assert result.status == 0, result.err
    assert result.out.strip() == "generated is up to date with spec/openapi.yaml"


def test_a_fresh_build_is_byte_for_byte_the_committed_output(built_once: Path) -> None:
    fresh = {k: v.split(":")[0] for k, v in snapshot(built_once).items()}
    committed = {k: v.split(":")[0] for k, v in snapshot(GENERATED).items()}
    assert fresh == committed


def test_check_names_the_stale_file(existing_output: Path) -> None:
    models = existing_output / "ecs_tasks" / "models.py"
    models.write_text(models.read_text() + "# edited by hand\n")
    (existing_output / "stray.txt").write_text("not generated\n")
    result = run_pipeline("check", "--out", existing_output)
    assert result.status == 1
    assert f"stale: {models}" in result.err or "stale: " in result.err
    assert "models.py" in result.err
    assert "not generated: " in result.err
    assert "stray.txt" in result.err


def test_an_unchanged_build_does_no_work(existing_output: Path) -> None:
    before = snapshot(existing_output)
    result = run_pipeline("build", "--out", existing_output)
    assert result.status == 0, result.err
    assert result.out.strip().endswith("is up to date; nothing to do")
    assert snapshot(existing_output) == before  # same bytes, same mtimes: nothing rewritten


def test_a_hand_edit_of_the_output_is_rebuilt(existing_output: Path) -> None:
    models = existing_output / "ecs_tasks" / "models.py"
    original = models.read_bytes()
    models.write_text("# broken\n")
    result = run_pipeline("build", "--out", existing_output)
    assert result.out.startswith("built ")
    assert models.read_bytes() == original


def test_a_change_in_a_referenced_file_is_rebuilt(tmp_path: Path) -> None:
    spec_dir = tmp_path / "spec"
    shutil.copytree(SPEC.parent, spec_dir)
    out = tmp_path / "out"
    assert run_pipeline("build", "--spec", spec_dir / "openapi.yaml", "--out", out).status == 0
    assert run_pipeline("build", "--spec", spec_dir / "openapi.yaml", "--out", out).out.endswith(
        "nothing to do\n"
    )
    schema = spec_dir / "schemas" / "ServerId.yaml"
    schema.write_text(schema.read_text().replace("type: string", "type: string\n    minLength: 1"))
    result = run_pipeline("build", "--spec", spec_dir / "openapi.yaml", "--out", out)
    assert result.out.startswith("built "), result.err
    assert "min_length=1" in (out / "ecs_tasks" / "models.py").read_text()


def test_a_failing_late_stage_leaves_out_untouched(
    existing_output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def formatter_fails(folder: Path) -> None:
        (folder / "half-written").write_text("x")
        raise subprocess.CalledProcessError(2, ["ruff"])

    monkeypatch.setattr(build_module, "_format_python", formatter_fails)
    before = snapshot(existing_output)
    target = Target(spec=SPEC, out=existing_output, package="ecs_tasks")
    with pytest.raises(subprocess.CalledProcessError):
        build_module.build(target, force=True)
    assert snapshot(existing_output) == before
    assert [p.name for p in existing_output.parent.iterdir()] == ["out"], "staging left behind"


def test_refuses_to_replace_a_folder_it_did_not_write(tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("mine\n")
    result = run_pipeline("build", "--out", precious)
    assert result.status == 2
    assert "was not written by this build" in result.err
    assert [p.name for p in precious.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("package", ["ecs-tasks", "class", "1api", ""])
def test_a_bad_package_name_is_refused(package: str, tmp_path: Path) -> None:
    result = run_pipeline("build", "--out", tmp_path / "out", "--package", package)
    assert result.status == 2
    assert "is not a valid Python package name" in result.err
    assert not (tmp_path / "out").exists()


def test_a_spec_that_is_not_ours_builds_under_its_own_package(tmp_path: Path) -> None:
    out = tmp_path / "out"
    spec = SPECS / "foreign" / "openapi.yaml"
    result = run_pipeline("build", "--spec", spec, "--out", out, "--package", "petstore")
    assert result.status == 0, result.err
    # No operation of the pet store declares an x-waiter, and no scheme AK/SK: there is no
    # waiter module and no signing module.
    assert sorted(p.name for p in (out / "petstore").iterdir()) == [
        "__init__.py",
        "_base_client.py",
        "_client.py",
        "_exceptions.py",
        "models.py",
        "py.typed",
    ]
    probe = (
        "import petstore.models as m; "
        "p = m.Pet.model_validate({'id': 1, 'name': 'Rex', 'tag': None}); "
        "print(p.model_dump_json(by_alias=True))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], cwd=out, capture_output=True, text=True, check=True
    )
    assert json.loads(shown.stdout) == {"id": 1, "name": "Rex", "tag": None}
    for command in (["ruff", "check", "-q"], ["ruff", "format", "--check", "-q"]):
        lint = subprocess.run(
            [sys.executable, "-m", *command, str(out / "petstore")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert lint.returncode == 0, lint.stdout + lint.stderr
    typed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(out / "petstore")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert typed.returncode == 0, typed.stdout


def test_the_bundle_is_one_file_with_internal_refs_only() -> None:
    text = (GENERATED / "openapi.yaml").read_text()
    data = yaml.safe_load(text)
    assert data == json.loads((GENERATED / "openapi.json").read_text())
    refs = [line.split("$ref:")[1].strip() for line in text.splitlines() if "$ref:" in line]
    assert refs, "the bundle keeps internal component references"
    assert all(ref.strip("'\"").startswith("#/components/") for ref in refs)
    assert set(data["components"]["schemas"]) >= {
        "TaskResponse",
        "ErrorResponse",
        "Error",
        "ErrorDetail",
        "Job",
        "JobStatus",
        "JobEntities",
        "SubJob",
        "SubJobEntities",
    }
    validate_openapi(data)


def test_openapi_spec_validator_accepts_the_source_spec() -> None:
    from openapi_spec_validator.readers import read_from_filename

    data, base_uri = read_from_filename(str(SPEC))
    validate_openapi(data, base_uri=base_uri)


# --- never a broken package; never someone else's output ------------------------------------


def _breaking(monkeypatch: pytest.MonkeyPatch, module: str, extra: str) -> None:
    """Make the renderer append ``extra`` to one generated module."""
    from scripts import render_client

    real = render_client.render_package

    def render_package(*args: object, **kwargs: object) -> dict[str, str]:
        files = real(*args, **kwargs)  # type: ignore[arg-type]
        files[module] += extra
        return files

    monkeypatch.setattr(render_client, "render_package", render_package)


@pytest.mark.parametrize(
    ("module", "extra", "expected"),
    [
        (
            "_client.py",
            "\n\ndef twice(a: int, a: int) -> None:\n    pass\n",
            r"ecs_tasks/_client\.py:\d+:\d+: SyntaxError: duplicate argument 'a'",
        ),
        (
            "models.py",
            "\n\nBROKEN = undefined_name\n",
            r"ecs_tasks/models\.py:\d+: NameError: name 'undefined_name' is not defined",
        ),
    ],
)
def test_a_package_that_does_not_import_fails_the_build_and_leaves_out_untouched(
    existing_output: Path,
    monkeypatch: pytest.MonkeyPatch,
    module: str,
    extra: str,
    expected: str,
) -> None:
    _breaking(monkeypatch, module, extra)
    before = snapshot(existing_output)
    target = Target(spec=SPEC, out=existing_output, package="ecs_tasks")
    with pytest.raises(build_module.GeneratedCodeError, match=expected) as raised:
        build_module.build(target, force=True)
    assert "nothing was written" in str(raised.value)
    assert snapshot(existing_output) == before
    assert [p.name for p in existing_output.parent.iterdir()] == ["out"], "staging left behind"


def test_the_import_check_imports_in_a_clean_interpreter(tmp_path: Path) -> None:
    # A package that imports here (the build has pydantic loaded, and this folder on no path)
    # but needs a module no fresh interpreter has is still refused.
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("import scripts.naming\n")
    with pytest.raises(build_module.GeneratedCodeError, match=r"pkg/__init__\.py:1: ModuleNotF"):
        build_module.check_imports(package)
    (package / "__init__.py").write_text("import httpx\n")
    build_module.check_imports(package)
    assert [p.name for p in package.iterdir()] == ["__init__.py"], "no bytecode written"


@pytest.mark.parametrize(
    ("spec", "package"),
    [(SPECS / "foreign" / "openapi.yaml", "ecs_tasks"), (SPEC, "other_api")],
)
def test_another_spec_or_package_never_replaces_the_projects_own_output(
    spec: Path, package: str
) -> None:
    before = snapshot(GENERATED)
    result = run_pipeline("build", "--spec", spec, "--package", package)
    assert result.status == 2
    assert "holds this project's own package" in result.err
    assert "OUT=out/" in result.err
    assert snapshot(GENERATED) == before


def test_the_project_builds_its_own_output_without_arguments() -> None:
    # The refusal above is only for other specs: `make build` itself is let through.
    build_module.Target(spec=SPEC, out=GENERATED, package="ecs_tasks").check()


@pytest.mark.parametrize("package", ["café", "пакет", "api_ß"])
def test_a_package_name_that_is_not_ascii_is_refused(package: str, tmp_path: Path) -> None:
    result = run_pipeline("build", "--out", tmp_path / "out", "--package", package)
    assert result.status == 2
    assert f"PACKAGE '{package}' is not ASCII" in result.err
    assert "User-Agent" in result.err
    assert not (tmp_path / "out").exists()


def test_out_is_pip_installable_as_the_package_alone(tmp_path: Path) -> None:
    import zipfile

    import tomllib

    out = tmp_path / "out"
    spec = SPECS / "foreign" / "openapi.yaml"
    result = run_pipeline("build", "--spec", spec, "--out", out, "--package", "pet_store")
    assert result.status == 0, result.err
    project = tomllib.loads((out / "pyproject.toml").read_text())["project"]
    assert project["name"] == "pet-store"
    assert project["requires-python"] == ">=3.10"
    assert sorted(d.split(">")[0] for d in project["dependencies"]) == ["httpx", "pydantic"]
    dist = tmp_path / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, out],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = dist.glob("pet_store-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "pet_store/_client.py" in names and "pet_store/py.typed" in names
    assert not [n for n in names if not n.startswith(("pet_store/", "pet_store-"))], names


def test_generated_code_passes_ruff_with_default_settings(tmp_path: Path) -> None:
    out = tmp_path / "out"
    spec = SPECS / "foreign" / "openapi.yaml"
    assert run_pipeline("build", "--spec", spec, "--out", out, "--package", "pets").status == 0
    # Run inside OUT, as its user would: ruff's defaults, and the Python version OUT declares.
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


# --- background children --------------------------------------------------------------------


def _niceness() -> int:
    return os.nice(0)


def test_a_background_child_can_lower_its_priority() -> None:
    with build_module._in_background(_niceness, niceness=3) as result:
        assert result() == min(os.nice(0) + 3, 19)
    with build_module._in_background(_niceness) as result:
        assert result() == os.nice(0)


def test_the_docs_child_leaves_the_cores_to_the_generators_child(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    render_documents = build_module._render_documents
    seen = tmp_path / "niceness"

    def noting(*args: Any) -> Any:
        seen.write_text(str(os.nice(0)))
        return render_documents(*args)

    monkeypatch.setattr(build_module, "_render_documents", noting)
    build_module.render(Target(SPEC, tmp_path / "out", "ecs_tasks"))
    assert int(seen.read_text()) > os.nice(0)


def _large_result() -> bytes:
    return bytes(range(256)) * (64 * 1024)  # 16 MiB


def test_a_large_result_comes_back_whole_and_not_through_the_pipe(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Pickled into one message, a result is held twice by each side (the docs child's is
    # 135 MB at 5,000 operations); it goes through a file that both read a piece at a time.
    sizes = tmp_path / "sent"
    send = multiprocessing.connection.Connection.send

    def noting(self: Any, obj: Any) -> None:
        with sizes.open("a") as file:  # the child inherits this patch when it forks
            file.write(f"{len(pickle.dumps(obj))}\n")
        send(self, obj)

    monkeypatch.setattr(multiprocessing.connection.Connection, "send", noting)
    with build_module._in_background(_large_result) as result:
        assert result() == _large_result()
    sent = [int(size) for size in sizes.read_text().split()]
    assert sent and max(sent) < 1024


def _unpicklable_result() -> object:
    return lambda: None


def test_a_result_that_cannot_be_pickled_is_reported() -> None:
    with (
        pytest.raises((pickle.PicklingError, AttributeError, RuntimeError), match="pickle"),
        build_module._in_background(_unpicklable_result) as result,
    ):
        result()


def _no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_result_that_cannot_be_written_names_its_file(monkeypatch: pytest.MonkeyPatch) -> None:
    # A full temporary folder: the command line prints the reason and this path (scripts/cli.py).
    monkeypatch.setattr(build_module.pickle, "dump", _no_space)
    with (
        pytest.raises(OSError, match="No space left") as raised,
        build_module._in_background(_large_result) as result,
    ):
        result()
    assert raised.value.errno == errno.ENOSPC
    assert str(raised.value.filename).endswith(build_module._RESULT)


# --- background children that do not stop when told -----------------------------------------


def _ignore_stops_and_work_on() -> str:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(120)
    return "done"


def _ignore_stops_then_answer_at_length() -> bytes:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(0.5)  # the parent's stop arrives now, and is lost
    return b"x" * (4 * 1024 * 1024)  # more than a pipe holds: sending blocks


def _leave_early(
    function: Callable[[], object],
    capfd: pytest.CaptureFixture[str],
    ready: Callable[[], bool] = lambda: True,
) -> str:
    """Start ``function`` in the background and leave once it is ``ready``, as a failed
    validation does; what the child printed. Fails if leaving does not end the child."""
    children: list[Any] = []

    def leave() -> None:
        with build_module._in_background(function):
            children.extend(multiprocessing.active_children())
            deadline = time.monotonic() + 30
            while not ready() and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.5)  # the child is at work

    leaving = threading.Thread(target=leave, daemon=True)
    leaving.start()
    leaving.join(60)
    assert not leaving.is_alive(), "leaving waited for a child that would not stop"
    assert children and not any(child.is_alive() for child in children)
    return capfd.readouterr().err


def test_a_child_that_ignores_being_told_to_stop_is_ended(
    capfd: pytest.CaptureFixture[str],
) -> None:
    _leave_early(_ignore_stops_and_work_on, capfd)


def _leave_files_and_work_on(note: Path) -> None:
    folder = Path(tempfile.mkdtemp())
    (folder / "half-written.py").write_text("class")
    note.write_text(str(folder))
    time.sleep(120)


def test_a_child_ended_early_leaves_no_files(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    note = tmp_path / "folder"
    ready = lambda: note.exists() and note.read_text() != ""  # noqa: E731
    _leave_early(functools.partial(_leave_files_and_work_on, note), capfd, ready)
    assert note.read_text()
    assert not Path(note.read_text()).exists()


def test_a_child_still_sending_when_the_parent_leaves_ends_quietly(
    capfd: pytest.CaptureFixture[str],
) -> None:
    assert "Traceback" not in _leave_early(_ignore_stops_then_answer_at_length, capfd)
