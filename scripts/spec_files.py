"""Read a spec file's bytes safely: only a regular file, and no more than the loader takes.

Kept apart from the loader, which needs PyYAML, so that a build with nothing to do (which only
hashes the spec files) starts quickly.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from scripts.problems import UnusableInputError

#: Larger files are refused before parsing: no real API description comes near this size.
MAX_FILE_BYTES = 20 * 1024 * 1024


def read_source(path: Path) -> bytes:
    """The raw bytes of a spec file; an :class:`UnusableInputError` when it cannot be read.

    Only a regular file is read: a FIFO would block the build forever and a device such as
    /dev/zero never ends, so both are refused before a byte is read. At most one byte past
    :data:`MAX_FILE_BYTES` is read, enough for :func:`scripts.load_spec.parse_spec` to refuse
    a larger file.
    """
    try:
        # O_NONBLOCK: opening a FIFO without a writer would otherwise wait for one.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise UnusableInputError(path, "no such file") from None
    except IsADirectoryError:
        raise UnusableInputError(path, "is a directory, not a spec file") from None
    except PermissionError:
        raise UnusableInputError(path, "permission denied") from None
    except OSError as exc:
        raise UnusableInputError(path, exc.strerror or "cannot be read") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise UnusableInputError(path, "is a directory, not a spec file")
        if not stat.S_ISREG(mode):
            raise UnusableInputError(path, f"is {_file_kind(mode)}, not a regular file; refused")
        chunks: list[bytes] = []
        left = MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(descriptor, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise UnusableInputError(path, exc.strerror or "cannot be read") from None
    finally:
        os.close(descriptor)


def _file_kind(mode: int) -> str:
    kinds = (
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")
