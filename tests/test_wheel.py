"""The wheel of ecs_tasks installs into a clean virtual environment and works there."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT
from mock_helpers import TOKEN
from scripts.mock import run_mock

USE = textwrap.dedent(
    """
    import sys
    import ecs_tasks
    from ecs_tasks import Client, models

    assert "site-packages" in ecs_tasks.__file__, ecs_tasks.__file__
    with Client(sys.argv[1], "p1", sys.argv[2]) as client:
        job = client.delete_servers({"servers": [{"id": "a"}]}).wait(
            timeout=10, poll_interval=0.05, max_interval=0.2
        )
    assert job.status is models.JobStatus.SUCCESS, job
    build_tools = {"yaml", "jinja2", "datamodel_code_generator", "scripts"} & set(sys.modules)
    assert not build_tools, build_tools
    print("ok", ecs_tasks.__version__)
    """
)


def _run(*command: str | Path, cwd: Path = ROOT) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _oldest_python() -> str | None:
    """An interpreter of the oldest Python the package supports (3.10), if this machine has one.

    Tried by name and in pyenv's folder; a name that exists but does not run is skipped.
    """
    candidates = [
        "python3.10",
        *map(str, sorted(Path.home().glob(".pyenv/versions/3.10*/bin/python3.10"))),
    ]
    for candidate in candidates:
        try:
            done = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 10))"],
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError:
            continue
        if done.stdout.strip() == "True":
            return candidate
    return None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, ".")
    wheels = list(dist.glob("ecs_tasks-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _check_in_fresh_environment(python_for_venv: str, wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run(python_for_venv, "-m", "venv", venv)
    python = venv / "bin" / "python"
    _run(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel)
    installed = {
        re.split(r"[=@ ]", line)[0].lower().replace("_", "-")
        for line in _run(python, "-m", "pip", "freeze", "--all").splitlines()
    }
    assert {"ecs-tasks", "httpx", "pydantic"} <= installed
    assert not installed & {
        "jinja2",
        "pyyaml",
        "datamodel-code-generator",
        "openapi-spec-validator",
    }
    with run_mock(job_duration=0.2, token=TOKEN) as base_url:
        shown = _run(python, "-c", USE, base_url, TOKEN, cwd=tmp_path)
    assert shown.startswith("ok 0.1.0")


def test_the_wheel_works_in_a_fresh_environment_with_only_httpx_and_pydantic(
    wheel: Path, tmp_path: Path
) -> None:
    _check_in_fresh_environment(sys.executable, wheel, tmp_path)


def test_the_wheel_works_on_the_oldest_supported_python(wheel: Path, tmp_path: Path) -> None:
    python = _oldest_python()
    if python is None:
        pytest.skip("no Python 3.10 interpreter on this machine to install the wheel into")
    _check_in_fresh_environment(python, wheel, tmp_path)
