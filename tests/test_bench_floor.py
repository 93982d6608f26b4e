"""The floor that `make bench BENCH=scale` prints is made of the build's own stages: the same
generator run, the same import check, the same validation (bench/floor.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bench import floor
from conftest import GENERATED, ROOT, SPEC, SPECS
from scripts import build, render_models


def _preloaded(code: str) -> set[str]:
    """The modules a checker's code imports before it is given a package."""
    line = re.search(r"^import asyncio, .*$", code, re.MULTILINE)
    assert line is not None
    return {name.strip() for name in line.group(0).removeprefix("import ").split(",")}


def test_the_floor_preloads_what_the_builds_import_checker_preloads() -> None:
    # Only the import of models.py counts as the build's path; that holds only while both
    # interpreters have the same libraries loaded before it.
    assert _preloaded(floor._IMPORT) == _preloaded(build._IMPORT_CHECK)


def _part(part: str, spec: Path, report: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bench.floor", part, str(spec), str(report)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_validation_part_validates_as_the_build_does(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    assert _part("validation", SPEC, report).returncode == 0
    figures = json.loads(report.read_text("utf-8"))
    assert figures["seconds"] > 0
    assert figures["cpu_seconds"] > 0
    refused = _part("validation", SPECS / "invalid" / "invalid-default" / "openapi.yaml", report)
    assert refused.returncode != 0
    assert "SpecError" in refused.stderr


def test_the_generator_part_times_the_generators_own_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    generate = render_models._generate
    runs: list[float] = []

    def slowed(*args: Any, **kwargs: Any) -> Any:
        # Half a second of the generator's own, which the part must count; the sleep is no CPU.
        time.sleep(0.5)
        runs.append(time.perf_counter())
        return generate(*args, **kwargs)

    monkeypatch.setattr(render_models, "_generate", slowed)
    figures = floor.run_part("generator", SPEC)
    assert runs  # our spec takes two: the second names its fields (render_models)
    assert figures["seconds"] >= 0.5 * len(runs)
    assert figures["cpu_seconds"] < figures["seconds"]
    assert figures["growth_mib"] >= 0
    assert render_models._generate is slowed  # put back as it was


def test_the_import_part_times_the_models_of_a_built_package(tmp_path: Path) -> None:
    package = tmp_path / "slow"
    package.mkdir()
    (package / "__init__.py").write_text("raise AssertionError('the package is not imported')\n")
    (package / "models.py").write_text("import time\n\ntime.sleep(0.3)\n")
    part = floor._part(floor._import_command(tmp_path, "slow"), runs=1)
    assert 0.3 <= part.seconds < 1
    assert part.cpu_seconds > 0  # the interpreter and its libraries, measured from outside


def test_the_import_part_fails_on_a_package_without_models() -> None:
    with pytest.raises(SystemExit, match="ModuleNotFoundError"):
        floor._part(floor._import_command(GENERATED, "no_such_package"), runs=1)


def test_the_floor_is_the_longer_of_the_path_and_the_work_over_the_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(floor.os, "cpu_count", lambda: 2)
    generator = floor.Part(seconds=3.0, cpu_seconds=3.0, tree_mib=100)
    imports = floor.Part(seconds=1.0, cpu_seconds=1.5, tree_mib=50)
    validation = floor.Part(seconds=2.0, cpu_seconds=2.0, tree_mib=60)
    measured = floor.Floor(generator, imports, validation)
    assert measured.path_seconds == 4.0
    assert measured.cpu_seconds == 3.25
    assert measured.seconds == 4.0
    heavy = floor.Part(seconds=2.0, cpu_seconds=6.0, tree_mib=60)
    assert floor.Floor(generator, imports, heavy).seconds == 5.25


@pytest.mark.parametrize(
    "argv", [[], ["build", "spec.yaml", "report.json"], ["generator", "spec.yaml"]]
)
def test_a_part_refuses_what_it_does_not_know(argv: list[str]) -> None:
    assert floor.main(argv) == 2
