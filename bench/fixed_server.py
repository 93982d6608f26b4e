"""A server on loopback that gives every request the same answer, as fast as asyncio can.

Benchmarks measure a client against it to find the client's own ceiling, with no real server
work in the way. It runs in a process of its own, so it does not share the client's core time.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import re
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection


def _serve(body: bytes, port_out: Connection) -> None:
    reply = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )

    class Answer(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            self.transport, self.buffer = transport, b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:
                head, rest = self.buffer.split(b"\r\n\r\n", 1)
                found = re.search(rb"(?i)content-length:\s*(\d+)", head)
                length = int(found.group(1)) if found else 0
                if len(rest) < length:  # the request's body has not all arrived yet
                    return
                self.buffer = rest[length:]
                self.transport.write(reply)

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Answer, "127.0.0.1", 0)
        port_out.send(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


@contextmanager
def fixed_answer_server(body: bytes) -> Iterator[str]:
    """Serve ``body`` as the JSON answer to every request; yield the base URL."""
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=_serve, args=(body, send), daemon=True)
    server.start()
    try:
        yield f"http://127.0.0.1:{receive.recv()}"
    finally:
        server.terminate()
        server.join()
