"""The API reference page: made from the OpenAPI document, readable offline."""

from __future__ import annotations

import re

from markupsafe import Markup

from surveys.api.docs import inline_code
from surveys.api.spec import OPERATIONS


def test_the_reference_lists_every_operation_and_loads_nothing_from_elsewhere(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for op in OPERATIONS:
        assert f'id="{op.name}"' in html
    assert not re.search(r'<script[^>]+src="https?://', html)
    assert not re.search(r'<link[^>]+href="https?://', html)
    assert "<code>Authorization: Bearer &lt;token&gt;</code>" in html


def test_descriptions_keep_only_their_code_spans_as_markup():
    rendered = inline_code("Send `a<b>` then <script>alert(1)</script>")
    assert isinstance(rendered, Markup)
    assert rendered == "Send <code>a&lt;b&gt;</code> then &lt;script&gt;alert(1)&lt;/script&gt;"
