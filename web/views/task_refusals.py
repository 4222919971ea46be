"""A rule refusal on the task page that names data the task's form does not hold.

A rule may judge the case's start data again when a step is decided (the secondment quota at an
approval names `start_date`). The approver has no such field to correct, so the page names it by the
title the start form gives it and says what the approver can do instead: decide against it on this
form, or send the case back to its initiator to change it (or, where the diagram allows no return
to the initiator, to the earlier step it does allow).
"""

from typing import Any

from flask_babel import gettext as _

from engine.models import Definition
from engine.workflow.definitions import start_form_name


def split_refusal(schema: dict[str, Any] | None, fields: dict[str, list[str]]
                  ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(errors of fields on this form, errors of fields it does not have)."""
    on_form = set((schema or {}).get("properties") or {})
    here = {k: v for k, v in fields.items() if k.split(".")[0] in on_form or k == "data"}
    return here, {k: v for k, v in fields.items() if k not in here}


def field_caption(definition: Definition, name: str) -> str:
    """What people call a case field: its title on the start form, else on any form of the process."""
    forms = definition.forms or {}
    ordered = [forms.get(start_form_name(definition.key)) or {}] + [f for f in forms.values() if isinstance(f, dict)]
    for form in ordered:
        prop = (form.get("properties") or {}).get(name.split(".")[0])
        if isinstance(prop, dict) and prop.get("title"):
            return prop["title"]
    return _("申请内容")


def outside_words(definition: Definition, schema: dict[str, Any] | None, outside: dict[str, list[str]],
                  return_targets: list[dict[str, Any]]) -> tuple[list[tuple[str, str]], str]:
    """The refused fields in words, and what the user can do on this step instead."""
    captions = {name: field_caption(definition, name) for name in outside}
    named = [(captions[name], message) for name, messages in outside.items() for message in messages]
    what = "、".join(dict.fromkeys(captions.values()))
    decision = ((schema or {}).get("properties") or {}).get("decision") or {}
    options = {o.get("const"): o.get("title") for o in decision.get("oneOf") or [] if isinstance(o, dict)}
    ways = []
    if options.get("reject"):
        ways.append(_("选择“%(option)s”", option=options["reject"]))
    steps = [t["title"] for t in return_targets if t.get("kind") != "initiator"]
    if options.get("return") or any(t.get("kind") == "initiator" for t in return_targets):
        ways.append(_("退回发起人调整%(what)s", what=what))
    elif steps:  # the diagram sends this step back only to earlier steps, whose holders can take it on
        ways.append(_("退回“%(steps)s”", steps="”或“".join(steps)))
    if not ways:
        return named, _("请联系发起人或上一环节的办理人处理%(what)s。", what=what)
    return named, _("可%(ways)s。", ways=_("，或").join(ways))
