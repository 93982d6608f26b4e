"""Benchmark: our build next to openapi-python-client, on the petstore example and on synthetic
specs of 50, 500 and 5,000 task operations; rebuilds after an edit, and with nothing to do.

Side by side in one run, on the same spec files, taking turns (so that the machine's drift hits
both alike): our `python -m scripts build` (validation, models, client, bundle, 3.0 rendering,
docs) into an empty OUT with no build cache (tool caches such as compiled templates may be
warm), and openapi-python-client's `generate` (with its ruff post-hooks, as it runs by
default). Then, with the cache the last cold build left: rebuilds after an edit of one schema's
description, and builds with nothing changed. Each command is timed from the outside; peak
memory is that of the command's whole process tree (see bench/measure.py), sampled in a run
of its own. Medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.floor import Floor, measure_floor
from bench.measure import Measure, measure
from bench.synthetic import synthetic_spec

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PETSTORE = ROOT.parent / "shared" / "public-specs" / "petstore.yaml"
_ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def _ours(spec: Path, out: Path) -> list[str]:
    command = [sys.executable, "-m", "scripts", "build", "--spec", str(spec), "--out", str(out)]
    return [*command, "--package", "synthetic"]


def _theirs(spec: Path, out: Path) -> list[str]:
    command = [str(BIN / "openapi-python-client"), "generate", "--path", str(spec)]
    return [*command, "--output-path", str(out), "--overwrite"]


def _empty(out: Path) -> None:
    """Remove OUT and the build cache beside it: the next build is cold."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(out.parent / f".{out.name}.cache", ignore_errors=True)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


class Row:
    """The measurements of one spec."""

    def __init__(self, label: str, operations: int) -> None:
        self.label = label
        self.operations = operations
        self.ours: list[Measure] = []
        self.theirs: list[Measure] = []
        self.memory: dict[str, Measure] = {}
        self.edits: list[float] = []
        self.noops: list[float] = []

    @property
    def ours_seconds(self) -> float:
        return _median([m.seconds for m in self.ours])

    @property
    def theirs_seconds(self) -> float:
        return _median([m.seconds for m in self.theirs])

    def line(self) -> str:
        ours, theirs = self.ours_seconds, self.theirs_seconds
        edit = _median(self.edits)
        ours_cpu = _median([m.cpu_seconds for m in self.ours])
        theirs_cpu = _median([m.cpu_seconds for m in self.theirs])
        cells = [
            f"{self.label:>9}",
            f"{ours:>7.2f}",
            f"{theirs:>7.2f}",
            f"{ours / theirs:>6.2f}",
            f"{ours_cpu:>6.2f}",
            f"{theirs_cpu:>6.2f}",
            f"{self.memory['ours'].tree_mib:>7.0f}",
            f"{self.memory['theirs'].tree_mib:>7.0f}",
            f"{max(m.largest_mib for m in self.ours):>6.0f}",
            f"{max(m.largest_mib for m in self.theirs):>6.0f}",
            f"{edit:>7.2f}" if self.edits else f"{'-':>7}",
            f"{edit / ours:>6.2f}" if self.edits else f"{'-':>6}",
            f"{_median(self.noops):>6.3f}",
            f"{1000 * ours / self.operations:>7.2f}",
        ]
        return " ".join(cells)

    def floor_line(self, floor: Floor) -> str:
        theirs = self.theirs_seconds
        cells = [
            f"{self.label:>9}",
            f"{floor.generator.seconds:>7.2f}",
            f"{floor.imports.seconds:>7.2f}",
            f"{floor.imports.cpu_seconds:>7.2f}",
            f"{floor.validation.cpu_seconds:>7.2f}",
            f"{floor.path_seconds:>7.2f}",
            f"{floor.cpu_seconds:>7.2f}",
            f"{floor.seconds / theirs:>6.2f}",
            f"{self.ours_seconds / theirs:>6.2f}",
            f"{floor.generator.tree_mib:>7.0f}",
            f"{floor.generator.growth_mib:>7.0f}",
            f"{floor.imports.tree_mib:>7.0f}",
            f"{self.memory['theirs'].tree_mib:>7.0f}",
        ]
        return " ".join(cells)


FLOOR_HEADER = (
    f"{'spec':>9} {'gen s':>7} {'models':>7} {'import':>7} {'valid.':>7} {'path s':>7} "
    f"{'cpu s':>7} {'floor':>6} {'ours':>6} {'gen':>7} {'gen':>7} {'import':>7} {'opc':>7}\n"
    f"{'':>9} {'':>7} {'import s':>7} {'cpu s':>7} {'cpu s':>7} {'':>7} {'/cores':>7} "
    f"{'/opc':>6} {'/opc':>6} {'MiB':>7} {'growth':>7} {'MiB':>7} {'MiB':>7}"
)

