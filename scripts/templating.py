"""The Jinja environments of the pipeline, with the filters that make spec text safe to embed.

Text from a spec reaches generated Python only through ``pystr`` (a string literal made by
``repr``) or ``docstring`` (text that cannot close or escape its triple quotes), and reaches
HTML only through Jinja's autoescaping. Templates never paste spec text raw.
"""

from __future__ import annotations

import functools
import keyword
import re
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


def snake_case(name: str) -> str:
    """``ShowJob`` -> ``show_job``; ``getHTTPStatus`` -> ``get_http_status``; safe identifier."""
    name = re.sub(r"[^0-9A-Za-z]+", "_", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return python_identifier(name.lower().strip("_"))


def python_identifier(name: str) -> str:
    """A valid, non-keyword identifier made from ``name``."""
    if not name:
        return "_"
    if name[0].isdigit():
        name = "_" + name
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name += "_"
    return name


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
    env.filters.update(pystr=pystr, docstring=docstring, snake_case=snake_case)
    return env
