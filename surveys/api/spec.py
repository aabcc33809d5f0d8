"""Each endpoint is declared once: its scope, body, query and response models.

The declaration validates the request, shapes the response and writes the OpenAPI 3.1
document, so the document cannot drift from what the code accepts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Response, jsonify, request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from ..input_guard import (
    DATABASE_INT_MAX,
    DuplicateKey,
    clean_strings,
    not_json_constant,
    object_without_duplicates,
)
from .auth import authenticate
from .errors import MESSAGES, ApiError

REF = "#/components/schemas/{model}"
PATH_PARAM = re.compile(r"<int:(\w+)>")


@dataclass(frozen=True)
class Header:
    name: str
    description: str
    required: bool = False
    max_length: int = 200


@dataclass
class Operation:
    method: str
    rule: str
    name: str
    summary: str
    tag: str
    scope: str | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    errors: tuple[int, ...]
    headers: tuple[Header, ...] = ()
    description: str = ""
    extra_query: list[dict] = field(default_factory=list)
    conditional: bool = False  # answers If-None-Match with a 304 (ETag)


OPERATIONS: list[Operation] = []


def operation(
    blueprint,
    method: str,
    rule: str,
    *,
    summary: str,
    tag: str,
    scope: str | None,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    headers: tuple[Header, ...] = (),
    description: str = "",
    extra_query: list[dict] | None = None,
    conditional: bool = False,
) -> Callable:
    """Register an API view: checks the token, reads body and query, renders the result.

    The view receives path arguments, plus `body` and `query` (validated models) when
    declared, and returns a model, a dict (validated against `response`) or a Response.
    """

    def decorator(view: Callable) -> Callable:
        OPERATIONS.append(
            Operation(
                method, rule, view.__name__, summary, tag, scope, body, query, response,
                status, errors, headers, description, list(extra_query or []), conditional,
            )
        )  # fmt: skip

        @wraps(view)
        def handle(**path: Any):
            if scope:
                authenticate(scope)
            if body is not None:
                path["body"] = read_body(body)
            if query is not None:
                path["query"] = read_query(query)
            result = view(**path)
            if isinstance(result, Response):
                return result
            return json_response(result, response, status)

        blueprint.add_url_rule(rule, view.__name__, handle, methods=[method])
        return handle

    return decorator


def json_response(
    result: BaseModel | dict | list,
    model: type[BaseModel] | None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render through the declared model, so a response never breaks its own schema."""
    if model is not None and not isinstance(result, model):
        result = model.model_validate(result)
    payload = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
    response = jsonify(payload)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def read_body(model: type[BaseModel]) -> BaseModel:
    if request.mimetype != "application/json":
        raise ApiError(415)
    raw = request.get_data(cache=True)
    try:
        # NaN and Infinity are not JSON (RFC 8259); Python's parser would take them.
        data = json.loads(
            raw, parse_constant=not_json_constant, object_pairs_hook=object_without_duplicates
        )
    except DuplicateKey as duplicate:
        name = json.dumps(duplicate.key[:60])
        message = f"The name {name} appears twice in one object: send it once."
        raise ApiError(400, message, code="duplicate_key") from None
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ApiError(400, "The body is not valid JSON.", code="invalid_json") from None
    problem = _structure_problem(data)
    if problem is not None:
        raise ApiError(422, problem[1], fields={problem[0] or "body": problem[1]})
    if clean_strings(data):  # control characters and bidi overrides taken out of the text
        raw = json.dumps(data)
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        raise invalid(error) from None


def read_query(model: type[BaseModel]) -> BaseModel:
    values = {name: request.args.get(name) for name in request.args}
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise invalid(error) from None


def invalid(error: ValidationError) -> ApiError:
    fields: dict[str, str] = {}
    for problem in error.errors(include_url=False):
        fields.setdefault(field_path(problem["loc"]) or "body", problem["msg"])
    return ApiError(422, "Some fields are not valid.", fields=fields)


