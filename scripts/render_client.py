"""Render the Python package of a bundled spec: models, client, waiter, errors, package files.

The runtime pieces (request loop, retries, errors, waiter) are hand-tuned templates rendered
once; what varies with the spec is gathered here into plain view objects -- one per operation
-- and poured into thin per-operation methods by ``templates/client/_client.py.jinja``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from scripts.methods import HTTP_METHODS
from scripts.pointers import resolve, split_pointer
from scripts.render_models import project_version, render_models
from scripts.templating import environment, snake_case

_PYTHON_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
#: Methods of the base clients that an operation must not shadow.
_RESERVED = {"close", "wait_for_job", "base_url", "timeout", "max_retries"}


@dataclass(frozen=True)
class Parameter:
    """A path or query parameter of an operation, or of the client."""

    name: str  # as the API spells it
    python_name: str
    location: str
    required: bool
    annotation: str
    description: str


@dataclass(frozen=True)
class OperationView:
    """What a method of the generated clients needs to know about one operation."""

    operation_id: str
    method_name: str
    constant: str
    http_method: str
    path: str
    summary: str
    description: str
    path_params: tuple[Parameter, ...]
    query_params: tuple[Parameter, ...]
    body_model: str | None
    body_required: bool
    response_model: str | None
    delivers_task: bool

    @property
    def safe_to_repeat(self) -> bool:
        return self.http_method in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE")


@dataclass(frozen=True)
class WaiterView:
    """The job query a task is waited on with, from its ``x-waiter`` extension."""

    operation: OperationView
    job_param: str  # the job query's path parameter that takes the task's job id
    task_model: str  # the response model of task-delivering operations
    job_id_field: str  # the attribute of the task model holding the job id
    status: str
    success: tuple[str, ...]
    failure: tuple[str, ...]


def model_classes(source: str) -> set[str]:
    """The top-level class and alias names that ``models.py`` defines."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def module_exports(source: str) -> list[str]:
    """The names in the ``__all__`` list of a module's source."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return [str(v) for v in ast.literal_eval(node.value)]
    return []


def _model_of(schema: Any, classes: set[str]) -> str | None:
    """``models.Name`` for a schema that is a reference to a component with a model."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = split_pointer(ref[1:])[-1]
        if name in classes:
            return f"models.{name}"
    return None


def _json_schema(content: Any) -> Any:
    """The schema of the JSON media type in a ``content`` map, if there is one."""
    if not isinstance(content, dict):
        return None
    for media_type, media in content.items():
        if media_type.split(";")[0].strip().endswith("json") and isinstance(media, dict):
            return media.get("schema")
    return None


def _parameter(data: dict[str, Any], raw: Any) -> Parameter | None:
    parameter = resolve(data, raw)
    if not isinstance(parameter, dict) or parameter.get("in") not in ("path", "query"):
        return None
    schema = resolve(data, parameter.get("schema") or {})
    kind = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    name = str(parameter["name"])
    return Parameter(
        name=name,
        python_name=snake_case(name),
        location=str(parameter["in"]),
        required=bool(parameter.get("required")) or parameter["in"] == "path",
        annotation=_PYTHON_TYPES.get(str(kind), "str"),
        description=str(parameter.get("description") or ""),
    )


def _client_parameters(data: dict[str, Any]) -> list[Parameter]:
    """Path parameters marked ``x-client-parameter``: arguments of the client, not of calls."""
    found: dict[str, Parameter] = {}
    for raw in ((data.get("components") or {}).get("parameters") or {}).values():
        parameter = resolve(data, raw)
        if isinstance(parameter, dict) and parameter.get("x-client-parameter") is True:
            view = _parameter(data, parameter)
            if view is not None and view.location == "path":
                found[view.name] = view
    return sorted(found.values(), key=lambda p: p.name)


