"""The pipeline: load -> bundle -> validate -> render, then one step that writes.

Every stage before :func:`write_output` is a function from data to data and touches no file
but the spec it reads. The output is rendered completely in memory, written to a temporary
folder beside OUT, formatted there, and swapped in whole, so a failure at any point leaves
OUT exactly as it was.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import keyword
import multiprocessing
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from scripts import fingerprint
from scripts.cache import BuildCache, CacheRecord, digest_value, pack_files, unpack_files
from scripts.problems import (
    EXIT_UNUSABLE,
    Problem,
    RenderWarning,
    UnusableInputError,
    display_path,
    errors_in,
)

if TYPE_CHECKING:
    from scripts.bundle import Bundle

_T = TypeVar("_T")


@dataclass(frozen=True)
class Target:
    """What to build: from which spec, into which folder, under which package name."""

    spec: Path
    out: Path
    package: str
    #: How a mismatching example is reported ("error" or "warning"); None: the project's rule.
    examples: str | None = None

    def check(self) -> None:
        """Refuse, before any work, a package name that cannot be imported or sent in a
        header, and a foreign spec aimed at this project's own output. (A spec that cannot be
        read is refused by the loader, with the same message everywhere.)"""
        if not self.package.isascii():
            reason = (
                f"PACKAGE '{self.package}' is not ASCII; the package name is sent in the "
                "User-Agent header of every request, so use ASCII letters, digits and _"
            )
            raise UnusableInputError(self.out, reason)
        if not self.package.isidentifier() or keyword.iskeyword(self.package):
            reason = f"PACKAGE '{self.package}' is not a valid Python package name"
            raise UnusableInputError(self.out, reason)
        _refuse_foreign_spec_in_own_output(self)


#: This project's own spec, package and output folder: `make build` with no arguments.
OWN_SPEC = fingerprint.PROJECT_ROOT / "spec" / "openapi.yaml"
OWN_OUT = fingerprint.PROJECT_ROOT / "generated"
OWN_PACKAGE = "ecs_tasks"


def _refuse_foreign_spec_in_own_output(target: Target) -> None:
    """generated/ holds the package this project ships; another spec (or package name) built
    without OUT= would replace it, so that is refused with the OUT to give instead."""
    if target.out.resolve() != OWN_OUT.resolve():
        return
    if target.spec.resolve() == OWN_SPEC.resolve() and target.package == OWN_PACKAGE:
        return
    name = target.package if target.package != OWN_PACKAGE else target.spec.stem
    reason = (
        "holds this project's own package (built from spec/openapi.yaml as ecs_tasks) and is "
        f"not replaced by a build of {display_path(target.spec)} as {target.package}; give "
        f"another output folder, e.g. OUT=out/{name} (make build SPEC={target.spec} "
        f"OUT=out/{name} PACKAGE={target.package})"
    )
    raise UnusableInputError(target.out, reason)


@dataclass(frozen=True)
class Rendered:
    """A finished build in memory: output files by relative path, and the spec files read."""

    files: dict[str, bytes]
    spec_files: dict[str, str]
    #: Located warnings of validation and rendering, for the command line to print once.
    warnings: list[Problem] = field(default_factory=list)


#: How much the docs child lowers its priority (see ``nice(2)``). The generator's child is the
#: critical path of a cold build; on two cores it shared its core with the docs child, which
#: still ends well before it (a cold build of 5,000 operations: 48.4 s before, 44.8 s after).
_DOCS_NICENESS = 10


def render(target: Target, cache: BuildCache | None = None) -> Rendered:
    """Run every stage up to, not including, writing. Raises SpecError on any problem.

    Once the spec is bundled, validating it and rendering from it are independent, so two
    forked children render (docs and published files in one, the Python package in the other)
    while this process validates; the rendered files are only used when validation found
    nothing. The children fork before the validator's libraries are imported, which they do
    not need. ``cache`` (none by default) lets the stages skip what an earlier build computed
    from the same content; it is saved by the caller once the build succeeded. Only results
    that came with no warning are cached, so a cached build prints what an uncached one does.
    """
    from scripts.bundle import bundle

    cache = cache or BuildCache.disabled()
    spec = bundle(target.spec)
    content = digest_value(spec.data)
    keys = {
        "package": f"{target.package}|{target.spec.name}|{content}",
    }
    cached_package = _cached_package(cache, keys["package"])
    with (
        _frozen_heap(),
        # Made from the pieces of the last build's documents (all of them, if nothing changed).
        _in_background(
            _render_documents, spec.data, cache.get("fragments", ""), niceness=_DOCS_NICENESS
        ) as documents,
        _unless_cached(
            cached_package,
            _render_package,
            spec.data,
            target.package,
            target.spec.name,
            cache,
        ) as package,
    ):
        warnings = _validate(spec, cache, target)
        document_files, fragments = documents()
        package_files, render_warnings, package_record = package()
    cache.put("fragments", "", fragments)
    _keep_package(cache, keys["package"], package_files, render_warnings, package_record)
    warnings += [spec.locate(pointer, message).as_warning() for pointer, message in render_warnings]
    base = spec.root.path.parent
    spec_files = {
        path.relative_to(base).as_posix(): doc.digest for path, doc in spec.documents.items()
    }
    files = {**document_files, **package_files}
    return Rendered(files=files, spec_files=spec_files, warnings=warnings)


def _validate(spec: Bundle, cache: BuildCache, target: Target) -> list[Problem]:
    """The warnings of the bundled spec; SpecError for its errors or those of its OpenAPI 3.0
    rendering.

    A document that an earlier build found free of any problem or warning, or one that differs
    from it only in descriptions (see :mod:`scripts.validation_key`), is not checked again;
    otherwise the meta-schema checks of schemas that passed before are skipped (see
    :mod:`scripts.schema_check`).
    """
    from scripts import schema_check
    from scripts.validation_key import examples_policy, validation_key

    schema_check.load_passed(cache)  # read, so kept for the next build even when unused here
    examples = examples_policy(target.spec, target.examples)
    key = validation_key(spec.data, examples)
    if not spec.problems and cache.get("valid", key) is not None:
        cache.put("valid", key, b"")
        return []

    from scripts.problems import SpecError
    from scripts.publish import to_openapi_30
    from scripts.validate import validate, validate_derived

    warnings = validate(spec, examples=examples)
    if errors_in(warnings):
        raise SpecError(warnings)
    # The 3.0 rendering is published too; a spec it cannot express is a build error.
    problems = [
        spec.locate(pointer, f"in the OpenAPI 3.0 rendering: {message}")
        for pointer, message in validate_derived(to_openapi_30(spec.data), examples=examples)
    ]
    if problems:
        raise SpecError(problems + warnings)
    if not warnings:
        cache.put("valid", key, b"")
    schema_check.stage_passed(cache)
    return warnings


def _render_documents(
    data: dict[str, Any], earlier_fragments: bytes | None
) -> tuple[dict[str, bytes], bytes]:
    """The published spec files and the docs of a valid bundled spec, by path relative to OUT;
    and the pieces they were made of, for the next build (see :mod:`scripts.fragments`), which
    takes from ``earlier_fragments`` those an edit did not change."""
    from scripts.fragments import Fragments
    from scripts.publish import render_published
    from scripts.render_docs import render_docs

    fragments = Fragments(earlier_fragments)
    files = {**render_published(data, fragments), **render_docs(data, fragments)}
    return files, fragments.payload()


def _render_project(data: dict[str, Any], package: str) -> str:
    """OUT's pyproject.toml, which makes OUT pip-installable as the package alone."""
    from scripts.render_models import project_version
    from scripts.templating import environment

    info = data.get("info")
    title = str(info.get("title") or package) if isinstance(info, dict) else package
    context = {"package": package, "title": title, "version": project_version()}
    return environment().get_template("project/pyproject.toml.jinja").render(context)