HEADER = (
    f"{'spec':>9} {'ours s':>7} {'opc s':>7} {'ratio':>6} {'cpu s':>6} {'cpu s':>6} "
    f"{'tree':>7} {'tree':>7} {'1 proc':>6} {'1 proc':>6} {'edit s':>7} {'/cold':>6} "
    f"{'no-op':>6} {'ms/op':>7}\n"
    f"{'':>9} {'':>7} {'':>7} {'':>6} {'ours':>6} {'opc':>6} {'MiB us':>7} {'MiB opc':>7} "
    f"{'MiB us':>6} {'MiB opc':>6}"
)


FLOOR_NOTE = """\
floor = the work no build can leave out, each part alone and only itself (bench/floor.py):
datamodel-code-generator's import and run (gen s); importing its models.py in a clean
interpreter (models import s; import cpu s is the whole interpreter); validating the spec and
its 3.0 rendering (valid. cpu s). path s = gen s + models import s, one after the other;
cpu s/cores = the CPU of all three over the cores; floor/opc = the larger of the two over opc's
time. gen MiB, import MiB: peak Pss of each process; gen growth: what the generator's run adds
to the process that holds the bundled spec"""


def bench_spec(
    row: Row, spec: Path, scratch: Path, runs: int, edit: Callable[[int], None] | None
) -> None:
    out = scratch / f"ours-{row.label}"
    # Memory first, in runs of their own: sampling it slows the process it samples.
    _empty(out)
    row.memory["ours"] = measure(_ours(spec, out), ROOT, _ENV, sample=True)
    row.memory["theirs"] = measure(
        _theirs(spec, scratch / "opc-memory"), scratch, _ENV, sample=True
    )
    shutil.rmtree(scratch / "opc-memory", ignore_errors=True)
    for run in range(runs):
        opc = scratch / f"opc-{row.label}-{run}"
        ours_first = run % 2 == 0
        for turn in (0, 1):
            if (turn == 0) == ours_first:
                _empty(out)
                row.ours.append(measure(_ours(spec, out), ROOT, _ENV))
            else:
                row.theirs.append(measure(_theirs(spec, opc), scratch, _ENV))
                shutil.rmtree(opc, ignore_errors=True)
    if edit is not None:
        for run in range(runs):
            edit(run)
            row.edits.append(measure(_ours(spec, out), ROOT, _ENV).seconds)
    row.noops = [measure(_ours(spec, out), ROOT, _ENV).seconds for _ in range(max(runs, 3))]


def _synthetic(path: Path, size: int) -> Callable[[int], None]:
    """Write the synthetic spec of ``size`` operations; return an editor of one description."""
    data = synthetic_spec(size)
    path.write_text(json.dumps(data))
    name = f"Action{size // 2:05d}Request"

    def edit(run: int) -> None:
        edited: dict[str, Any] = data["components"]["schemas"][name]
        edited["description"] = f"Body of the action, edited for run {run}."
        path.write_text(json.dumps(data))

    return edit


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench scale", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[50, 500, 5000])
    parser.add_argument("--runs", type=int, default=5, help="runs per size up to 500")
    parser.add_argument("--large-runs", type=int, default=1, help="runs per size above 500")
    parser.add_argument("--no-petstore", action="store_true", help="skip the petstore row")
    parser.add_argument(
        "--no-floor", action="store_true", help="skip measuring the stages a build needs alone"
    )
    args = parser.parse_args(argv)
    if not (BIN / "openapi-python-client").exists():
        raise SystemExit("openapi-python-client is not installed in this environment")
    scratch = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    print(f"{os.cpu_count()} cores; medians; cold = empty OUT and no build cache;")
    print("edit = rebuild after one schema's description changed (cache of the cold build);")
    print("cpu s = user+system time of the whole tree (robust to a loaded machine);")
    print("tree MiB = peak summed Pss of the whole process tree; 1 proc = largest ru_maxrss")
    print(HEADER)
    floors: list[str] = []

    def run(row: Row, spec: Path, runs: int, edit: Callable[[int], None] | None) -> None:
        bench_spec(row, spec, scratch, runs, edit)
        print(row.line(), flush=True)
        if not args.no_floor:
            out = scratch / f"ours-{row.label}"
            floors.append(row.floor_line(measure_floor(spec, out, "synthetic", runs)))

    try:
        if not args.no_petstore:
            if PETSTORE.is_file():
                run(Row("petstore", 3), PETSTORE, args.runs, None)
            else:
                print(f"{'petstore':>9} skipped: {PETSTORE} is missing")
        for size in args.sizes:
            spec = scratch / f"spec-{size}.json"
            edit = _synthetic(spec, size)
            run(Row(str(size), size), spec, args.runs if size <= 500 else args.large_runs, edit)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if floors:
        print()
        print(FLOOR_NOTE)
        print(FLOOR_HEADER)
        print("\n".join(floors))