def field_path(location) -> str:
    """`answers.nps`, `[3].email`: list positions in brackets, names after dots."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


MAX_DEPTH = 32  # far beyond any body we declare; deeper is an attack, not data


def _structure_problem(data: Any) -> tuple[str, str] | None:
    """(path, message) for text PostgreSQL cannot store (U+0000) or absurd nesting.

    Walked with a stack, not recursion, so a hostile body cannot exhaust the call stack.
    """
    stack: list[tuple[Any, tuple, int]] = [(data, (), 0)]
    while stack:
        value, location, depth = stack.pop()
        if depth > MAX_DEPTH:
            return field_path(location), f"Nested deeper than {MAX_DEPTH} levels."
        if isinstance(value, str) and "\x00" in value:
            return field_path(location), "Text may not contain NUL characters."
        if isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    return field_path((*location, key)), "Names may not contain NUL characters."
                stack.append((item, (*location, key), depth + 1))
        elif isinstance(value, list):
            stack.extend((item, (*location, i), depth + 1) for i, item in enumerate(value))
    return None


# --- the OpenAPI document ----------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, str] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


def openapi_document(base_path: str, version: str) -> dict:
    models = {ErrorBody}
    for op in OPERATIONS:
        models.update(m for m in (op.body, op.response) if m is not None)
    refs, schemas = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
        ref_template=REF,
    )
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        path = PATH_PARAM.sub(r"{\1}", op.rule)
        paths.setdefault(base_path + path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Parcours API",
            "version": version,
            "description": (
                "Invitations, responses, questionnaires, the journey map and webhooks of "
                "Parcours. "
                "Send `Authorization: Bearer <token>`; tokens carry scopes. Bodies are JSON, "
                'at most 1 MiB. Errors are `{"error": {"code", "message", "fields"}}`.'
            ),
        },
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


def _operation(op: Operation, refs: dict) -> dict:
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": DATABASE_INT_MAX},
        }
        for name in PATH_PARAM.findall(op.rule)
    ]
    if op.query is not None:
        schema = op.query.model_json_schema(ref_template=REF)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            prop = dict(prop)
            description = prop.pop("description", None)
            parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
            if description:
                parameter["description"] = description
            parameters.append(parameter)
    parameters.extend(op.extra_query)
    for header in op.headers:
        parameters.append(
            {
                "name": header.name,
                "in": "header",
                "required": header.required,
                "description": header.description,
                "schema": {"type": "string", "minLength": 1, "maxLength": header.max_length},
            }
        )
    if op.conditional:
        parameters.append(
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "description": "The ETag of a previous answer: 304 if nothing changed.",
                "schema": {"type": "string"},
            }
        )
    responses: dict[str, dict] = {}
    success: dict = {"description": "Success."}
    if op.response is not None:
        success["content"] = {"application/json": {"schema": refs[(op.response, "validation")]}}
    if op.conditional:
        success["headers"] = {"ETag": {"schema": {"type": "string"}}}
        responses["304"] = {"description": "Not modified since the ETag sent."}
    responses[str(op.status)] = success
    statuses = set(op.errors) | {400, 429}
    if op.scope:
        statuses |= {401, 403}
    if op.body is not None:
        statuses |= {413, 415, 422}
    if op.query is not None or op.extra_query:
        statuses.add(422)
    error_schema = {"application/json": {"schema": refs[(ErrorBody, "validation")]}}
    for status in sorted(statuses):
        responses[str(status)] = {
            "description": MESSAGES.get(status, "See the error code and message."),
            "content": error_schema,
        }
    document: dict = {
        "operationId": op.name,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters,
        "responses": responses,
        "security": [{"bearerAuth": []}] if op.scope else [],
    }
    if op.scope:
        document["x-scope"] = op.scope
        document["description"] = (op.description + f"\n\nScope: `{op.scope}`.").strip()
    elif op.description:
        document["description"] = op.description
    if op.body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    return document
