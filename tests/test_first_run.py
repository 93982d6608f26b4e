"""What a newcomer meets on the first run: set-up that says what it does, installs that send
nothing anywhere, and a .venv in which README's examples import the generated package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Stand in for the system Python and for the venv's: the venv is a folder whose python runs
# the real one, except for pip, which only says that it ran. So the set-up recipe runs for real
# in seconds and without the network.
_FAKE_SYSTEM_PYTHON = """#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
    mkdir -p "$3/bin" && cp "$(dirname "$0")/venv-python" "$3/bin/python"
    exit 0
fi
exec {python} "$@"
"""
_FAKE_VENV_PYTHON = """#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "PIP RAN"; exit 0; fi
exec {python} "$@"
"""


def _make(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The files the set-up recipes read, in a folder of their own."""
    for name in ("Makefile", "requirements-dev.txt", "package.json", "package-lock.json"):
        shutil.copy2(ROOT / name, tmp_path / name)
    return tmp_path


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_first_setup_says_what_it_does_before_each_long_step(project_copy: Path) -> None:
    for name, text in (("python3", _FAKE_SYSTEM_PYTHON), ("venv-python", _FAKE_VENV_PYTHON)):
        (project_copy / name).write_text(text.format(python=sys.executable))
        (project_copy / name).chmod(0o755)
    fake = project_copy / "python3"

    done = _make("fresh/.ready", "VENV=fresh", f"PYTHON={fake}", cwd=project_copy)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    creating = next(i for i, line in enumerate(lines) if line.startswith("setup: creating"))
    installing = next(i for i, line in enumerate(lines) if line.startswith("setup: installing"))
    assert creating < installing < lines.index("PIP RAN") < lines.index("setup: fresh is ready")
    assert "about 2 minutes" in lines[installing]
    assert (project_copy / "fresh" / ".ready").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_node_installs_run_no_install_script_and_opt_out_of_analytics(project_copy: Path) -> None:
    dry_run = _make("-n", "node_modules/.ready", cwd=project_copy)
    assert dry_run.returncode == 0, dry_run.stderr
    install = next(line for line in dry_run.stdout.splitlines() if "npm ci" in line)
    assert "--ignore-scripts" in install
    assert "SCARF_ANALYTICS=false" in install
    assert json.loads((ROOT / "package.json").read_text())["scarfSettings"] == {"enabled": False}


def test_no_locked_node_package_needs_its_install_script() -> None:
    """--ignore-scripts is only safe while the one package with a script is Scarf's hook."""
    lock = json.loads((ROOT / "package-lock.json").read_text())
    with_scripts = {
        path for path, entry in lock["packages"].items() if entry.get("hasInstallScript")
    }
    assert with_scripts <= {"node_modules/@scarf/scarf"}


def test_the_venv_imports_the_generated_package_as_readme_shows(tmp_path: Path) -> None:
    venv = ROOT / ".venv"
    if not (venv / ".generated-on-path").exists():
        pytest.skip("the .venv was not set up by `make build` or `make test`")
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import ecs_tasks; print(ecs_tasks.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "")},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    expected = venv.resolve().parent / "generated" / "ecs_tasks" / "__init__.py"
    assert Path(done.stdout.strip()) == expected
