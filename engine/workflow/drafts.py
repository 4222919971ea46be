"""What the browser editors work on before it runs: diagram drafts and the form library.

The form model (表单版本): the form library is the files in `forms/` (version 0) plus the versions
administrators save in the browser (1, 2, ...); the newest version of each form is what the next
deploy of a diagram that names it bundles. A deployed definition keeps its own copy of its forms,
so saving a form changes no deployed version and no running case.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bpmn.validation import Problem, form_schema_problem, validate_definition
from engine.bpmn.xmlsafe import XmlError, parse_xml
from engine.core import audit, clock
from engine.core.errors import InvalidData, NotFound
from engine.core.json_depth import MAX_JSON_DEPTH, json_depth
from engine.core.transaction import transactional
from engine.models import Definition, DiagramDraft, FormVersion
from engine.workflow import definitions
from engine.workflow.definitions import BPMN_NS, FORM_FILE, Upload, load_form_files

MAX_DIAGRAM_BYTES = 2_000_000
_CJK = re.compile(r"[\u3400-\u9fff]")


# --- the form library ------------------------------------------------------------------------

@dataclass
class LibraryForm:
    """The newest version of one form: from a file (version 0) or saved in the browser."""

    name: str
    schema: dict[str, Any]
    version: int
    edited_by: str | None = None
    edited_at: datetime | None = None
    in_folder: bool = False

    @property
    def title(self) -> str:
        title = self.schema.get("title") if isinstance(self.schema, dict) else None
        return title if isinstance(title, str) else ""


def form_library(session: Session, forms_dir: Path) -> dict[str, LibraryForm]:
    """Every form by file name: the files in `forms_dir`, overlaid by the newest saved version."""
    library = {name: LibraryForm(name, schema, 0, in_folder=True)
               for name, schema in load_form_files(forms_dir).items()}
    newest = (select(FormVersion.name, func.max(FormVersion.version).label("version"))
              .group_by(FormVersion.name).subquery())
    rows = session.scalars(select(FormVersion).join(
        newest, (FormVersion.name == newest.c.name) & (FormVersion.version == newest.c.version)))
    for row in rows:
        library[row.name] = LibraryForm(row.name, row.schema, row.version, row.created_by, row.created_at,
                                        in_folder=row.name in library)
    return dict(sorted(library.items()))


def library_schemas(session: Session, forms_dir: Path) -> dict[str, dict[str, Any]]:
    return {name: form.schema for name, form in form_library(session, forms_dir).items()}


def form_versions(session: Session, name: str) -> list[FormVersion]:
    return list(session.scalars(select(FormVersion).where(FormVersion.name == name)
                                .order_by(FormVersion.version.desc())))


def form_version(session: Session, name: str, version: int) -> FormVersion:
    row = session.scalar(select(FormVersion).where(FormVersion.name == name, FormVersion.version == version))
    if row is None:
        raise NotFound(f"表单 {name} 没有版本 {version}", code="form_not_found")
    return row


def check_form(schema: Any) -> tuple[list[str], list[str]]:
    """(errors, warnings) of a form schema. Errors block saving: it must be a Draft 2020-12 JSON
    Schema of an object. Warnings recommend Chinese titles, which staff see as labels."""
    problem = form_schema_problem(schema)
    if problem:
        return [f"表单 {problem}"], []
    warnings = []
    if not _CJK.search(str(schema.get("title", ""))):
        warnings.append("建议为表单设置中文标题（title）")
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, dict) and not _CJK.search(str(prop.get("title", ""))):
            warnings.append(f"字段 {name} 建议设置中文标题（title）")
    return [], warnings


@transactional
def save_form_version(session: Session, actor: str, name: str, schema: Any, *,
                      note: str = "") -> tuple[FormVersion, bool]:
    """Add version N+1 of form `name` (the first saved version is 1); returns (version, created).
    Saving what the newest saved version already holds adds nothing. Commits once."""
    if not FORM_FILE.match(name or ""):
        raise InvalidData("表单文件名有误", {"name": ["文件名为字母、数字、_ 或 -，以 .json 结尾"]})
    errors, _ = check_form(schema)
    if errors:
        raise InvalidData("表单有误", {"schema": errors})
    versions = form_versions(session, name)
    newest = versions[0] if versions else None
    if newest is not None and newest.schema == schema:
        return newest, False
    row = FormVersion(name=name, version=(newest.version + 1) if newest else 1, schema=schema,
                      note=note.strip()[:200], created_by=actor, created_at=clock.now())
    session.add(row)
    session.flush()
    audit.record(session, actor, "form_saved", detail={"name": name, "version": row.version})
    return row, True


def deployed_forms(session: Session, *, per_process: int = 5) -> list[tuple[str, int, int, list[str]]]:
    """(key, version, definition id, form names) of the newest deployed versions of each process."""
    rows = session.execute(select(Definition.id, Definition.key, Definition.version, Definition.forms)
                           .order_by(Definition.key, Definition.version.desc()))
    shown: dict[str, int] = {}
    result = []
    for id_, key, version, forms in rows:
        shown[key] = shown.get(key, 0) + 1
        if shown[key] <= per_process:
            result.append((key, version, id_, sorted(forms or {})))
    return result


# --- diagrams from the modeler ---------------------------------------------------------------

def _diagram_bytes(bpmn: str | bytes) -> bytes:
    data = bpmn.encode("utf-8") if isinstance(bpmn, str) else bytes(bpmn)
    if not data.strip():
        raise InvalidData("流程图为空", {"bpmn": ["请提供 BPMN 内容"]})
    return data


def _process_of(root: etree._Element) -> tuple[str | None, str | None]:
    """(id, name) of the executable process, or of the first process when none is executable."""
    processes = list(root.iterfind(f"{{{BPMN_NS}}}process"))
    chosen = next((p for p in processes if p.get("isExecutable", "false").lower() == "true"),
                  processes[0] if processes else None)
    return (chosen.get("id"), chosen.get("name")) if chosen is not None else (None, None)


def modeler_dmn(session: Session, bpmn: bytes, workflows_dir: Path) -> tuple[bytes, ...]:
    """Decision tables a modeler diagram may call: those shipped in `workflows_dir` and those the
    newest deployed version of the same process carries."""
    tables = [p.read_bytes() for p in sorted(workflows_dir.glob("*.dmn"))]
    try:
        key, _ = _process_of(parse_xml(bpmn, source="modeler"))
    except XmlError:
        key = None
    if key:
        latest = definitions.latest_definition(session, key, required=False)
        tables += [table.encode("utf-8") for table in (latest.dmn if latest else [])]
    return tuple(dict.fromkeys(tables))


def modeler_upload(session: Session, bpmn: str | bytes, *, forms_dir: Path, workflows_dir: Path,
                   source: str = "modeler") -> Upload:
    """The upload a diagram from the browser deploys as: the form library and the decision tables."""
    data = _diagram_bytes(bpmn)
    return Upload(data, modeler_dmn(session, data, workflows_dir), library_schemas(session, forms_dir), source=source)


def validate_diagram(session: Session, upload: Upload) -> list[Problem]:
    """Every problem of the diagram, exactly as deploying it would find them; changes nothing."""
    return validate_definition(upload.bpmn, upload.dmn, upload.forms or {}, source=upload.source)


@transactional
def save_draft(session: Session, actor: str, bpmn: str, *, draft_id: int | None = None, name: str = "",
               base_version: int | None = None) -> DiagramDraft:
    """Save (or overwrite) a draft. It is only checked to be safe, well-formed XML: a draft may be
    unfinished, the validator runs when it is deployed. Commits once."""
    data = _diagram_bytes(bpmn)
    if len(data) > MAX_DIAGRAM_BYTES:
        raise InvalidData("流程图太大", {"bpmn": [f"不超过 {MAX_DIAGRAM_BYTES} 字节"]})
    try:
        key, process_name = _process_of(parse_xml(data, source="draft"))
    except XmlError as exc:
        raise InvalidData("流程图不是安全、格式正确的 XML", {"bpmn": [exc.message]}, code=exc.code) from exc
    now = clock.now()
    draft = get_draft(session, draft_id) if draft_id else None
    if draft is None:
        draft = DiagramDraft(created_by=actor, created_at=now, base_version=base_version)
        session.add(draft)
    draft.name = (name.strip() or process_name or key or "未命名流程")[:200]
    draft.process_key = (key or "")[:64] or None
    draft.bpmn = data.decode("utf-8")
    draft.updated_by, draft.updated_at = actor, now
    session.flush()
    audit.record(session, actor, "draft_saved", detail={"draft_id": draft.id, "key": draft.process_key})
    return draft


def get_draft(session: Session, draft_id: int) -> DiagramDraft:
    draft = session.get(DiagramDraft, draft_id)
    if draft is None:
        raise NotFound("草稿不存在", code="draft_not_found")
    return draft


def list_drafts(session: Session, *, limit: int = 50) -> list[DiagramDraft]:
    return list(session.scalars(select(DiagramDraft).order_by(DiagramDraft.updated_at.desc()).limit(limit)))


@transactional
def delete_draft(session: Session, actor: str, draft_id: int) -> None:
    draft = get_draft(session, draft_id)
    session.delete(draft)
    audit.record(session, actor, "draft_deleted", detail={"draft_id": draft_id, "key": draft.process_key})


def problems_as_dicts(problems: list[Problem]) -> list[Mapping[str, Any]]:
    return [{"message": p.message, "element_id": p.element_id, "line": p.line, "code": p.code} for p in problems]


def parse_form_text(text: str) -> Any:
    """The JSON of a form as typed in the editor, or InvalidData saying where it breaks (or that it
    nests deeper than any form may)."""
    if json_depth(text.encode("utf-8", "surrogatepass")) > MAX_JSON_DEPTH:
        raise InvalidData(f"表单嵌套过深（最多 {MAX_JSON_DEPTH} 层）", {"schema": [f"嵌套过深：超过 {MAX_JSON_DEPTH} 层"]})
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"第 {exc.lineno} 行第 {exc.colno} 列：{json_error_text(exc.msg)}"
        raise InvalidData("不是有效的 JSON", {"schema": [where]}) from exc


# What Python's JSON reader says, as an administrator typing a form reads it.
_JSON_ERRORS = (
    ("Expecting ',' delimiter", "缺少逗号"),
    ("Expecting ':' delimiter", "缺少冒号"),
    ("Expecting property name enclosed in double quotes", "此处应为双引号括起的字段名（或多了一个逗号）"),
    ("Expecting value", "缺少值（或多了一个逗号）"),
    ("Unterminated string", "字符串缺少结尾的双引号"),
    ("Invalid control character", "字符串中有不能直接出现的控制字符（换行请写作 \\n）"),
    ("Invalid \\uXXXX escape", "无效的 \\uXXXX 转义"),
    ("Invalid \\escape", "无效的转义字符（反斜杠 \\ 须写作 \\\\）"),
    ("Extra data", "JSON 已结束，后面还有多余内容"),
    ("Illegal trailing comma", "末尾多了一个逗号"),
)


def json_error_text(message: str) -> str:
    """The reader's message in Chinese; one it has not said before is kept as it is."""
    return next((text for start, text in _JSON_ERRORS if message.startswith(start)), f"格式有误（{message}）")
