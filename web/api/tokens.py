"""POST /api/v1/tokens: a bearer token for a username and password."""

from flask_smorest import Blueprint

from engine import audit

from ..auth import check_credentials, issue_token
from ..extensions import db
from .schemas import TokenRequest, TokenResponse

PREFIX = "/tokens"
blp = Blueprint("tokens", __name__, description="访问令牌 Access tokens")


@blp.route("", methods=["POST"])
@blp.arguments(TokenRequest)
@blp.response(201, TokenResponse)
@blp.alt_response(401, description="wrong credentials")
@blp.alt_response(429, description="too many failed attempts")
def create_token(body: dict):
    user = check_credentials(body["username"], body["password"])
    token, row = issue_token(user, label="api-login")
    audit.record(db.session, user.username, "token_issued")
    db.session.commit()
    return {"token": token, "expires_at": row.expires_at}

