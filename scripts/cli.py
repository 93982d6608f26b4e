"""The pipeline's command line: validate a spec, build from it, or check that a build is fresh.

Exit status: 0 success; 1 the spec is invalid (each problem printed once, located as
``FILE:LINE:COL: message [json-pointer]``) or, for ``check``, the output is stale; 2 the input
cannot be used at all (a missing or unreadable file, a bad package name). Never a traceback.
Warnings (``FILE:LINE:COL: warning: message [json-pointer]``) are printed once and never
change the exit status.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from scripts.problems import (
    ERROR,
    EXIT_INTERNAL,
    EXIT_INVALID,
    EXIT_UNUSABLE,
    WARNING,
    Problem,
    SpecError,
    UnusableInputError,
    display_path,
    errors_in,
    sorted_problems,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scripts", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check a spec and print every problem")
    validate.add_argument("spec", type=Path)
    _add_examples_option(validate)
    conformance = commands.add_parser(
        "conformance", help="compare the parameter tables of RST reference pages with the spec"
    )
    conformance.add_argument("--docs", type=Path, required=True, help="an .rst page or a folder")
    conformance.add_argument("--spec", type=Path, default=Path("spec/openapi.yaml"))
    draft = commands.add_parser(
        "import", help="draft an OpenAPI 3.1 document for one operation page of an RST reference"
    )
    draft.add_argument("page", type=Path, help="the operation page (.rst)")
    draft.add_argument("--out", type=Path, default=Path("drafts"), help="folder for the draft")
    draft.add_argument(
        "--docs", type=Path, default=None, help="docs root for :ref: links (default: found)"
    )
    for name, text in (
        ("build", "validate, then write models, package and bundled spec into OUT"),
        ("check", "fail when OUT is not exactly what build would write"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--spec", type=Path, default=Path("spec/openapi.yaml"))
        command.add_argument("--out", type=Path, default=Path("generated"))
        command.add_argument("--package", default="ecs_tasks")
        _add_examples_option(command)
        if name == "build":
            command.add_argument("--force", action="store_true", help="build even if up to date")
    return parser


def _add_examples_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--examples",
        choices=(ERROR, WARNING),
        help="how an example that does not match its schema is reported (default: "
        "[tool.ecs-tasks] examples in pyproject.toml for the project's own spec/, "
        "otherwise warning)",
    )


def _validate(spec: Path, examples: str | None) -> int:
    from scripts.bundle import bundle
    from scripts.validate import examples_policy, validate

    # A missing or unreadable spec is UnusableInputError.
    problems = validate(bundle(spec), examples=examples_policy(spec, examples))
    if errors_in(problems):
        raise SpecError(problems)
    print_warnings(problems)
    print(f"{display_path(spec)}: valid{_warning_count(problems)}")
    return 0


def print_warnings(problems: list[Problem]) -> None:
    """Print each warning once, in file and line order, on stderr."""
    for problem in sorted_problems(problems):
        if problem.is_warning:
            print(problem.format(), file=sys.stderr)


def _warning_count(problems: list[Problem], form: str = " ({})") -> str:
    """How many warnings there are, in ``form``; nothing when there are none."""
    count = len({p for p in problems if p.is_warning})
    return form.format(f"{count} warning{'s' if count != 1 else ''}") if count else ""


def _conformance(docs: Path, spec: Path) -> int:
    from scripts.bundle import bundle
    from scripts.conformance import check

    if not docs.exists():
        raise UnusableInputError(docs, "no such file or folder")
    report = check(docs, bundle(spec))
    for line in report.lines():
        print(line)
    if not report.pages:
        print(
            f"{display_path(docs)}: none of the pages {display_path(spec)} traces is here; "
            "nothing was compared",
            file=sys.stderr,
        )
        return EXIT_INVALID
    print(report.summary())
    if report.failures:
        print(
            f"{len(report.failures)} difference(s) between the docs and the spec", file=sys.stderr
        )
        return EXIT_INVALID
    return 0


def _import(page: Path, out: Path, docs: Path | None) -> int:
    import os
    import tempfile

    from scripts.bundle import bundle
    from scripts.import_page import import_page, render
    from scripts.validate import validate

    if not page.is_file():
        raise UnusableInputError(page, "no such page")
    if docs is not None and not docs.is_dir():
        raise UnusableInputError(docs, "no such folder")
    try:
        draft = import_page(page, docs)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return EXIT_UNUSABLE
    for warning in draft.warnings:
        print(warning.format(), file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{draft.name}.yaml"
    # Written next to its place and validated there, then renamed: a draft that would not pass
    # `make validate` is never left behind.
    handle, temporary = tempfile.mkstemp(prefix=".draft-", suffix=".yaml", dir=out)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(render(draft))
        problems = validate(bundle(Path(temporary)))
        if problems:
            raise SpecError(problems, exit_status=EXIT_INTERNAL)
        Path(temporary).replace(target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    count = len(draft.warnings)
    print(f"wrote {display_path(target)} ({count} warning{'s' if count != 1 else ''})")
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "validate":
        return _validate(args.spec, args.examples)
    if args.command == "conformance":
        return _conformance(args.docs, args.spec)
    if args.command == "import":
        return _import(args.page, args.out, args.docs)
    from scripts.build import Target, build, differences

    target = Target(spec=args.spec, out=args.out, package=args.package, examples=args.examples)
    if args.command == "check":
        found = differences(target)
        for line in found:
            print(line, file=sys.stderr)
        if found:
            print(f"{display_path(args.out)} is stale: run `make build`", file=sys.stderr)
            return EXIT_INVALID
        print(f"{display_path(args.out)} is up to date with {display_path(args.spec)}")
        return 0
    started = time.perf_counter()
    built = build(target, force=args.force)
    if built is not None:
        elapsed = time.perf_counter() - started
        print_warnings(built.warnings)
        where = f"{display_path(args.out)} from {display_path(args.spec)}"
        print(f"built {where} in {elapsed:.2f} s{_warning_count(built.warnings)}")
    else:
        print(f"{display_path(args.out)} is up to date; nothing to do")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except SpecError as exc:
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        count = exc.error_count
        warned = _warning_count(exc.problems, ", {}")
        summary = f"{count} problem{'s' if count != 1 else ''}{warned}"
        print(f"{summary}; nothing was written", file=sys.stderr)
        return exc.exit_status
    except UnusableInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug here, not in the spec: still one line, no traceback
        print(f"internal error ({type(exc).__name__}): {exc}; please report it", file=sys.stderr)
        return EXIT_INTERNAL
