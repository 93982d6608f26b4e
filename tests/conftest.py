"""Shared fixtures: the project's paths, the pipeline's command line, snapshots of folders."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "openapi.yaml"
GENERATED = ROOT / "generated"
SOURCE_DOCS = ROOT.parent / "shared" / "source-docs"
SPECS = Path(__file__).resolve().parent / "specs"


@dataclass(frozen=True)
class Run:
    status: int
    out: str
    err: str


def run_pipeline(*args: str | Path, cwd: Path = ROOT) -> Run:
    """Run ``python -m scripts ARGS`` as a user would, in a separate process."""
    env_path = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "scripts", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (bytecode caches aside) with its content digest and mode."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        + f":{path.stat().st_mode:o}:{path.stat().st_mtime_ns}"
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="session")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh build of the project's spec into a scratch folder (built once per session)."""
    out = tmp_path_factory.mktemp("build") / "out"
    result = run_pipeline("build", "--spec", SPEC, "--out", out)
    assert result.status == 0, result.err
    return out


@pytest.fixture
def existing_output(built_once: Path, tmp_path: Path) -> Path:
    """A copy of a finished build that a later (failing) build must leave alone."""
    out = tmp_path / "out"
    shutil.copytree(built_once, out)
    return out


SnapshotFn = Callable[[Path], dict[str, str]]
