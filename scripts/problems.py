"""Located problems found in a spec, and the errors that carry them out of a pipeline stage."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Exit status for a spec that was read but is invalid.
EXIT_INVALID = 1
#: Exit status for input that could not be used at all (missing or unreadable file).
EXIT_UNUSABLE = 2
#: Exit status for a failure of the pipeline itself (a bug to report, not a spec problem).
EXIT_INTERNAL = 3


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the spec, with where it is: file, 1-based line and column, pointer."""

    file: Path
    line: int
    column: int
    message: str
    pointer: str = ""

    def format(self) -> str:
        """Render as ``FILE:LINE:COL: message [json-pointer]``, the shape editors link to."""
        pointer = self.pointer if self.pointer else "#"
        if not pointer.startswith("#"):
            pointer = "#" + pointer
        return f"{display_path(self.file)}:{self.line}:{self.column}: {self.message} [{pointer}]"


class SpecError(Exception):
    """A stage found problems; they are all reported together and nothing is written."""

    def __init__(self, problems: list[Problem], exit_status: int = EXIT_INVALID) -> None:
        super().__init__(f"{len(problems)} problem(s) in the spec")
        self.problems = sorted(set(problems), key=_problem_order)
        self.exit_status = exit_status


class UnusableInputError(Exception):
    """The input cannot be read at all: a missing path, a directory, no permission."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{display_path(path)}: {reason}")
        self.path = path
        self.reason = reason


def _problem_order(problem: Problem) -> tuple[str, int, int, str, str]:
    return (str(problem.file), problem.line, problem.column, problem.pointer, problem.message)


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when under it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
