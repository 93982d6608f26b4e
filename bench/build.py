"""Benchmark: `make build` on the project's spec, a full build and a build with nothing to do.

Each run is the command a user types, timed from the outside (make, the interpreter's start-up
and all). A full build writes into a fresh folder every time; the no-op build runs on a folder
that is already up to date. Medians over several runs, since the machine is small and noisy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _make_build(out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        ["make", "-s", "--no-print-directory", "build", f"OUT={out}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench build", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        full = []
        for run in range(args.runs):
            full.append(_make_build(scratch / f"full-{run}"))
        noop = [_make_build(scratch / "full-0") for _ in range(args.runs)]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"make build on spec/openapi.yaml, {args.runs} runs each, {os.cpu_count()} cores")
    print(
        f"   full build (fresh OUT)       median {statistics.median(full):6.3f} s"
        f"   [{min(full):.3f}-{max(full):.3f}]"
    )
    print(
        f"   nothing changed (no-op)      median {statistics.median(noop):6.3f} s"
        f"   [{min(noop):.3f}-{max(noop):.3f}]"
    )
    print(
        f"   ratio full / no-op           {statistics.median(full) / statistics.median(noop):9.1f}"
    )
