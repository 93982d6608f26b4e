"""Match a request's raw path and method to a spec operation, as OpenAPI path templates say."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from scripts.mock.api import Operation

_TEMPLATE_PARAMETER = re.compile(r"\{([^{}/]+)\}")


@dataclass(frozen=True)
class Matched:
    """The operation a request is for, with its path parameters decoded."""

    operation: Operation
    path_parameters: dict[str, str]


@dataclass(frozen=True)
class WrongMethod:
    """The path exists but not for this method; ``allowed`` lists the methods it has."""

    allowed: tuple[str, ...]


class Router:
    """Path templates compiled to matchers; concrete paths win over templated ones."""

    def __init__(self, operations: Iterable[Operation]) -> None:
        by_path: dict[str, dict[str, Operation]] = {}
        for operation in operations:
            by_path.setdefault(operation.path, {})[operation.method] = operation
        # OpenAPI: a concrete path is matched before a templated one that also fits.
        ordered = sorted(by_path.items(), key=lambda item: item[0].count("{"))
        self._routes = [(*_compile(path), methods) for path, methods in ordered]

    def match(self, method: str, raw_path: str) -> Matched | WrongMethod | None:
        """The operation for ``method`` on the still percent-encoded ``raw_path``, if any.

        Raises :class:`UnicodeDecodeError` for a path parameter that is not UTF-8 text.
        """
        allowed: list[str] = []
        for pattern, names, methods in self._routes:
            found = pattern.fullmatch(raw_path)
            if found is None:
                continue
            operation = methods.get(method)
            if operation is None:
                allowed.extend(name for name in methods if name not in allowed)
                continue
            values = (unquote(value, errors="strict") for value in found.groups())
            return Matched(operation, dict(zip(names, values, strict=True)))
        return WrongMethod(tuple(allowed)) if allowed else None


def _compile(template: str) -> tuple[re.Pattern[str], list[str]]:
    # Matching the raw path and decoding each segment afterwards keeps an encoded "/" (%2F)
    # inside its parameter instead of splitting the path at it.
    names = _TEMPLATE_PARAMETER.findall(template)
    literals = _TEMPLATE_PARAMETER.split(template)[::2]
    pattern = "([^/]+)".join(re.escape(literal) for literal in literals)
    return re.compile(pattern), names
