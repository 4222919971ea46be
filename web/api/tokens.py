"""Access tokens: get one for a username and password, list your own, revoke one or the current one.

Revoking sets `revoked_at`; the token check (web/auth.py) refuses revoked tokens on the very next
request. A caller only ever sees and revokes their own tokens: another user's token id is 404.
"""

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from engine.core.errors import NotFound
from engine.models import ApiToken
from engine.records.accounts import revoke_token
from engine.records.tokens import hash_token, issue_token
from web.api.common import caller, paginate
from web.api.schemas import ErrorSchema, PageArgs, TokenRequest, TokenResponse, page_schema
from web.auth import check_credentials
from web.extensions import db
from web.idempotency import never_replayed

PREFIX = "/tokens"
blp = Blueprint("tokens", __name__, description="访问令牌 Access tokens")


class TokenInfoSchema(Schema):
    id = fields.Integer(required=True)
    label = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    current = fields.Boolean(required=True, metadata={"description": "the token of this request"})


@blp.route("", methods=["POST"])
@never_replayed
@blp.arguments(TokenRequest)
@blp.response(201, TokenResponse)
@blp.alt_response(401, schema=ErrorSchema, description="wrong credentials")
@blp.alt_response(429, schema=ErrorSchema, description="too many failed attempts")
def create_token(body: dict):
    """A new token on every call: an `Idempotency-Key` is ignored here, so no stored answer ever holds a token."""
    user = check_credentials(body["username"], body["password"])
    token, row = issue_token(db.session, user.username, user, hours=current_app.config["TOKEN_HOURS"],
                             label="api-login")
    return {"token": token, "expires_at": row.expires_at}


@blp.route("", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(TokenInfoSchema, "TokenPage"))
def list_tokens(args: dict):
    """The caller's own tokens, newest first (never the token text: only its hash is stored)."""
    actor = caller()
    current = _current_hash()
    query = select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id.desc())
    page = paginate(query, args)
    page["items"] = [_info(row, current) for row in page["items"]]
    return page


@blp.route("/current", methods=["DELETE"])
@blp.response(204)
def revoke_current():
    """Log out an API client: the token of this request stops working at once."""
    actor = caller()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _current_hash(),
                                                   ApiToken.user_id == actor.user_id))
    _revoke(row, actor.username)


@blp.route("/<int:token_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema, description="no such token of the caller")
def revoke(token_id: int):
    actor = caller()
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != actor.user_id:
        raise NotFound("令牌不存在", code="token_not_found")
    _revoke(row, actor.username)


def _current_hash() -> str:
    return hash_token(request.headers.get("Authorization", "")[7:].strip())


def _revoke(row: ApiToken | None, username: str) -> None:
    if row is None:
        raise NotFound("令牌不存在", code="token_not_found")
    revoke_token(db.session, username, row.id)


def _info(row: ApiToken, current: str) -> dict:
    return {"id": row.id, "label": row.label, "created_at": row.created_at, "expires_at": row.expires_at,
            "revoked_at": row.revoked_at, "current": row.token_hash == current}
