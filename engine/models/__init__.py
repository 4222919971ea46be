"""SQLAlchemy models, one file per aggregate; import them from here."""

from .admin import CalendarYear, DiagramDraft, FormVersion  # noqa: F401 - drafts, forms, loaded holiday years
from .audit import AuditEvent
from .base import Base
from .collab import (  # noqa: F401 - approvals, delegations, deadlines, notifications, copies
    ApprovalRound,
    ApprovalVote,
    Attachment,
    CaseCopy,
    OutboxEmail,
    Proxy,
    TaskDeadline,
    TaskDelegation,
    TaskUrge,
    UserNotification,
)
from .idempotency import IdempotencyKey  # noqa: F401 - replayed API answers
from .org import LEVELS, ApiToken, OrgUnit, RoleAssignment, User
from .process import Definition, Instance, TaskRow
from .recruitment import APPLICATION_STATUSES, Application, Objection, PublicHit  # noqa: F401
from .workers import FLAG_NAMES, WORKER_STATUSES, Worker, WorkerChange

__all__ = [
    "LEVELS", "FLAG_NAMES", "WORKER_STATUSES", "ApiToken", "AuditEvent", "Base", "Definition",
    "Instance", "OrgUnit", "RoleAssignment", "TaskRow", "User", "Worker", "WorkerChange",
]
