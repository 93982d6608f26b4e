"""Located problems found in a spec, and the errors that carry them out of a pipeline stage."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

#: Exit status for a spec that was read but is invalid.
EXIT_INVALID = 1
#: Exit status for input that could not be used at all (missing or unreadable file).
EXIT_UNUSABLE = 2
#: Exit status for a failure of the pipeline itself (a bug to report, not a spec problem).
EXIT_INTERNAL = 3

#: A problem that makes the spec unusable: nothing is written.
ERROR = "error"
#: Something the user should know (an example that does not match, a construct the client
#: cannot express), located like an error, printed once, never failing the build.
WARNING = "warning"

#: What a renderer hands back about something it could not express: (JSON pointer into the
#: bundled spec, message). The build locates it in the source file and prints it as a warning.
RenderWarning = tuple[str, str]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the spec, with where it is: file, 1-based line and column, pointer."""

    file: Path
    line: int
    column: int
    message: str
    pointer: str = ""
    severity: str = ERROR

    @property
    def is_warning(self) -> bool:
        return self.severity == WARNING

    def as_warning(self) -> Problem:
        """The same finding, downgraded to a warning."""
        return replace(self, severity=WARNING)

    def format(self) -> str:
        """Render as ``FILE:LINE:COL: message [json-pointer]``, the shape editors link to;
        a warning reads ``FILE:LINE:COL: warning: message [json-pointer]``."""
        pointer = self.pointer if self.pointer else "#"
        if not pointer.startswith("#"):
            pointer = "#" + pointer
        label = "warning: " if self.is_warning else ""
        place = f"{display_path(self.file)}:{self.line}:{self.column}"
        return f"{place}: {label}{self.message} [{pointer}]"


def errors_in(problems: list[Problem]) -> list[Problem]:
    """The problems that are errors, not warnings."""
    return [problem for problem in problems if not problem.is_warning]


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """Each finding once, in file and line order."""
    return sorted(set(problems), key=_problem_order)


class SpecError(Exception):
    """A stage found problems; they are all reported together and nothing is written.

    ``problems`` may also hold the warnings found on the way, so that they are printed with
    the errors instead of being lost.
    """

    def __init__(self, problems: list[Problem], exit_status: int = EXIT_INVALID) -> None:
        self.problems = sorted_problems(problems)
        self.error_count = len(errors_in(self.problems))
        super().__init__(f"{self.error_count} problem(s) in the spec")
        self.exit_status = exit_status

    def __reduce__(self) -> tuple[type[SpecError], tuple[list[Problem], int]]:
        # A renderer in a forked child hands its SpecError to the parent through a pipe;
        # unpickling must rebuild it from the problems, not from the summary text.
        return (SpecError, (self.problems, self.exit_status))


class UnusableInputError(Exception):
    """The input cannot be read at all: a missing path, a directory, no permission."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{display_path(path)}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[UnusableInputError], tuple[Path, str]]:
        return (UnusableInputError, (self.path, self.reason))


def _problem_order(problem: Problem) -> tuple[str, int, int, str, str, str]:
    return (
        str(problem.file),
        problem.line,
        problem.column,
        problem.pointer,
        problem.message,
        problem.severity,
    )


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when under it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