def _cached_package(
    cache: BuildCache, key: str
) -> tuple[dict[str, bytes], list[RenderWarning], CacheRecord] | None:
    """The package an earlier build rendered from the same content (with no warning: a cached
    one has none to print), and the entries it was made from, which stay for the next build."""
    files = unpack_files(cache.get("package", key))
    uses = cache.get("package-uses", key)
    if files is None or uses is None:
        return None
    return files, [], CacheRecord(frozenset(uses.decode("utf-8", "replace").split()))


def _keep_package(
    cache: BuildCache,
    key: str,
    files: dict[str, bytes],
    warnings: list[RenderWarning],
    record: CacheRecord,
) -> None:
    """Keep what rendering the package read or made, and the package if it had no warning."""
    cache.merge(record)
    if not warnings:
        cache.put("package", key, pack_files(files))
        cache.put("package-uses", key, "\n".join(record.names()).encode())


def _render_package(
    data: dict[str, Any], package: str, spec_name: str, cache: BuildCache
) -> tuple[dict[str, bytes], list[RenderWarning], CacheRecord]:
    """The Python package of a valid bundled spec (and OUT's pyproject.toml), formatted and
    proven to import, by path relative to OUT; what the renderers could not express (JSON
    pointer, message); and the cache entries it read or made (for the caller to keep).

    The models of the spec's structure and the verdict that a package of this shape imports
    come from ``cache`` when an earlier build made them (see :func:`_import_key`). When the
    models are generated, the import check's interpreter is started at once, so that it has
    imported pydantic and httpx by the time models.py is ready; it imports models.py while the
    rest of the package is rendered, compiled and formatted, and the package at the end.
    """
    from scripts.render_client import render_package
    from scripts.render_models import render_models

    warnings: list[RenderWarning] = []
    cache = cache.branch()
    with _ImportChecker() as checker, tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "package" / package
        rest = Path(scratch) / "rest" / package
        folder.mkdir(parents=True)
        rest.mkdir(parents=True)
        models = render_models(
            data, spec_name, warnings=warnings, cache=cache, before_generating=checker.start
        )
        (folder / "models.py").write_text(models.source, encoding="utf-8")
        check_syntax(folder)
        _format_reusing(folder, cache)
        checker.preload(folder)
        rendered = render_package(data, package, spec_name, warnings=warnings, models=models)
        structure = models.structure
        if rendered["models.py"] == models.source:
            del rendered["models.py"]
        else:  # not the models it was given: models.py goes with the rest, checked afresh
            checker.stop()
            structure = None
        for name, text in rendered.items():
            (rest / name).write_text(text, encoding="utf-8")
        check_syntax(rest)
        _format_reusing(rest, cache)
        for path in rest.iterdir():
            path.replace(folder / path.name)
        key = _import_key(folder, structure)
        if cache.get("imports", key) is None:
            checker.check(folder)
            cache.put("imports", key, b"")
        files = {f"{package}/{path.name}": path.read_bytes() for path in sorted(folder.iterdir())}
    files["pyproject.toml"] = _render_project(data, package).encode("utf-8")
    return files, warnings, cache.record()


