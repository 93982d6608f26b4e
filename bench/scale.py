"""Benchmark: full builds of synthetic specs of 50, 500 and 5,000 task operations.

Side by side in one run, on the same spec files: our `python -m scripts build` (validation,
models, client, bundle) and openapi-python-client's `generate` (with its ruff post-hooks, as it
runs by default); then our build again with nothing changed. Each command is timed from the
outside, and its peak memory read from the kernel's accounting of the child. Medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.synthetic import synthetic_spec

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Runs a command and reports its wall time and the peak resident memory of that child alone.
_MEASURE = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "done = subprocess.run(sys.argv[1:], capture_output=True); "
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
    "done.returncode)"
)


def _measure(command: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak MiB) of one run of ``command``; a failed run stops the benchmark."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    shown = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    seconds, peak_kib, status = float(shown[0]), int(shown[1]), int(shown[2])
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed with status {status}")
    return seconds, peak_kib / 1024


def _ours(spec: Path, out: Path, *, force: bool) -> list[str]:
    command = [sys.executable, "-m", "scripts", "build", "--spec", str(spec), "--out", str(out)]
    return [*command, "--package", "synthetic", *(["--force"] if force else [])]


def _theirs(spec: Path, out: Path) -> list[str]:
    command = [str(BIN / "openapi-python-client"), "generate", "--path", str(spec)]
    return [*command, "--output-path", str(out), "--overwrite"]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench scale", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500, 5000])
    parser.add_argument("--runs", type=int, default=3, help="runs per size up to 500")
    parser.add_argument("--large-runs", type=int, default=1, help="runs per size above 500")
    args = parser.parse_args(argv)
    if not (BIN / "openapi-python-client").exists():
        raise SystemExit("openapi-python-client is not installed in this environment")
    scratch = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    print(f"{os.cpu_count()} cores; medians; per-op = our full build / operations")
    header = f"{'ops':>6} {'ours s':>8} {'MiB':>6} {'opc s':>8} {'MiB':>6} {'ours/opc':>9}"
    print(f"{header} {'no-op s':>8} {'per-op ms':>10}")
    try:
        for size in args.sizes:
            spec = scratch / f"spec-{size}.json"
            spec.write_text(json.dumps(synthetic_spec(size)))
            runs = args.runs if size <= 500 else args.large_runs
            ours, theirs = [], []
            for run in range(runs):
                ours.append(_measure(_ours(spec, scratch / f"ours-{size}", force=True), ROOT))
                theirs.append(_measure(_theirs(spec, scratch / f"opc-{size}-{run}"), scratch))
            noop = [
                _measure(_ours(spec, scratch / f"ours-{size}", force=False), ROOT)[0]
                for _ in range(max(runs, 3))
            ]
            our_time = statistics.median(t for t, _ in ours)
            their_time = statistics.median(t for t, _ in theirs)
            print(
                f"{size:>6} {our_time:>8.2f} {max(m for _, m in ours):>6.0f} "
                f"{their_time:>8.2f} {max(m for _, m in theirs):>6.0f} "
                f"{our_time / their_time:>9.2f} {statistics.median(noop):>8.3f} "
                f"{1000 * our_time / size:>10.2f}"
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
