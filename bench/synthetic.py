"""A synthetic task API of N operations, about three schemas each, for scale benchmarks."""

from __future__ import annotations

from typing import Any


def synthetic_spec(operations: int) -> dict[str, Any]:
    """An OpenAPI 3.1 document with ``operations`` task-delivering POSTs and one job query.

    Each operation has its own request body with a nested option object and a list of items:
    three schemas an operation, all answered with a shared task response.
    """
    error = {"$ref": "#/components/responses/Error"}
    paths: dict[str, Any] = {
        "/v1/{project_id}/jobs/{job_id}": {
            "get": {
                "operationId": "ShowJob",
                "summary": "Query a job",
                "tags": ["Jobs"],
                "parameters": [
                    {"$ref": "#/components/parameters/ProjectId"},
                    {
                        "name": "job_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The job.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Job"}}
                        },
                    },
                    "404": error,
                },
                "x-waiter": {"status": "/status", "success": ["SUCCESS"], "failure": ["FAIL"]},
            }
        }
    }
    schemas: dict[str, Any] = {
        "TaskResponse": {
            "type": "object",
            "required": ["job_id"],
            "properties": {"job_id": {"type": "string", "description": "ID of the job."}},
        },
        "Job": {
            "type": "object",
            "required": ["status", "job_id"],
            "properties": {
                "status": {"type": "string", "enum": ["SUCCESS", "RUNNING", "FAIL", "INIT"]},
                "job_id": {"type": "string"},
                "fail_reason": {"type": ["string", "null"]},
            },
        },
        "Error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        },
    }
    for n in range(operations):
        name = f"Action{n:05d}"
        schemas[f"{name}Request"] = {
            "type": "object",
            "description": f"Body of {name}.",
            "required": ["option"],
            "properties": {"option": {"$ref": f"#/components/schemas/{name}Option"}},
        }
        schemas[f"{name}Option"] = {
            "type": "object",
            "required": ["items"],
            "properties": {
                "items": {
                    "type": "array",
                    "maxItems": 1000,
                    "items": {"$ref": f"#/components/schemas/{name}Item"},
                },
                "mode": {"type": "string", "enum": ["SOFT", "HARD"], "default": "SOFT"},
                "force": {"type": "boolean", "default": False},
            },
        }
        schemas[f"{name}Item"] = {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "description": "ID of the resource."},
                "weight": {"type": "integer", "minimum": 0},
            },
        }
        paths[f"/v1/{{project_id}}/resources/action-{n:05d}"] = {
            "post": {
                "operationId": name,
                "summary": f"Deliver task {n}",
                "tags": ["Tasks"],
                "parameters": [{"$ref": "#/components/parameters/ProjectId"}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{name}Request"}
                        }
                    },
                },
                "responses": {"200": {"$ref": "#/components/responses/Task"}, "400": error},
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": f"Synthetic task API ({operations} operations)", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "ProjectId": {
                    "name": "project_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                    "x-client-parameter": True,
                }
            },
            "responses": {
                "Task": {
                    "description": "Delivered.",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/TaskResponse"}
                        }
                    },
                    "links": {
                        "ShowJob": {
                            "operationId": "ShowJob",
                            "parameters": {"job_id": "$response.body#/job_id"},
                        }
                    },
                },
                "Error": {
                    "description": "Error.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        },
    }
