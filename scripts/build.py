"""The pipeline: load -> bundle -> validate -> render, then one step that writes.

Every stage before :func:`write_output` is a function from data to data and touches no file
but the spec it reads. The output is rendered completely in memory, written to a temporary
folder beside OUT, formatted there, and swapped in whole, so a failure at any point leaves
OUT exactly as it was.
"""

from __future__ import annotations

import contextlib
import keyword
import multiprocessing
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar, cast

from scripts import fingerprint
from scripts.problems import EXIT_UNUSABLE, UnusableInputError, display_path

_T = TypeVar("_T")


@dataclass(frozen=True)
class Target:
    """What to build: from which spec, into which folder, under which package name."""

    spec: Path
    out: Path
    package: str

    def check(self) -> None:
        """Refuse, before any work, a package name that cannot be imported. (A spec that
        cannot be read is refused by the loader, with the same message everywhere.)"""
        if not self.package.isidentifier() or keyword.iskeyword(self.package):
            reason = f"PACKAGE '{self.package}' is not a valid Python package name"
            raise UnusableInputError(self.out, reason)


@dataclass(frozen=True)
class Rendered:
    """A finished build in memory: output files by relative path, and the spec files read."""

    files: dict[str, bytes]
    spec_files: dict[str, str]


def render(target: Target) -> Rendered:
    """Run every stage up to, not including, writing. Raises SpecError on any problem.

    Once the spec is bundled, validating it and rendering from it are independent and take
    about the same time, so a forked child renders every output while this process validates;
    the rendered files are only used when validation found nothing.
    """
    from scripts.bundle import bundle
    from scripts.problems import SpecError
    from scripts.publish import to_openapi_30
    from scripts.validate import validate, validate_derived

    spec = bundle(target.spec)
    with _in_background(_render_outputs, spec.data, target.package, target.spec.name) as files:
        problems = validate(spec)
        if problems:
            raise SpecError(problems)
        # The 3.0 rendering is published too; a spec it cannot express is a build error.
        problems = [
            spec.locate(pointer, f"in the OpenAPI 3.0 rendering: {message}")
            for pointer, message in validate_derived(to_openapi_30(spec.data))
        ]
        if problems:
            raise SpecError(problems)
        rendered = files()
    base = spec.root.path.parent
    spec_files = {
        path.relative_to(base).as_posix(): doc.digest for path, doc in spec.documents.items()
    }
    return Rendered(files=rendered, spec_files=spec_files)


def _render_outputs(data: dict[str, Any], package: str, spec_name: str) -> dict[str, bytes]:
    """Every output file of a valid bundled spec, by path relative to OUT."""
    from scripts.publish import render_published
    from scripts.render_docs import render_docs

    return {
        **render_published(data),
        **render_docs(data),
        **_render_package(data, package, spec_name),
    }


def _render_package(data: dict[str, Any], package: str, spec_name: str) -> dict[str, bytes]:
    """The Python package of a valid bundled spec, formatted, by path relative to OUT."""
    from scripts.render_client import render_package

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / package
        folder.mkdir()
        for name, text in render_package(data, package, spec_name).items():
            (folder / name).write_text(text, encoding="utf-8")
        _format_python(folder)
        return {f"{package}/{path.name}": path.read_bytes() for path in sorted(folder.iterdir())}


@contextlib.contextmanager
def _in_background(function: Callable[..., _T], *args: Any) -> Iterator[Callable[[], _T]]:
    """Start ``function(*args)`` in a forked process; yield a getter of its result.

    The child is stopped if the caller leaves early (validation failed). Where fork is not
    available the function simply runs in this process when its result is asked for.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        yield lambda: function(*args)
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_run_and_send, args=(sender, function, args), daemon=True)
    child.start()
    sender.close()

    def result() -> _T:
        try:
            ok, value = receiver.recv()
        except EOFError:
            raise RuntimeError("the rendering process ended without an answer") from None
        if not ok:
            raise value
        return cast(_T, value)

    try:
        yield result
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        receiver.close()


def _run_and_send(sender: Connection, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        outcome: tuple[bool, Any] = (True, function(*args))
    except BaseException as exc:  # handed to the parent, which raises it there
        outcome = (False, exc)
    try:
        sender.send(outcome)
    except Exception as exc:  # an exception that cannot be pickled
        sender.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        sender.close()


def _format_python(folder: Path) -> None:
    """Lint-fix and format the generated Python with the project's own ruff configuration."""
    from ruff.__main__ import find_ruff_bin

    ruff = find_ruff_bin()
    config = ["--config", str(fingerprint.PROJECT_ROOT / "pyproject.toml")]
    for command in (["check", "--fix-only", "--quiet"], ["format", "--quiet"]):
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
        outputs = {
            name: (staging / name).read_bytes() for name in fingerprint.list_outputs(staging)
        }
        record = fingerprint.render(rendered.spec_files, target.package, outputs)
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


def build(target: Target, *, force: bool = False) -> bool:
    """Build ``target``; False when OUT was already up to date and nothing was done."""
    target.check()
    if not force and fingerprint.is_up_to_date(target.spec, target.out, target.package):
        return False
    write_output(target, render(target))
    return True


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


__all__ = ["EXIT_UNUSABLE", "Target", "build", "differences", "render", "write_output"]
