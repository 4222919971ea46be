"""What administrators keep between deploys: diagram drafts, edited form versions and the official
holiday arrangements they loaded."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, JsonType, UtcDateTime


class DiagramDraft(Base):
    """A diagram saved from the modeler without deploying it (草稿); nothing runs from it."""

    __tablename__ = "diagram_drafts"
    __table_args__ = (Index("ix_diagram_drafts_updated", "updated_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    process_key: Mapped[str | None] = mapped_column(String(64))
    base_version: Mapped[int | None] = mapped_column(Integer)
    bpmn: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class FormVersion(Base):
    """An administrator's edit of a form (表单): version N of `name`, used by the next deploy.

    Versions are only ever added. Deployed definitions keep their own copy of each form, so a new
    version never changes a deployed process or a running case.
    """

    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    schema: Mapped[dict[str, Any]] = mapped_column(JsonType)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CalendarYear(Base):
    """The State Council's holiday arrangement for one year (国务院办公厅关于部分节假日安排的通知),
    loaded by a system administrator; it makes that year's working days exact instead of provisional."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[list[str]] = mapped_column(JsonType, default=list)
    workdays: Mapped[list[str]] = mapped_column(JsonType, default=list)
    loaded_by: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime())
