"""The OpenAPI 3.1 document, generated from the router's declared operations and models."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from portal_api.router import PREFIX, ApiRouter, Operation

REF = "#/components/schemas/{model}"
Mode = Literal["validation", "serialization"]

_ERROR_TEXT = {
    400: "Malformed request (for example malformed JSON)",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Validation error",
    429: "Too many attempts",
    502: "Bad gateway (a service outside, such as an LMS, failed)",
}


class ProblemDetails(BaseModel):
    """RFC 9457 problem details; ``code`` is the stable machine-readable error."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    instance: str | None = None


def build_document(router: ApiRouter, version: str) -> dict[str, Any]:
    schemas = _schemas(router)
    paths: dict[str, dict[str, Any]] = {}
    for op in router.operations:
        paths.setdefault(PREFIX + op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "QOU Classroom API", "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "session": {"type": "apiKey", "in": "cookie", "name": "qou_session"},
            },
        },
    }


def _schemas(router: ApiRouter) -> dict[str, Any]:
    models: list[tuple[type[BaseModel], Mode]] = [(ProblemDetails, "serialization")]
    for op in router.operations:
        models += [(m, "validation") for m in (op.body, op.query) if m is not None]
        if op.response is not None:
            models.append((op.response, "serialization"))
    _, top = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    defs: dict[str, Any] = top.get("$defs", {})
    return defs


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _operation(op: Operation) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "summary": op.summary,
        "tags": [op.tag],
        "operationId": op.handler.__name__,
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": _path_schema(op, name)}
            for name in op.path_params
        ],
        "responses": _responses(op),
    }
    if op.query is not None:
        doc["parameters"] += _query_parameters(op.query)
    if op.body is not None:
        content = {"application/json": {"schema": _ref(op.body)}}
        if op.form:
            content["application/x-www-form-urlencoded"] = {"schema": _ref(op.body)}
        doc["requestBody"] = {"required": True, "content": content}
    if op.upload:
        upload_schema = {
            "type": "object",
            "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}},
        }
        doc["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": upload_schema}},
        }
    if op.raw_body is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {op.raw_body: {"schema": {"type": "string"}}},
        }
    doc["security"] = [{"bearer": []}, {"session": []}] if op.auth else []
    return doc


def _path_schema(op: Operation, name: str) -> dict[str, Any]:
    if op.path_types.get(name, "integer") == "integer":
        return {"type": "integer", "minimum": 1}
    return {"type": "string"}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _responses(op: Operation) -> dict[str, Any]:
    problem = {"application/problem+json": {"schema": _ref(ProblemDetails)}}
    if op.response is not None:
        ok: dict[str, Any] = {
            "description": "Success",
            "content": {"application/json": {"schema": _ref(op.response)}},
        }
    elif op.produces is not None:
        binary = {"type": "string", "format": "binary"}
        ok = {"description": "Success", "content": {op.produces: {"schema": binary}}}
    else:
        ok = {"description": "Success, no content"}
    answers = op.response is not None or op.produces is not None
    responses: dict[str, Any] = {str(op.status if answers else 204): ok}
    codes = set(op.errors)
    if op.auth:
        codes |= {401, 403}
    if op.body is not None or op.upload or op.raw_body is not None:
        codes |= {400, 415, 422}
    if op.query is not None:
        codes.add(422)
    if op.path_params:
        codes.add(404)
    for code in sorted(codes):
        responses[str(code)] = {"description": _ERROR_TEXT[code], "content": problem}
    return responses
