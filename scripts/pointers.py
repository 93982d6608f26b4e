"""JSON pointers (RFC 6901) and internal ``$ref`` resolution over plain JSON-like data."""

from __future__ import annotations

from typing import Any

#: How many references a chain may pass through before it counts as a loop.
MAX_CHAIN = 64


def escape_token(token: str) -> str:
    """Escape one reference token of a JSON pointer."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    """Undo :func:`escape_token`."""
    return token.replace("~1", "/").replace("~0", "~")


def join_pointer(pointer: str, *tokens: str | int) -> str:
    """Append reference tokens to a JSON pointer."""
    for token in tokens:
        text = str(token)
        # Called for every value of a spec while loading and bundling: skip the replacing
        # when there is nothing to escape, which is nearly always.
        if "~" in text or "/" in text:
            text = escape_token(text)
        pointer = f"{pointer}/{text}"
    return pointer


def split_pointer(pointer: str) -> list[str]:
    """The unescaped tokens of a JSON pointer ('' is the whole document)."""
    if not pointer:
        return []
    return [unescape_token(token) for token in pointer.split("/")[1:]]


def lookup(data: Any, pointer: str) -> tuple[bool, Any]:
    """(found, value) at ``pointer``, taken literally: a ``$ref`` on the way is not followed."""
    for token in split_pointer(pointer):
        if isinstance(data, dict) and token in data:
            data = data[token]
        elif isinstance(data, list) and token.isdigit() and int(token) < len(data):
            data = data[int(token)]
        else:
            return False, None
    return True, data


def resolve(data: Any, node: Any) -> Any:
    """``node`` with its chain of internal references followed to real content.

    None when a reference leads nowhere or the chain loops; a node that is not a reference,
    or whose reference is external, is returned as it is.
    """
    for _ in range(MAX_CHAIN):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#"):
            return node
        found, node = lookup(data, ref[1:])
        if not found:
            return None
    return None


def copy_tree(value: Any) -> Any:
    """A copy of a JSON-like value with new dicts and lists throughout (scalars are shared)."""
    if isinstance(value, dict):
        return {key: copy_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_tree(item) for item in value]
    return value
