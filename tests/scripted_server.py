"""A real HTTP server on 127.0.0.1 that answers from a script and records what it saw."""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = b""  # bytes, str, or anything json.dumps takes
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    # "reset": read the request, then drop the connection with a TCP RST.
    # "truncate": announce the whole body but send only half of it, then close.
    fault: str | None = None
    # Seconds between single bytes of the answer: from its first byte, or from the body's
    # first byte when trickle_body is set. The bytes that got out are in ScriptedServer.trickled.
    trickle: float = 0.0
    trickle_body: bool = False


@dataclass
class Seen:
    method: str
    path: str  # the raw request target, exactly as sent
    headers: dict[str, str]  # lower-cased names
    body: bytes
    at: float  # time.monotonic() when the request had been read

    def json(self) -> Any:
        return json.loads(self.body)


Responder = Callable[[Seen], Reply]


def job(status: str = "RUNNING", job_id: str = "job-1", **fields: Any) -> Reply:
    return Reply(200, {"status": status, "job_id": job_id, **fields})


def script(*replies: Reply) -> Responder:
    """Answer with the replies in order, repeating the last one."""
    queue = list(replies)
    lock = threading.Lock()

    def respond(_: Seen) -> Reply:
        with lock:
            return queue.pop(0) if len(queue) > 1 else queue[0]

    return respond


def encode(reply: Reply) -> tuple[bytes, dict[str, str]]:
    headers = dict(reply.headers)
    if isinstance(reply.body, bytes):
        body = reply.body
    elif isinstance(reply.body, str):
        body = reply.body.encode()
    else:
        body = json.dumps(reply.body).encode()
        headers.setdefault("Content-Type", "application/json")
    headers.setdefault("Date", formatdate(usegmt=True))
    return body, headers


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        seen = Seen(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length),
            at=time.monotonic(),
        )
        reply = self.server.owner.record(seen)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if reply.trickle:
            self._trickle(reply)
            return
        body, headers = encode(reply)
        self.send_response_only(reply.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if reply.fault == "truncate":
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self, reply: Reply) -> None:
        body, headers = encode(reply)
        headers["Content-Length"] = str(len(body))
        head = f"HTTP/1.1 {reply.status} Slow\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
        data = head.encode("latin-1") + body
        start = len(head) if reply.trickle_body else 0
        sent = 0
        try:
            self.wfile.write(data[:start])
            self.wfile.flush()
            for index in range(start, len(data)):
                time.sleep(reply.trickle)
                self.wfile.write(data[index : index + 1])
                self.wfile.flush()
                sent += 1
        except OSError:
            pass  # the client gave up and closed the connection
        self.close_connection = True
        self.server.owner.trickled.append(sent)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: ScriptedServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # faults we inject on purpose would otherwise print tracebacks


class ScriptedServer:
    def __init__(self) -> None:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._lock = threading.Lock()
        self.requests: list[Seen] = []
        self.trickled: list[int] = []  # bytes each trickled answer got out before it ended
        self.responder: Responder = script(job())
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}"

    def answer(self, *replies: Reply) -> None:
        self.responder = script(*replies)

    def record(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
        return self.responder(seen)

    def wait_for_trickles(self, count: int, within: float = 30.0) -> list[int]:
        """The byte counts of the first `count` trickled answers, once they have ended."""
        deadline = time.monotonic() + within
        while len(self.trickled) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.trickled)

    def count(self, method: str) -> int:
        with self._lock:
            return sum(1 for seen in self.requests if seen.method == method)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@contextlib.contextmanager
def closed_port_url() -> Iterator[str]:
    """A URL whose port had a listener a moment ago, so connecting to it is refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    yield f"http://127.0.0.1:{port}"
