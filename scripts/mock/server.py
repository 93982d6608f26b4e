"""Run the mock on a loopback port with uvicorn: in the foreground, or in a thread for tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from scripts.mock.api import Api
from scripts.mock.app import create_app
from scripts.mock.options import DEFAULT_SPEC, MockOptions

HOST = "127.0.0.1"
_START_TIMEOUT = 10.0


def listening_socket(port: int) -> socket.socket:
    """A socket listening on ``HOST:port`` (0 picks a free port).

    It listens before uvicorn takes it over, so a client that connects as soon as the URL is
    known waits in the backlog instead of being refused.
    """
    # asyncio turns Nagle's algorithm off only for sockets whose protocol is explicitly TCP;
    # with the default protocol 0 every answer waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def base_url(sock: socket.socket) -> str:
    """The URL clients use for the mock listening on ``sock``."""
    return f"http://{HOST}:{sock.getsockname()[1]}"


def make_server(
    options: MockOptions, api: Api | None = None, *, log_level: str = "warning"
) -> uvicorn.Server:
    """A uvicorn server for the mock app; start it with ``run(sockets=[...])``."""
    config = uvicorn.Config(
        create_app(options, api),
        log_level=log_level,
        lifespan="off",
        timeout_graceful_shutdown=5,
    )
    return uvicorn.Server(config)


@contextmanager
def run_mock(
    spec_path: str | Path = DEFAULT_SPEC, *, port: int = 0, **options: Any
) -> Iterator[str]:
    """Serve the mock in a background thread; yields its base URL, stops it on exit.

    ``options`` are the fields of :class:`MockOptions` (``auth``, ``job_duration``, ...).
    """
    server = make_server(MockOptions(spec=Path(spec_path), **options))
    sock = listening_socket(port)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="ecs-tasks-mock", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the mock server did not start")
            time.sleep(0.005)
        yield base_url(sock)
    finally:
        server.should_exit = True
        thread.join(_START_TIMEOUT)
        sock.close()
