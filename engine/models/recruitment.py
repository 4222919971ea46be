"""Recruitment (招聘) rows: one per application, one per publicity objection, and public-request hits.

Applications are rows, not workflow children: a campaign has thousands of them, and reviewing or
scoring one must cost the same however many there are (an indexed row update). The workflow only
holds the stages; these rows hold each applicant's way through them.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, JsonType, UtcDateTime

# An application's way through the campaign, in order; failures end it.
APPLICATION_STATUSES = (
    "submitted",        # 已报名，待资格审查
    "qualified",        # 资格审查通过
    "rejected",         # 资格审查未通过
    "written_failed",   # 笔试未达合格线或缺考
    "not_shortlisted",  # 笔试合格但未进入面试
    "interview",        # 进入面试
    "interview_absent",  # 面试缺考
    "ranked",           # 已排名（候补）
    "physical",         # 待体检
    "physical_failed",  # 体检不合格
    "physical_reexam",  # 体检不合格，已申请复检，待复检结论
    "vetting",          # 待考察
    "vetting_failed",   # 考察不合格
    "ready",            # 待公示
    "publicised",       # 公示中
    "objection_upheld",  # 公示异议成立
    "cleared",          # 公示无异议，待聘用
    "hired",            # 已聘用
    "not_hired",        # 递补轮次已满，未聘用
)


class Application(Base):
    """One applicant in one campaign (报名), with review, scores, rank and selection results."""

    __tablename__ = "recruitment_applications"
    __table_args__ = (
        UniqueConstraint("instance_id", "id_number", name="uq_recruitment_applications_id_number"),
        Index("ix_recruitment_applications_status", "instance_id", "status", "post_community"),
        Index("ix_recruitment_applications_rank", "instance_id", "post_community", "rank"),
        Index("ix_recruitment_applications_scope", "instance_id", "post_org_path", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    application_no: Mapped[str] = mapped_column(String(20), unique=True)
    post_community: Mapped[str] = mapped_column(ForeignKey("org_units.code"))
    post_org_path: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date] = mapped_column(Date)
    id_number: Mapped[str] = mapped_column(String(18))
    education: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(20))
    fresh_graduate: Mapped[bool] = mapped_column(Boolean, default=False)
    local_residence: Mapped[bool] = mapped_column(Boolean, default=False)
    recommended_by_street: Mapped[bool] = mapped_column(Boolean, default=False)
    relaxation_basis: Mapped[str | None] = mapped_column(String(32))
    # who recorded the street's recommendation at the qualification review, and when (004 art. 9)
    recommended_by: Mapped[str | None] = mapped_column(String(64))
    recommended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    priority: Mapped[list[str]] = mapped_column(JsonType, default=list)
    declarations: Mapped[list[str]] = mapped_column(JsonType, default=list)
    precheck: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    written_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    written_absent: Mapped[bool] = mapped_column(Boolean, default=False)
    interview_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    interview_absent: Mapped[bool] = mapped_column(Boolean, default=False)
    total_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    rank: Mapped[int | None] = mapped_column(Integer)
    substitute_for: Mapped[int | None] = mapped_column(Integer)
    physical_note: Mapped[str | None] = mapped_column(Text)
    physical_failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    physical_reexam_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    vetting_note: Mapped[str | None] = mapped_column(Text)
    publicity_until: Mapped[date | None] = mapped_column(Date)
    publicity_from: Mapped[date | None] = mapped_column(Date)  # the day the list was published
    publicity_provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"))
    probation_result: Mapped[str | None] = mapped_column(String(8))
    probation_note: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Objection(Base):
    """An objection to a candidate on the publicity list (公示异议) and its investigation."""

    __tablename__ = "recruitment_objections"
    __table_args__ = (Index("ix_recruitment_objections_instance", "instance_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("recruitment_applications.id"))
    summary: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date] = mapped_column(Date)
    received_by: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | upheld | dismissed
    finding: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PublicHit(Base):
    """One request to a public (tokenless) endpoint, by hashed client address: the rate limit's count.

    Kept in the database so every worker and host shares one count; the address itself is never stored.
    """

    __tablename__ = "public_hits"
    __table_args__ = (Index("ix_public_hits_bucket", "bucket", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
