"""Problems and input errors survive the pipe from the forked renderer to the parent intact."""

from __future__ import annotations

import pickle
from pathlib import Path

from scripts.problems import Problem, SpecError, UnusableInputError


def test_a_spec_error_keeps_its_located_problems_across_processes() -> None:
    problem = Problem(Path("spec.yaml"), 3, 5, "cannot be modelled", "/components/schemas/A")
    error = pickle.loads(pickle.dumps(SpecError([problem, problem.as_warning()], exit_status=2)))
    assert error.problems == sorted([problem, problem.as_warning()], key=lambda p: p.severity)
    assert error.error_count == 1
    assert error.exit_status == 2


def test_an_unusable_input_error_keeps_its_path_and_reason_across_processes() -> None:
    error = pickle.loads(pickle.dumps(UnusableInputError(Path("out"), "is a file")))
    assert (error.path, error.reason, str(error)) == (Path("out"), "is a file", "out: is a file")
