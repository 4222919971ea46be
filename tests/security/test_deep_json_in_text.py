"""JSON that arrives as text inside a field (a form schema typed in the admin's form editor) is held
to the same depth limit as every request body: the input guard sees only a string, so the form
library checks the text itself, before parsing it, and refuses with the field named."""

from sqlalchemy import func, select

from engine.models import FormVersion
from tests.web.test_admin_support import login, post_json
from web.extensions import db

FORM = "resignation_street_review.json"


def _deep_schema(levels: int) -> str:
    return '{"type": "object", "properties": {"x": ' * levels + '{"type": "string"}' + "}}" * levels


def _versions(app) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(FormVersion))


def test_a_form_schema_nested_thousands_deep_is_refused_when_saved(client, app):
    token = login(client)
    before = _versions(app)
    for levels in (5_000, 400):
        response = post_json(client, f"/admin/forms/{FORM}", {"schema": _deep_schema(levels)}, token)
        assert response.status_code == 422, (levels, response.get_data(as_text=True)[:300])
        error = response.get_json()["error"]
        assert "嵌套过深" in error["message"] and list(error["details"]["fields"]) == ["schema"]
    assert _versions(app) == before


def test_a_form_schema_nested_thousands_deep_is_refused_in_the_preview(client):
    token = login(client)
    response = post_json(client, "/admin/forms/preview", {"schema": _deep_schema(5_000)}, token)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert any("嵌套过深" in error for error in response.get_json()["errors"])