class GeneratedCodeError(Exception):
    """The generated package does not compile or import: a bug of the generator, reported
    with the generated file and line at fault; nothing is written."""


def check_syntax(folder: Path) -> None:
    """Compile every module of the package in ``folder`` (all of them, also those the package
    does not import). Raises GeneratedCodeError naming the generated file, line and column."""
    for path in sorted(folder.glob("*.py")):
        try:
            compile(path.read_bytes(), str(path), "exec")
        except SyntaxError as exc:
            place = f"{folder.name}/{path.name}:{exc.lineno}:{exc.offset}"
            raise GeneratedCodeError(_broken(folder, f"{place}: SyntaxError: {exc.msg}")) from None


def _broken(folder: Path, found: str) -> str:
    return (
        f"the generated package {folder.name} does not import: {found}; nothing was written "
        "(this is a bug of the generator)"
    )


#: Run in a fresh interpreter, which imports the package as a user would and prints one
#: located line if that fails. No bytecode is written into the folder, which becomes the output.
#: It imports first what every generated package imports, then reads requests, a JSON list a
#: line: ["models", FOLDER] imports FOLDER/models.py under the package's name (models.py imports
#: no sibling at import time), so that the package's own import finds it done; ["package",
#: FOLDER] imports the package and ends. The end of its input ends it too (the build stopped).
_IMPORT_CHECK = """
import importlib, json, pathlib, sys, traceback, types
import asyncio, httpcore, httpx, pydantic
from pydantic import BaseModel, ConfigDict, Field, RootModel

def fail(exc, folder):
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if str(folder) in f.filename]
    where = folder.name
    if frames:
        where = f"{folder.name}/{pathlib.Path(frames[-1].filename).name}:{frames[-1].lineno}"
    print(f"{where}: {type(exc).__name__}: {exc}")
    sys.exit(1)

for line in sys.stdin:
    kind, folder = json.loads(line)
    folder = pathlib.Path(folder)
    if kind == "models":
        parent = sys.modules[folder.name] = types.ModuleType(folder.name)
        parent.__path__ = [str(folder)]
        try:
            importlib.import_module(f"{folder.name}.models")
        except Exception as exc:
            fail(exc, folder)
        del sys.modules[folder.name]
    else:
        sys.path.insert(0, str(folder.parent))
        try:
            importlib.import_module(folder.name)
        except Exception as exc:
            fail(exc, folder)
        sys.exit(0)
"""


