"""The words a person reads for the codes the engine stores: one vocabulary for every place.

A case page, a bell text, the printable form and a refusal message must call the same state by the
same word, so each code has its Chinese word here and nowhere else. The engine uses these strings
as they are; the web layer passes the same words through its translation catalog.
"""

# Instance.status
STATUS_WORDS = {"running": "办理中", "completed": "已办结", "cancelled": "已撤销", "error": "异常"}

# Instance.outcome: set by the diagrams' `set_outcome`, by a withdrawal or a cancellation, or
# "completed" when a case ends without naming one.
OUTCOME_WORDS = {
    "approved": "批准", "rejected": "不予批准", "withdrawn": "已撤回", "cancelled": "已撤销", "completed": "已办结",
    "hired": "已聘用", "dismissed": "已辞退", "returned": "已退回", "revoked": "撤销辞退", "expired": "已失效（逾期未批）",
    "notice_effective": "辞职通知期满生效",
}

# An outcome that reads differently in one process: an approved dismissal is a worker dismissed,
# an approved resignation the leaving confirmed (a notice, not a request).
PROCESS_OUTCOME_WORDS = {
    ("dismissal", "approved"): "已辞退", ("resignation", "approved"): "确认离职",
}


def outcome_word(outcome: str | None, process_key: str | None = None) -> str | None:
    """The outcome of a case in words, in the terms of its own process."""
    if not outcome:
        return None
    return PROCESS_OUTCOME_WORDS.get((process_key or "", outcome)) or OUTCOME_WORDS.get(outcome, outcome)

# the `decision` field of an approval form, and a step done without one
DECISION_WORDS = {"approve": "同意", "reject": "不同意", "return": "退回", "defer": "暂缓"}
DECISION_DONE = "已办理"

# TaskRow.status
TASK_STATUS_WORDS = {"open": "待办理", "completed": "已办理", "cancelled": "已取消"}

# Worker.status
WORKER_STATUS_WORDS = {
    "applicant": "报名人员", "probation": "试用期", "active": "在岗", "seconded": "借调中", "resigned": "已辞职",
    "dismissed": "已辞退", "retired": "已退休", "contract_ended": "合同已终止",
}

# the personnel processes that move a worker's status, by definition key
PROCESS_WORDS = {"secondment": "借调", "resignation": "辞职", "dismissal": "辞退"}

# AuditEvent.type, as the case trail names it
EVENT_WORDS = {
    "instance_started": "发起流程", "task_completed": "办理", "task_claimed": "认领任务",
    "task_unclaimed": "取消认领", "instance_cancelled": "撤销流程", "timer_fired": "定时触发",
    "notified": "发送通知", "worker_created": "建档", "publicity_recounted": "按正式放假安排重算公示期",
    "case_resumed": "不得辞职情形消除，继续办理",
    "task_returned": "退回", "task_withdrawn": "撤回决定", "vote_cast": "审批意见",
    "vote_withdrawn": "撤回意见", "instance_withdrawn": "撤回申请",
    "instance_resubmitted": "重新提交", "task_transferred": "转办", "task_delegated": "委派",
    "task_delegation_resolved": "委派办理完毕", "approvers_added": "加签", "case_copied": "抄送",
    "task_urged": "催办", "task_reminded": "到期提醒", "task_escalated": "超期督办",
    "attachment_uploaded": "上传附件",
    # what the process rules record on a case (recruitment steps, a status left as it was)
    "worker_status_kept": "人员状态未变更",
    "interview_list": "公布面试名单",
    "ranking_published": "公布成绩排名",
    "publicity_published": "发布公示",
    "probation_reviewed": "试用期考核",
    "hire_filed": "聘用备案",
    "application_reviewed": "资格审查",
    "application_submitted": "提交报名",
    "physical_reexam_requested": "申请体检复检",
    "substitution_withdrawn": "撤回递补",
    "candidate_substituted": "递补人选",
    "scores_entered": "录入成绩",
    "post_shortfall": "岗位缺额",
    "objection_filed": "提出异议",
    "objection_decided": "异议处理",
}

def decision_word(decision: object) -> str:
    """The word for a form's decision code; a step without a known decision was simply done."""
    return DECISION_WORDS.get(str(decision), DECISION_DONE) if decision else DECISION_DONE


# a case's title, by definition key, as people name it ("王晓梅的辞职申请"); `{name}` is the worker's name
CASE_TITLE_PATTERNS = {"resignation": "{name}的辞职申请", "secondment": "{name}的借调申请", "dismissal": "对{name}的辞退"}


def case_title(key: str, process_name: str, data: dict | None, worker_name: str | None) -> str:
    """The title people know a case by: whose request it is, or the campaign's own title; the
    process's name when neither is known."""
    data = data if isinstance(data, dict) else {}
    own = data.get("title")
    if key == "recruitment" and isinstance(own, str) and own.strip():
        return own.strip()[:200]
    pattern = CASE_TITLE_PATTERNS.get(key)
    if pattern and worker_name:
        return pattern.format(name=worker_name)[:200]
    return process_name


# what a case's data holds beside its forms (put there when it starts), as a case page labels it;
# a key not listed here nor in a form is bookkeeping and is not shown
CASE_DATA_WORDS = {
    "latest_end_date": "借调最迟结束日期", "leaving_on": "离职日期", "approval_variant": "审批部门",
    "basis": "辞退依据", "grounds": "辞退事由",
}
# the words for the codes such a key holds
CASE_VALUE_WORDS = {
    "approval_variant": {"social_work_dept": "区委社会工作部", "org_dept": "区委组织部"},
    # 劳动合同法 art. 39 (a fault ground: no notice, no severance) or art. 40 (no fault)
    "basis": {"fault": "过失性辞退（劳动合同法第三十九条）", "no_fault": "非过失性辞退（劳动合同法第四十条）"},
}
