"""The floor under a cold build: the work it cannot leave out, each part run alone.

A cold build must run datamodel-code-generator on the spec (the mission has the models come
from it), import what it wrote in a clean interpreter before it replaces OUT (a build that exits
0 has a package that imports), and validate the spec and its 3.0 rendering (every check the
build makes). Each part is timed alone, with nothing else on the machine, and only for itself:

- ``generator``: the generator's own import and its runs, in a process that has bundled the
  spec first (our bundling, masking and start-up are left out);
- ``import``: a clean interpreter that loads what the build's import checker loads before the
  package is there (pydantic, httpx), then the package's models.py; ``models`` is that import
  of models.py alone, the part that must wait for the generator;
- ``validation``: validating the spec and its 3.0 rendering, imports included, in a process
  that has bundled the spec first.

No build can end before the generator has run and its models were imported (``path``), nor
before the cores have done the work of all three (``cpu``: their CPU seconds over the core
count); the larger of the two is the floor. Memory: the generator's process holds every model
of the spec at once, and so does the clean interpreter; ``growth`` is what the generator's run
adds to the process that called it.

``python -m bench.floor generator|validation SPEC REPORT`` is a part that is measured: it
writes its own seconds, CPU seconds and growth to REPORT as JSON.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.measure import measure

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("generator", "validation")

# What the build's import checker loads before the package exists (scripts/build.py,
# _IMPORT_CHECK); only the import of models.py that follows is on the build's path.
_IMPORT = """
import importlib, json, pathlib, sys, time, types
import asyncio, httpcore, httpx, pydantic
# As the checker does: models.py under a bare parent, so that __init__.py is not run.
parent = sys.modules[sys.argv[2]] = types.ModuleType(sys.argv[2])
parent.__path__ = [str(pathlib.Path(sys.argv[1], sys.argv[2]))]
started = time.perf_counter()
importlib.import_module(sys.argv[2] + ".models")
with open(sys.argv[3], "w") as report:
    json.dump({"seconds": time.perf_counter() - started}, report)
"""


@dataclass(frozen=True)
class Part:
    """One part, the medians of its timed runs and the memory of a sampled one."""

    seconds: float  # the import part: models.py alone
    cpu_seconds: float  # the import part: the whole clean interpreter
    tree_mib: float  # peak summed Pss of the part's process (see bench/measure.py)
    growth_mib: float = float("nan")  # generator only: peak resident set minus that before


@dataclass(frozen=True)
class Floor:
    generator: Part
    imports: Part
    validation: Part

    @property
    def path_seconds(self) -> float:
        return self.generator.seconds + self.imports.seconds

    @property
    def cpu_seconds(self) -> float:
        work = self.generator.cpu_seconds + self.imports.cpu_seconds
        return (work + self.validation.cpu_seconds) / (os.cpu_count() or 1)

    @property
    def seconds(self) -> float:
        return max(self.path_seconds, self.cpu_seconds)


def _reported(command: list[str], *, sample: bool) -> tuple[float, dict[str, Any]]:
    """Run a part whose last argument is its report file; the tree's peak MiB, the report."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        taken = measure([*command, str(report)], ROOT, sample=sample)
        figures: dict[str, Any] = json.loads(report.read_text("utf-8"))
    if "cpu_seconds" not in figures:  # the clean interpreter: measured from outside
        figures["cpu_seconds"] = taken.cpu_seconds
    return taken.tree_mib, figures


def _part(command: list[str], runs: int) -> Part:
    tree_mib, sampled = _reported(command, sample=True)
    timed = [_reported(command, sample=False)[1] for _ in range(runs)]
    return Part(
        seconds=statistics.median(t["seconds"] for t in timed),
        cpu_seconds=statistics.median(t["cpu_seconds"] for t in timed),
        tree_mib=tree_mib,
        growth_mib=sampled.get("growth_mib", float("nan")),
    )


def _import_command(out: Path, package: str) -> list[str]:
    return [sys.executable, "-I", "-B", "-c", _IMPORT, str(out), package]


def measure_floor(spec: Path, out: Path, package: str, runs: int) -> Floor:
    """Each part ``runs`` times (medians) and once more with its memory sampled; ``out`` holds
    ``package`` as a build of ``spec`` made it."""
    parts = {
        part: _part([sys.executable, "-m", "bench.floor", part, str(spec)], runs) for part in PARTS
    }
    imports = _part(_import_command(out, package), runs)
    return Floor(generator=parts["generator"], imports=imports, validation=parts["validation"])


def _resident_mib() -> float:
    """The resident set of this process now (Linux), or 0 where /proc does not say."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_part(part: str, spec: Path) -> dict[str, float]:
    """Bundle ``spec``, then run ``part`` as the build does; its own figures."""
    from scripts import render_models
    from scripts.build import Target, _validate
    from scripts.bundle import bundle
    from scripts.cache import BuildCache

    bundled = bundle(spec)
    before_mib = _resident_mib()
    started, cpu_started = time.perf_counter(), time.process_time()
    if part == "validation":
        _validate(bundled, BuildCache.disabled(), Target(spec, ROOT / "unused", "unused"))
        return {
            "seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - cpu_started,
        }
    import datamodel_code_generator.config
    import datamodel_code_generator.parser.openapi  # noqa: F401 - its import is its cost

    own = {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_started,
    }
    generate = render_models._generate

    def timed(*args: Any, **kwargs: Any) -> Any:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            return generate(*args, **kwargs)
        finally:
            own["seconds"] += time.perf_counter() - started
            own["cpu_seconds"] += time.process_time() - cpu_started

    render_models._generate = timed
    try:
        render_models.render_models(bundled.data, spec.name)
    finally:
        render_models._generate = generate
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {**own, "growth_mib": peak_mib - before_mib}


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in PARTS:
        print(f"usage: python -m bench.floor {'|'.join(PARTS)} SPEC REPORT", file=sys.stderr)
        return 2
    figures = run_part(argv[0], Path(argv[1]))
    Path(argv[2]).write_text(json.dumps(figures), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