def check_imports(folder: Path) -> None:
    """Import the package in ``folder`` in a child interpreter (a clean one: what the build
    imported does not count), so that a build never exits 0 with a package that does not
    import. Raises GeneratedCodeError naming the generated file and line."""
    with _ImportChecker() as checker:
        checker.check(folder)


class _ImportChecker:
    """The clean interpreter of :func:`check_imports`, which may be started before the package
    is there: it imports what every generated package imports (the libraries of
    templates/client/_base_client.py.jinja), then waits for requests (see ``_IMPORT_CHECK``).
    Leaving the ``with`` block stops it; so does the end of its input, if this process ends
    without a word."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        """Start the interpreter, unless it runs already."""
        if self._process is None:
            self._process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed code
                [sys.executable, "-I", "-B", "-c", _IMPORT_CHECK],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )

    def preload(self, folder: Path) -> None:
        """Have the interpreter, if started, import ``folder``/models.py ahead of the package
        (the modules it imports at import time are not in ``folder`` yet)."""
        if self._process is not None and self._process.stdin is not None:
            # One that has failed already has its answer ready for check().
            with contextlib.suppress(BrokenPipeError):
                self._process.stdin.write(json.dumps(["models", str(folder)]) + "\n")
                self._process.stdin.flush()

    def check(self, folder: Path) -> None:
        """Import the package in ``folder``; GeneratedCodeError if that fails."""
        self.start()
        process = self._process
        assert process is not None
        out, err = process.communicate(json.dumps(["package", str(folder)]) + "\n")
        self._process = None  # ended; one left half-way is stopped on leaving the block
        if process.returncode != 0:
            found = out.strip() or " ".join(err.split()[-12:])
            raise GeneratedCodeError(_broken(folder, found))

    def stop(self) -> None:
        """Stop the interpreter, if it runs; :meth:`start` or :meth:`check` start another."""
        if self._process is not None:
            self._process.kill()
            self._process.communicate()
            self._process = None

    def __enter__(self) -> _ImportChecker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _import_key(folder: Path, structure: str | None) -> str:
    """A digest of what can decide whether the package in ``folder`` imports: the bytes of its
    modules, models.py excepted when it is known by the ``structure`` of its models (see
    :attr:`scripts.render_models.Models.structure`), and the interpreter and libraries it
    imports with.

    Where two builds' models have one structure, their models.py differ only in the text of
    class docstrings and of pydantic's ``Field(description=...)``, each a string literal of
    its own (escaped by the generator's own functions), which no import reads. So an edit to a
    schema's description finds the verdict of the build before; any other change checks again.
    """
    from importlib import metadata

    sha = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        content = path.read_bytes()
        if path.name == "models.py" and structure is not None:
            content = f"structure {structure}".encode()
        sha.update(f"{path.name}\0{len(content)}\0".encode() + content)
    versions = [metadata.version(name) for name in ("pydantic", "pydantic-core", "httpx")]
    sha.update(f"{sys.executable}\0{sys.version}\0{versions}".encode())
    return sha.hexdigest()


@contextlib.contextmanager
def _frozen_heap() -> Iterator[None]:
    """Leave the objects made so far (the bundled spec, above all) out of garbage collection.

    A forked child that collected garbage would touch every object's header and so copy the
    parent's whole heap, page by page; and the spec's objects live as long as the build.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def _unless_cached(
    cached: _T | None, function: Callable[..., _T], *args: Any
) -> Iterator[Callable[[], _T]]:
    """A getter of ``cached`` when there is such a value, else of ``function(*args)`` computed
    in the background."""
    if cached is not None:
        yield lambda: cached
        return
    with _in_background(function, *args) as result:
        yield result


@contextlib.contextmanager
def _in_background(
    function: Callable[..., _T], *args: Any, niceness: int = 0
) -> Iterator[Callable[[], _T]]:
    """Start ``function(*args)`` in a forked process; yield a getter of its result.

    If the caller leaves early (validation failed), the child and every process it started
    (the import checker, ruff) are killed at once, and its temporary files removed: the child
    runs in a process group of its own and keeps its temporary files in a folder made here.
    Killing is the only stop that always holds: an exception raised by a signal handler is
    dropped (with a traceback on stderr) when it lands in a finalizer. Where fork is not
    available the function simply runs in this process when its result is asked for (and
    ``niceness``, how much the child lowers its own priority, does not apply).
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        yield lambda: function(*args)
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    scratch = tempfile.mkdtemp(prefix="ecs-tasks-render.")
    child = context.Process(
        target=_run_and_send, args=(sender, scratch, niceness, function, args), daemon=True
    )
    try:
        child.start()
        sender.close()

        def result() -> _T:
            try:
                ok, value = receiver.recv()
            except EOFError:
                raise RuntimeError("the rendering process ended without an answer") from None
            if not ok:
                raise value
            with (Path(scratch) / _RESULT).open("rb") as file:
                return cast(_T, pickle.load(file))  # noqa: S301 - our own child wrote it

        yield result
    finally:
        receiver.close()  # a child still sending its result gets a broken pipe, not a wait
        if child.pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, signal.SIGKILL)  # the child and all it started
            child.kill()  # in case it had not made its group yet
            child.join()
        shutil.rmtree(scratch, ignore_errors=True)


#: The file in a child's scratch folder that holds its result (see :func:`_write_result`).
_RESULT = "result.pickle"


def _write_result(value: object, scratch: str) -> None:
    """Pickle ``value`` into the scratch folder, a piece at a time.

    Sent through the pipe, a result is pickled whole into one message, and the parent reads
    that message whole before it unpickles it: each side holds the result twice, and the docs
    child's result is 135 MB at 5,000 operations. From the file the parent reads it a piece
    at a time; the folder is removed when the parent leaves."""
    path = Path(scratch) / _RESULT
    try:
        with path.open("wb") as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError as exc:  # a full temporary folder, above all: say which file
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None


def _run_and_send(
    sender: Connection,
    scratch: str,
    niceness: int,
    function: Callable[..., Any],
    args: tuple[Any, ...],
) -> None:
    os.setpgid(0, 0)
    if niceness:
        with contextlib.suppress(OSError):
            os.nice(niceness)
    tempfile.tempdir = scratch  # this process's own default; the parent removes the folder
    try:
        _write_result(function(*args), scratch)
        outcome: tuple[bool, Any] = (True, None)
    except BaseException as exc:  # handed to the parent, which raises it there
        outcome = (False, exc)
    # A parent that stopped listening has left already (its build failed): nothing to say.
    with contextlib.suppress(BrokenPipeError), contextlib.closing(sender):
        try:
            sender.send(outcome)
        except BrokenPipeError:
            raise
        except Exception as exc:  # an exception that cannot be pickled
            sender.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


def _format_reusing(folder: Path, cache: BuildCache) -> None:
    """:func:`_format_python` on the package in ``folder``, taking each module that an earlier
    build formatted from the same text from ``cache`` (ruff formats a file by its text alone,
    and its version and configuration are in every entry's name)."""
    keys = {
        path: f"{folder.name}/{path.name}|{fingerprint.digest_bytes(path.read_bytes())}"
        for path in sorted(folder.glob("*.py"))
    }
    fresh = []
    for path, key in keys.items():
        formatted = cache.get("formatted", key)
        if formatted is None:
            fresh.append(path)
        else:
            path.write_bytes(formatted)
    if len(fresh) == len(keys):
        _format_python(folder)
    elif fresh:
        with tempfile.TemporaryDirectory() as scratch:
            # The same package name, so that ruff sees the modules as it would in place.
            apart = Path(scratch) / folder.name
            apart.mkdir()
            for path in fresh:
                shutil.copyfile(path, apart / path.name)
            _format_python(apart)
            for path in fresh:
                shutil.copyfile(apart / path.name, path)
    for path in fresh:
        cache.put("formatted", keys[path], path.read_bytes())


def _format_python(folder: Path) -> None:
    """Lint-fix and format the generated Python with the project's own ruff configuration.

    Imports are also sorted at ruff's default line length (88): where isort wraps an import
    depends on the line length, and OUT must pass ``ruff check`` with default settings as well
    as this project's. The trailing comma of a wrapped import keeps it wrapped at 100 too.
    """
    from ruff.__main__ import find_ruff_bin

    ruff = find_ruff_bin()
    config = ["--config", str(fingerprint.PROJECT_ROOT / "pyproject.toml")]
    commands = (
        ["check", "--fix-only", "--quiet"],
        ["check", "--fix-only", "--quiet", "--select", "I", "--line-length", "88"],
        ["format", "--quiet"],
    )
    for command in commands:
        subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [ruff, *command, *config, str(folder)], check=True, capture_output=True
        )


def stage_output(target: Target, rendered: Rendered, parent: Path) -> Path:
    """Write a finished build into a new temporary folder under ``parent`` and return it."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.out.name or 'out'}.", dir=parent))
    try:
        for name, data in rendered.files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        record = fingerprint.render(rendered.spec_files, target.package, rendered.files)
        (staging / fingerprint.FINGERPRINT_NAME).write_bytes(record)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def write_output(target: Target, rendered: Rendered) -> None:
    """Replace ``target.out`` with the finished build, in one swap."""
    out = target.out
    if not fingerprint.is_ours(out):
        reason = (
            "exists and was not written by this build (it has no .fingerprint); "
            "refusing to replace it"
        )
        raise UnusableInputError(out, reason)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = stage_output(target, rendered, out.parent)
    retired = None
    if out.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
        out.rename(retired / "tree")
    staging.rename(out)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def build(target: Target, *, force: bool = False, cache: bool = True) -> Rendered | None:
    """Build ``target`` and return what was written; None when OUT was already up to date
    and nothing was done.

    With ``cache``, what an earlier build into the same OUT computed from the same content
    is reused (see :mod:`scripts.cache`); the output is the same either way.
    """
    target.check()
    if not force and fingerprint.is_up_to_date(target.spec, target.out, target.package):
        return None
    kept = BuildCache.beside(target.out) if cache else BuildCache.disabled()
    rendered = render(target, kept)
    write_output(target, rendered)
    kept.save()
    return rendered


def differences(target: Target) -> list[str]:
    """What differs between OUT and a fresh build of the target (empty when OUT is fresh)."""
    target.check()
    rendered = render(target)
    with tempfile.TemporaryDirectory() as scratch:
        staging = stage_output(target, rendered, Path(scratch))
        fresh = set(fingerprint.list_outputs(staging)) | {fingerprint.FINGERPRINT_NAME}
        current = (
            set(fingerprint.list_outputs(target.out)) | {fingerprint.FINGERPRINT_NAME}
            if target.out.is_dir()
            else set()
        )
        found = [f"missing: {display_path(target.out / name)}" for name in sorted(fresh - current)]
        found += [
            f"not generated: {display_path(target.out / name)}" for name in sorted(current - fresh)
        ]
        for name in sorted(fresh & current):
            new = staging / name
            old = target.out / name
            if not old.is_file() or old.read_bytes() != new.read_bytes():
                found.append(f"stale: {display_path(old)}")
    return found


__all__ = [
    "EXIT_UNUSABLE",
    "GeneratedCodeError",
    "Target",
    "build",
    "check_imports",
    "check_syntax",
    "differences",
    "render",
    "write_output",
]
