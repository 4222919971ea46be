"""Hire in the campaign workspace (办理聘用手续): who awaits a labour contract, who has one, and the
street's signing of each contract (签订劳动合同, 004 art. 12), which creates the worker record.

Signing is engine.operations.probation.sign_contract, exactly as the API's contract endpoint; the page
offers the form only to the signer of that post's street, and the action refuses everyone else.
"""

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from config.policy import policy_value
from engine.core import clock
from engine.core.errors import DomainError, Forbidden, NotFound
from engine.core.scope import Actor
from engine.operations import probation
from engine.recruitment import hire, workspace
from web.extensions import db
from web.views.pages import current_actor, login_required, page_blueprint
from web.views.refusals import refusal_text

bp = page_blueprint("recruitment_hire", __name__, url_prefix="/recruitments")


def may_sign(actor: Actor, org_path: str) -> bool:
    """The street of the post signs (policy `recruitment_contract_signer_role`)."""
    return any(actor.holds(role, org_path) for role in hire.signer_roles())


@bp.get("/<int:instance_id>/hire")
@login_required
def show(instance_id: int):
    actor = current_actor()
    campaign = workspace.overview(db.session, actor, instance_id)
    rows = workspace.hire_rows(db.session, actor, instance_id)
    unsigned = sum(1 for row in rows if row.application.status == "cleared")
    return render_template(
        "recruitments/hire.html", campaign=campaign, rows=rows, unsigned=unsigned, signed=len(rows) - unsigned,
        signable={row.application.id for row in rows if may_sign(actor, row.application.post_org_path)},
        hire_open=campaign.stage == "hire", post_names={p.code: p.name for p in campaign.posts},
        defaults={"contract_start": clock.today().isoformat(), "contract_years": policy_value("contract_years"),
                  "probation_months": policy_value("probation_months")})


def _terms(form: Any) -> tuple[dict[str, Any], list[str]]:
    """The contract's terms as typed, or what is wrong with each field, in the page's words."""
    terms: dict[str, Any] = {"filing_number": (form.get("filing_number") or "").strip() or None}
    problems = []
    try:
        terms["contract_start"] = date.fromisoformat((form.get("contract_start") or "").strip()).isoformat()
    except ValueError:
        problems.append(_("合同起始日：请填写日期，如 2026-12-10"))
    try:
        terms["contract_years"] = float(form.get("contract_years") or "")
        if not 0 < terms["contract_years"] <= 10:
            raise ValueError
    except ValueError:
        problems.append(_("合同期限：请填写大于 0、不超过 10 的年数"))
    try:
        terms["probation_months"] = int(form.get("probation_months") or "")
        if not 0 <= terms["probation_months"] <= 12:
            raise ValueError
    except ValueError:
        problems.append(_("试用期：请填写 0 至 12 的整月数"))
    return terms, problems


@bp.post("/<int:instance_id>/applications/<int:application_id>/contract")
@login_required
def sign(instance_id: int, application_id: int):
    """Sign one candidate's contract; say whose record was made, with its term, or why not."""
    back = redirect(url_for("recruitment_hire.show", instance_id=instance_id))
    terms, problems = _terms(request.form)
    if problems:
        flash(_("劳动合同未签订：%(why)s。", why="；".join(problems)), "error")
        return back
    try:
        application, worker = probation.sign_contract(db.session, current_actor(), instance_id, application_id, terms)
    except NotFound:
        raise
    except Forbidden as exc:
        if exc.code == "not_allowed":
            flash(_("劳动合同由岗位所在街道的人事干部签订，您不能签订这份合同。"), "error")
        else:
            flash(refusal_text(exc), "error")
        return back
    except DomainError as exc:
        flash(_("劳动合同未签订：%(why)s。", why=refusal_text(exc)), "error")
        return back
    contract = worker.contract
    probation_end = contract.get("probation_end")
    flash(_("已与 %(name)s 签订劳动合同（%(start)s 至 %(end)s%(probation)s），人员档案已建立，状态：试用期。",
            name=application.name, start=contract["start"], end=contract["end"],
            probation=_("，试用期至 %(day)s", day=probation_end) if probation_end else ""), "success")
    return back
