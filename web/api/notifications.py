"""In-app notifications (站内通知) and the "copied to me" list (抄送我的)."""

from flask_smorest import Blueprint

from engine.collab import copies, notifications
from engine.core.errors import NotFound
from engine.models import CaseCopy, Instance
from web.api.common import caller, instance_view, paginate
from web.api.operation_schemas import CopySchema, CountSchema, NotificationSchema, UnreadArgs
from web.api.schemas import page_schema
from web.extensions import db

PREFIX = ""
blp = Blueprint("notifications", __name__, description="通知与抄送 Notifications and copies")


@blp.before_request
def _authenticate() -> None:
    """Who calls first: no token is a 401 before any body is read."""
    caller()


def _user_id() -> int:
    actor = caller()
    if actor.user_id is None:
        raise NotFound("用户不存在", code="user_not_found")
    return actor.user_id


@blp.route("/notifications")
@blp.arguments(UnreadArgs, location="query")
@blp.response(200, page_schema(NotificationSchema, "NotificationPage"))
def list_notifications(args: dict):
    """The caller's notifications, newest first; `?unread=true` for the unread ones."""
    return paginate(notifications.notifications_for(_user_id(), unread_only=args["unread"]), args)


@blp.route("/notifications/unread-count")
@blp.response(200, CountSchema)
def unread_count():
    return {"unread": notifications.unread_count(db.session, _user_id())}


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@blp.response(200, NotificationSchema)
def mark_read(notification_id: int):
    return notifications.mark_read(db.session, _user_id(), notification_id)


@blp.route("/notifications/read-all", methods=["POST"])
@blp.response(200, CountSchema)
def mark_all_read():
    notifications.mark_all_read(db.session, _user_id())
    return {"unread": 0}


@blp.route("/copies")
@blp.arguments(UnreadArgs, location="query")
@blp.response(200, page_schema(CopySchema, "CopyPage"))
def list_copies(args: dict):
    """Cases copied to the caller (抄送我的), newest first."""
    page = paginate(copies.copies_for(caller().username, unread_only=args["unread"]), args)
    page["items"] = [_copy_view(row) for row in page["items"]]
    return page


@blp.route("/copies/<int:copy_id>/read", methods=["POST"])
@blp.response(200, CopySchema)
def mark_copy_read(copy_id: int):
    row = copies.mark_copy_read(db.session, caller(), copy_id)
    return _copy_view(row)


def _copy_view(row: CaseCopy) -> dict:
    instance = db.session.get(Instance, row.instance_id)
    return {"id": row.id, "instance": instance_view(instance), "copied_by": row.copied_by, "note": row.note,
            "created_at": row.created_at, "read_at": row.read_at}
