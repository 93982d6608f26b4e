"""Check a request against its operation in the spec: parameters, media type, JSON body."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from jsonschema.exceptions import ValidationError

from scripts.mock.api import Operation, media_type_essence

#: Longer messages are cut: jsonschema quotes the failing value, which may be the whole body.
_MAX_MESSAGE = 200


class InvalidRequestError(Exception):
    """The request breaks the spec; ``summary`` says where, ``problems`` say what, one each."""

    def __init__(self, summary: str, problems: list[str]) -> None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{summary}: {problems[0]}{more}")
        self.problems = problems


def validate_request(
    operation: Operation,
    *,
    path: Mapping[str, str],
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
) -> Any:
    """The request's JSON body (``None`` without one); raises :class:`InvalidRequestError`."""
    sources = {"path": path, "query": query, "header": headers}
    problems = []
    for parameter in operation.parameters:
        value = sources[parameter.location].get(parameter.name)
        where = f"{parameter.location} parameter {parameter.name!r}"
        if value is None:
            if parameter.required:
                problems.append(f"{where}: is required")
            continue
        problems.extend(
            f"{where}: {_message(error)}" for error in parameter.validator.iter_errors(value)
        )
    if problems:
        raise InvalidRequestError("request parameters are illegal", problems)
    return _json_body(operation, headers.get("content-type"), body)


def _json_body(operation: Operation, content_type: str | None, raw: bytes) -> Any:
    spec = operation.body
    if spec is None:
        return None
    if not raw:
        if spec.required:
            raise InvalidRequestError("request body is illegal", ["$: a JSON body is required"])
        return None
    essence = media_type_essence(content_type or "")
    if essence not in spec.media_types:
        expected = " or ".join(sorted(spec.media_types))
        problem = f"Content-Type is {essence or 'missing'!r}; expected {expected}"
        raise InvalidRequestError("request body is illegal", [problem])
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidRequestError("request body is not valid JSON", [str(exc)]) from None
    problems = [
        f"{_json_path(error.absolute_path)}: {_message(error)}"
        for top in spec.validator.iter_errors(body)
        for error in _causes(top)
    ]
    if problems:
        raise InvalidRequestError("request body is illegal", problems)
    return body


def _reject_constant(name: str) -> Any:
    # Python's json module reads NaN and Infinity, which JSON (RFC 8259) does not have.
    raise ValueError(f"{name} is not a JSON value")


def _causes(error: ValidationError) -> Iterator[ValidationError]:
    """The errors that name the mistake: inside a failed oneOf/anyOf, those of the branch
    that got deepest into the body when one did; otherwise the error and every branch's."""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        yield error
        return
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for cause in error.context:
        branches[cause.relative_schema_path[0]].append(cause)
    depths = {
        key: max(len(cause.absolute_path) for cause in found) for key, found in branches.items()
    }
    deepest = max(depths.values())
    leaders = [key for key, depth in depths.items() if depth == deepest]
    if deepest > len(error.absolute_path) and len(leaders) == 1:
        causes = branches[leaders[0]]
    else:
        yield error
        causes = list(error.context)
    for cause in causes:
        yield from _causes(cause)


def _message(error: ValidationError) -> str:
    # jsonschema's own message for these quotes the whole value; the causes follow anyway.
    if error.validator in ("oneOf", "anyOf") and error.context:
        return "matches none of the allowed shapes"
    message = error.message
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 3] + "..."


def _json_path(parts: Iterable[str | int]) -> str:
    """``$.servers[0].id``, or ``$['os-stop']`` for names that are not identifiers."""
    text = "$"
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.isidentifier():
            text += f".{part}"
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            text += f"['{escaped}']"
    return text
