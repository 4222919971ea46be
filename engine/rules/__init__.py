"""Domain rules per process, reading policy from config; the process layer calls them by process key.

`check_start` runs before anything is created and may enrich the start data (the worker's
record); `check_completion` runs before a task's submission is applied, for rules that can only
be judged at that moment (the secondment quota at approval time; docs/api.md, "Rule refusals of the shipped processes");
`check_resubmission` judges a case its initiator corrected and submits again after a return.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from engine.core.scope import Actor
from engine.models import Instance, OrgUnit, TaskRow
from engine.rules import dismissal, recruitment, resignation, secondment
from engine.rules.casework import WorkerStart

StartRule = Callable[[Session, Actor, OrgUnit, dict[str, Any]], dict[str, Any]]
CompletionRule = Callable[[Session, Actor, TaskRow, dict[str, Any], dict[str, Any]], None]

START_RULES: dict[str, StartRule] = {"resignation": resignation.check_start}
START_RULES["recruitment"] = recruitment.check_start
START_RULES["secondment"] = secondment.check_start
START_RULES["dismissal"] = dismissal.check_start
COMPLETION_RULES: dict[str, CompletionRule] = {"resignation": resignation.check_completion}
COMPLETION_RULES["recruitment"] = recruitment.check_completion
COMPLETION_RULES["secondment"] = secondment.check_completion
COMPLETION_RULES["dismissal"] = dismissal.check_completion
ResubmissionRule = Callable[[Session, Instance, dict[str, Any]], dict[str, Any]]
# Rules that judge a case its initiator submits again after a return (退回发起人), on the corrected data.
RESUBMISSION_RULES: dict[str, ResubmissionRule] = {"secondment": secondment.check_resubmission}
# Roles other than the start event's lane that may start a process, with the rule that limits them.
EXTRA_STARTERS: dict[str, dict[str, Callable[[Actor, dict[str, Any]], bool]]] = {
    "resignation": {"worker": resignation.worker_starts_own},
    "recruitment": {"street_hr": recruitment.street_hr_starts},
}


# Cases about one worker: whom the start page offers and warns about, as the start rule judges.
WORKER_STARTS: dict[str, WorkerStart] = {"resignation": resignation.WORKER_START,
                                         "secondment": secondment.WORKER_START,
                                         "dismissal": dismissal.WORKER_START}
# Start-form fields whose offered values the rules narrow: {process key: {field: allowed values}}.
START_FIELD_VALUES: dict[str, dict[str, Callable[[], list[Any]]]] = {
    "secondment": {"borrowing_unit_level": secondment.borrower_levels},
}


def start_field_values(key: str) -> dict[str, list[Any]]:
    """For each narrowed field of `key`'s start form, the values its start rule can accept."""
    return {name: read() for name, read in START_FIELD_VALUES.get(key, {}).items()}


def check_start(key: str, session: Session, actor: Actor, org: OrgUnit, data: dict[str, Any]) -> dict[str, Any]:
    rule = START_RULES.get(key)
    return rule(session, actor, org, data) if rule else {}


def check_completion(key: str, session: Session, actor: Actor, row: TaskRow, case_data: dict[str, Any],
                     submitted: dict[str, Any]) -> None:
    rule = COMPLETION_RULES.get(key)
    if rule:
        rule(session, actor, row, case_data, submitted)


def check_resubmission(key: str, session: Session, instance: Instance, data: dict[str, Any]) -> dict[str, Any]:
    """What the rule adds to the corrected start data (like `check_start`), or a refusal."""
    rule = RESUBMISSION_RULES.get(key)
    return rule(session, instance, data) if rule else {}
