"""The worker record (档案) and its append-only history."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, JsonType, UtcDateTime

WORKER_STATUSES = (
    "applicant", "probation", "active", "seconded", "resigned", "dismissed", "retired", "contract_ended",
)
FLAG_NAMES = (
    "under_audit", "under_discipline_review", "criminal_case_pending", "work_injury_disability",
    "medical_period_until", "pregnancy_or_nursing_until", "is_elected", "unfinished_business",
)


class Worker(Base):
    __tablename__ = "workers"
    __table_args__ = (Index("ix_workers_org_status", "org_path", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[str | None] = mapped_column(String(8))
    birth_date: Mapped[date | None] = mapped_column(Date)
    education: Mapped[str | None] = mapped_column(String(32))
    id_number: Mapped[str | None] = mapped_column(String(32))
    org_code: Mapped[str] = mapped_column(ForeignKey("org_units.code"))
    org_path: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20))
    contract: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    flags: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # counts the changes of the record: an edit made on an older version is refused, not applied
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")


class WorkerChange(Base):
    """One change of one field of a worker record: who, when, before → after, and why."""

    __tablename__ = "worker_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(64))
    before: Mapped[Any] = mapped_column(JsonType, nullable=True)
    after: Mapped[Any] = mapped_column(JsonType, nullable=True)
    source: Mapped[str] = mapped_column(Text, default="")
