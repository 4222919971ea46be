"""SQLAlchemy models, one file per aggregate; import them from here."""

from .audit import AuditEvent, Notification
from .base import Base
from .org import LEVELS, ApiToken, OrgUnit, RoleAssignment, User
from .process import Definition, Instance, TaskRow
from .workers import FLAG_NAMES, WORKER_STATUSES, Worker, WorkerChange

__all__ = [
    "LEVELS", "FLAG_NAMES", "WORKER_STATUSES", "ApiToken", "AuditEvent", "Base", "Definition",
    "Instance", "Notification", "OrgUnit", "RoleAssignment", "TaskRow", "User", "Worker", "WorkerChange",
]
