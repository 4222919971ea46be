"""What the hostile-input tests share: the error envelope every refusal must have, and a count of
every table's rows to prove a refused request wrote nothing."""

import json
from typing import Any

from sqlalchemy import func, select, union_all

from web.extensions import db


def row_counts() -> dict[str, int]:
    """Rows per table, in one statement (run between requests, in the test's own transaction)."""
    tables = db.metadata.sorted_tables
    query = union_all(*(select(func.count().label("n")).select_from(table) for table in tables))
    counts = [row.n for row in db.session.execute(query)]
    db.session.rollback()
    return dict(zip((table.name for table in tables), counts, strict=True))


def assert_envelope(response: Any) -> dict[str, Any]:
    """A 4xx answer of the API: {"error": {code, message, details}} with a snake_case code and a
    message for people; returns the error."""
    text = response.get_data(as_text=True) if hasattr(response, "get_data") else response.text  # Flask or schemathesis
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), text[:300]
    error = body["error"]
    assert isinstance(error.get("code"), str) and error["code"].replace("_", "").isalnum(), error
    assert isinstance(error.get("message"), str) and error["message"], error
    assert isinstance(error.get("details"), dict), error
    return error
