"""Shared pieces of the mock server tests: a spec oracle for answers, clients, job polling."""

from __future__ import annotations

import re
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from scripts.mock import run_mock

REPO = Path(__file__).resolve().parents[1]
#: The bundled spec the oracle reads: the mock's default, spec/openapi.yaml, in one file.
PUBLISHED = REPO / "generated" / "openapi.yaml"
TOKEN = "mock-test-token"
PROJECT = "5dd3c0b24cdc4d31952c49589182a89d"
JOBS = f"/v1/{PROJECT}/jobs"
ACTION = f"/v1/{PROJECT}/cloudservers/action"
DELETE = f"/v1/{PROJECT}/cloudservers/delete"
HEX32 = re.compile(r"[0-9a-f]{32}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
FINAL = ("SUCCESS", "FAIL")
_URI = "urn:test:spec"


class SpecOracle:
    """Checks every answer against the spec, reading the spec on its own (not via the mock).

    An answer must carry an ``X-Request-Id``, use a status its operation documents (404 and
    405 for paths and methods the spec lacks), send only headers that response declares
    among Retry-After, and have a JSON body valid against the declared schema.
    """

    def __init__(self, spec: Path = PUBLISHED) -> None:
        self.data: dict[str, Any] = yaml.safe_load(spec.read_text(encoding="utf-8"))
        resource = Resource.from_contents(self.data, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_URI, resource)
        self._paths = [
            (re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path))), path)
            for path in self.data["paths"]
        ]
        self.checked = 0

    def check(self, response: httpx.Response) -> None:
        """Raise AssertionError when ``response`` breaks the spec."""
        request = response.request
        assert HEX32.fullmatch(response.headers.get("X-Request-Id", "")), "no X-Request-Id"
        assert response.headers.get("content-type", "").startswith("application/json")
        raw_path = request.url.raw_path.split(b"?")[0].decode()
        operation = self._operation(request.method, raw_path)
        status = str(response.status_code)
        if operation is None:
            assert status in ("404", "405"), f"{request.method} {raw_path}: {status}"
            schema = "#/components/schemas/ErrorResponse"
        else:
            assert status in operation["responses"], f"{status} is not documented"
            declared = self._resolve(operation["responses"][status])
            if "retry-after" in response.headers:
                assert "Retry-After" in declared.get("headers", {}), f"{status}: Retry-After"
            schema = declared["content"]["application/json"]["schema"]["$ref"]
        validator = Draft202012Validator({"$ref": _URI + schema}, registry=self._registry)
        validator.validate(response.json())
        self.checked += 1

    async def check_async(self, response: httpx.Response) -> None:
        """:meth:`check` as an event hook of an ``httpx.AsyncClient``."""
        await response.aread()
        self.check(response)

    def check_sync(self, response: httpx.Response) -> None:
        """:meth:`check` as an event hook of an ``httpx.Client``."""
        response.read()
        self.check(response)

    def _operation(self, method: str, raw_path: str) -> dict[str, Any] | None:
        for pattern, path in self._paths:
            if pattern.fullmatch(raw_path):
                found: dict[str, Any] | None = self.data["paths"][path].get(method.lower())
                return found
        return None

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.data
            for token in node["$ref"].removeprefix("#/").split("/"):
                target = target[token]
            node = target
        return node


ORACLE = SpecOracle()


def client(base_url: str, *, token: str | None = TOKEN) -> httpx.Client:
    """A client of the mock that sends ``token`` and checks every answer with the oracle."""
    return httpx.Client(
        base_url=base_url,
        headers={} if token is None else {"X-Auth-Token": token},
        event_hooks={"response": [ORACLE.check_sync]},
        timeout=10,
    )


@contextmanager
def serving(**options: Any) -> Iterator[httpx.Client]:
    """A mock started in this process with ``options`` (MockOptions fields), and a client."""
    options.setdefault("token", TOKEN)
    with run_mock(**options) as base_url, client(base_url) as session:
        yield session


def servers(*ids: str) -> list[dict[str, str]]:
    """The ``servers`` list of a request body."""
    return [{"id": server_id} for server_id in ids]


def deliver(session: httpx.Client, path: str, body: dict[str, Any]) -> str:
    """Deliver a task; returns its job ID."""
    response = session.post(path, json=body)
    assert response.status_code == 200, response.text
    job_id: str = response.json()["job_id"]
    return job_id


def poll_job(
    session: httpx.Client, job_id: str, *, timeout: float = 10.0
) -> tuple[dict[str, Any], list[str]]:
    """Poll ShowJob until the job is final; returns its last state and every status seen."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = session.get(f"{JOBS}/{job_id}")
        assert response.status_code == 200, response.text
        state: dict[str, Any] = response.json()
        seen.append(state["status"])
        if state["status"] in FINAL:
            return state, seen
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} not final after {timeout} s; statuses seen: {seen}")


@contextmanager
def mock_process(*arguments: str) -> Iterator[str]:
    """``python -m scripts.mock --port 0`` in a subprocess; yields the URL it prints."""
    command = [sys.executable, "-m", "scripts.mock", "--port", "0", "--log-level", "warning"]
    process = subprocess.Popen(
        [*command, *arguments],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    try:
        ready, _, _ = select.select([process.stdout], [], [], 20)
        line = process.stdout.readline() if ready else ""
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert found, f"the mock printed no URL: {line!r}"
        yield found.group(0)
    finally:
        process.terminate()
        process.communicate(timeout=10)