def _operations(
    data: dict[str, Any], classes: set[str], client_names: set[str]
) -> tuple[list[OperationView], dict[str, dict[str, Any]]]:
    views: list[OperationView] = []
    raw_by_id: dict[str, dict[str, Any]] = {}
    used: set[str] = set(_RESERVED)
    for path, item in (data.get("paths") or {}).items():
        item = resolve(data, item)
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            operation_id = str(operation.get("operationId") or f"{method}_{path}")
            method_name = snake_case(operation_id)
            while method_name in used:
                method_name += "_"
            used.add(method_name)
            params: dict[tuple[str, str], Parameter] = {}
            for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
                view = _parameter(data, raw)
                if view is not None:
                    params[(view.location, view.name)] = view
            body = resolve(data, operation.get("requestBody") or {})
            responses = operation.get("responses") or {}
            success = sorted(code for code in responses if str(code).startswith("2"))
            response = resolve(data, responses[success[0]]) if success else {}
            links = response.get("links") if isinstance(response, dict) else None
            views.append(
                OperationView(
                    operation_id=operation_id,
                    method_name=method_name,
                    constant="_" + method_name.upper().strip("_"),
                    http_method=method.upper(),
                    path=str(path),
                    summary=str(operation.get("summary") or operation_id),
                    description=str(operation.get("description") or ""),
                    path_params=tuple(
                        p
                        for (where, name), p in params.items()
                        if where == "path" and name not in client_names
                    ),
                    query_params=tuple(p for (where, _), p in params.items() if where == "query"),
                    body_model=_model_of(_json_schema(body.get("content")), classes),
                    body_required=bool(body.get("required")),
                    response_model=_model_of(
                        _json_schema((response or {}).get("content")), classes
                    ),
                    delivers_task=bool(links),
                )
            )
            raw_by_id[operation_id] = {"operation": operation, "links": links or {}}
    return views, raw_by_id


def _waiter(operations: list[OperationView], raw: dict[str, dict[str, Any]]) -> WaiterView | None:
    """The job query (the operation with ``x-waiter``) and how a task's answer feeds it."""
    for view in operations:
        spec = raw[view.operation_id]["operation"].get("x-waiter")
        if not isinstance(spec, dict) or view.response_model is None:
            continue
        for task in operations:
            for link in raw[task.operation_id]["links"].values():
                if not isinstance(link, dict) or link.get("operationId") != view.operation_id:
                    continue
                for param, expression in (link.get("parameters") or {}).items():
                    prefix = "$response.body#/"
                    if isinstance(expression, str) and expression.startswith(prefix):
                        if task.response_model is None:
                            continue
                        return WaiterView(
                            operation=view,
                            job_param=snake_case(str(param)),
                            task_model=task.response_model,
                            job_id_field=snake_case(expression[len(prefix) :]),
                            status=str(spec.get("status", "/status")),
                            success=tuple(str(v) for v in spec.get("success") or ()),
                            failure=tuple(str(v) for v in spec.get("failure") or ()),
                        )
    return None


def render_package(data: dict[str, Any], package: str, spec_name: str) -> dict[str, str]:
    """The package's files by name, relative to the package folder."""
    models_source = render_models(data, spec_name)
    classes = model_classes(models_source)
    client_params = _client_parameters(data)
    operations, raw = _operations(data, classes, {p.name for p in client_params})
    waiter = _waiter(operations, raw)
    if waiter is None:
        operations = [OperationView(**{**op.__dict__, "delivers_task": False}) for op in operations]
    info = data.get("info") or {}
    clients = ["AsyncClient", "Client"]
    if waiter is not None:
        clients += ["AsyncDeliveredTask", "DeliveredTask"]
    context: dict[str, Any] = {
        "package": package,
        "version": project_version(),
        "spec_name": spec_name,
        "title": str(info.get("title") or package),
        "api_version": str(info.get("version") or ""),
        "operations": operations,
        "client_params": client_params,
        "waiter": waiter,
        "job_type": waiter.operation.response_model if waiter else "Any",
        "failure_literal": repr(waiter.failure if waiter else ()),
    }
    env = environment()
    files = {"models.py": models_source, "py.typed": ""}
    modules = ["_exceptions.py", "_base_client.py", "_auth.py", "_client.py"]
    if waiter is not None:
        modules.append("_waiter.py")
    for name in modules:
        files[name] = env.get_template(f"client/{name}.jinja").render(context)
    # The exceptions module says what it exports; the package re-exports its classes.
    exceptions = [n for n in module_exports(files["_exceptions.py"]) if n[0].isupper()]
    context["exceptions"] = exceptions
    context["exports"] = sorted([*exceptions, *clients, "AKSKAuth", "__version__"])
    files["__init__.py"] = env.get_template("client/__init__.py.jinja").render(context)
    return files
