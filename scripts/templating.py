"""The Jinja environments of the pipeline, with the filters that make spec text safe to embed.

Text from a spec reaches generated Python only through ``pystr`` (a string literal made by
``repr``) or ``docstring`` (text that cannot close or escape its triple quotes), TOML only
through ``tomlstr``, and HTML only through Jinja's autoescaping. Templates never paste spec
text raw. Python names are not made here but in the naming module.
"""

from __future__ import annotations

import functools
import unicodedata

import jinja2

from scripts.fingerprint import PROJECT_ROOT
from scripts.template_cache import template_cache

TEMPLATES = PROJECT_ROOT / "templates"


def pystr(value: object) -> str:
    """A Python string literal holding ``value`` exactly."""
    return repr(str(value))


def docstring(value: object, indent: str = "") -> str:
    """``value`` as the body of a triple-double-quoted docstring, re-indented by ``indent``.

    Backslashes and double quotes that could end the string early are escaped; control
    characters (NUL among them) are written as escapes; trailing blanks are dropped.
    """
    text = str(value).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    text = "".join(
        ch if ch in "\n\t" or unicodedata.category(ch) != "Cc" else f"\\x{ord(ch):02x}"
        for ch in text
    )
    lines = [line.rstrip() for line in text.strip().splitlines()] or [""]
    body = "\n".join([lines[0], *(indent + line if line else "" for line in lines[1:])])
    # A quote right before the closing quotes would end the docstring early.
    backslashes = len(body[:-1]) - len(body[:-1].rstrip("\\"))
    if body.endswith('"') and backslashes % 2 == 0:
        body = body[:-1] + '\\"'
    return body


def tomlstr(value: object) -> str:
    """A TOML basic string holding ``value``; a lone surrogate, which no TOML (or UTF-8) file
    can hold, becomes U+FFFD."""
    out = []
    for ch in str(value):
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\ufffd")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@functools.cache
def environment(*, html: bool = False) -> jinja2.Environment:
    """The environment for Python (``html=False``) or for HTML templates (autoescaped)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=html,  # noqa: S701 - Python output is escaped by the pystr/docstring filters
        bytecode_cache=template_cache("html" if html else "python"),
    )
    env.filters.update(pystr=pystr, docstring=docstring, tomlstr=tomlstr)
    return env
