"""The OpenAPI document and a documentation page made from it (server-rendered, no CDN)."""

from __future__ import annotations

import json
import re

from flask import jsonify, render_template
from markupsafe import Markup, escape

from ..models import SCOPES
from . import API_VERSION, BASE_PATH, bp
from .spec import openapi_document


def inline_code(text: str) -> Markup:
    """The descriptions' `code` spans as <code>, everything else escaped."""
    escaped = str(escape(text))  # escaped first: only our <code> tags are markup
    code = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return Markup(code)  # noqa: S704 - escaped above: the only markup is our own <code> tags


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(BASE_PATH, API_VERSION))


@bp.get("/docs")
def documentation():
    document = openapi_document(BASE_PATH, API_VERSION)
    schemas = document["components"]["schemas"]
    operations = [
        {"path": path, "method": method.upper(), **spec}
        for path, methods in document["paths"].items()
        for method, spec in methods.items()
    ]
    return render_template(
        "api/docs.html",
        document=document,
        operations=operations,
        schemas={name: json.dumps(schema, indent=2) for name, schema in schemas.items()},
        scopes=SCOPES,
        inline_code=inline_code,
    )
