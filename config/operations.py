"""Settings of the everyday approval operations (退回, 撤回, 转办, 委派, 加签, 抄送, 催办, 时限, 通知).

Each mapping keyed by process has a "*" entry that holds for every process without its own.
A deployment overrides any value with CWFLOW_OPS_<NAME> (JSON) in the environment; code reads them
only through `ops_setting` and the helpers below.
"""

import json
import os
from typing import Any

OPS_DEFAULTS: dict[str, Any] = {
    # Withdraw (撤回): the initiator before anyone decided; an approver while the next step is untouched.
    "withdraw": {"*": {"initiator": True, "approver": True}},
    # Return (退回) to the initiator, who corrects the start data and submits again.
    "return_to_initiator": {"*": True},
    # Returns per case over its whole life (each one redoes steps; team default, like the diagrams' caps).
    "max_returns": {"*": 10},
    # Due dates for user tasks whose diagram gives none: {process: {task id: {"dueInWorkingDays": 5}}}.
    "task_due": {},
    # Reminder before a task falls due, in working days (team default), at this hour, China time.
    "remind_working_days_before": 1,
    "remind_hour": 9,
    # Escalation of an overdue task: the role told, per role of the task (the role's leader).
    "escalate_to": {
        "worker": "community_secretary",
        "community_secretary": "street_leader",
        "street_hr": "street_leader",
        "street_leader": "district_civil_affairs",
        "district_civil_affairs": "district_civil_affairs",
        "district_org_dept": "district_org_dept",
        "district_hrss": "district_hrss",
        "social_work_dept": "social_work_dept",
        "recruitment_panel": "district_civil_affairs",
    },
    # Urge (催办): at most once per task per user in this many hours.
    "urge_interval_hours": 4,
    # Attachments: size limit and accepted types (the request limit MAX_CONTENT_LENGTH is 4 MB).
    "attachment_max_bytes": 3 * 1024 * 1024,
    "attachment_types": {
        "application/pdf": [".pdf"],
        "image/jpeg": [".jpg", ".jpeg"],
        "image/png": [".png"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [".docx"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
        "text/plain": [".txt"],
    },
    # E-mail: a claimed message not confirmed sent after this many minutes (fractions allowed) is
    # taken as left by a sender that died and sent again; it must exceed one message's SMTP exchange.
    "email_claim_minutes": 2,
    "email_max_attempts": 5,
}


def ops_setting(name: str) -> Any:
    """The value in force: CWFLOW_OPS_<NAME> as JSON, else the default."""
    if name not in OPS_DEFAULTS:
        raise KeyError(f"unknown operations setting '{name}'")
    raw = os.environ.get(f"CWFLOW_OPS_{name.upper()}")
    return json.loads(raw) if raw is not None else OPS_DEFAULTS[name]


def for_process(name: str, process_key: str) -> Any:
    """A per-process setting: the process's own entry, else the "*" entry."""
    table = ops_setting(name)
    return table.get(process_key, table.get("*"))


def smtp_settings() -> dict[str, Any] | None:
    """CWFLOW_SMTP_HOST/PORT/FROM (and optional USER/PASSWORD/STARTTLS); None when mail is off."""
    host = os.environ.get("CWFLOW_SMTP_HOST")
    if not host:
        return None
    return {
        "host": host,
        "port": int(os.environ.get("CWFLOW_SMTP_PORT", "25")),
        "from": os.environ.get("CWFLOW_SMTP_FROM", "cwflow@localhost"),
        "user": os.environ.get("CWFLOW_SMTP_USER") or None,
        "password": os.environ.get("CWFLOW_SMTP_PASSWORD") or None,
        "starttls": os.environ.get("CWFLOW_SMTP_STARTTLS", "0") == "1",
        "timeout": float(os.environ.get("CWFLOW_SMTP_TIMEOUT", "10")),
    }
