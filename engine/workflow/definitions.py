"""Deploying and finding definition versions, and the per-process cache of parsed specs.

A deployed version never changes: a new deploy adds version N+1, running instances keep theirs,
and new starts take the newest. Deploying the same bytes again is a no-op, so `workflows deploy`
can run on every start-up.
"""

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bpmn.parsing import ParsedDefinition, build_specs
from engine.bpmn.validation import Problem, validate_definition
from engine.bpmn.xmlsafe import parse_xml
from engine.core import audit, clock
from engine.core.errors import DomainError, NotFound
from engine.core.transaction import transactional
from engine.models import Definition

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
FORM_PROPERTY = "formJsonSchemaFilename"
FORM_FILE = re.compile(r"^[A-Za-z0-9_\-]+\.json$")


class DefinitionInvalid(DomainError):
    """The upload breaks the rules: every problem at once, each naming its element and line."""

    status = 422
    code = "definition_invalid"

    def __init__(self, problems: Sequence[Problem]):
        super().__init__(
            f"流程定义有 {len(problems)} 处问题", details={"problems": [asdict(p) for p in problems]}
        )
        self.problems = list(problems)


@dataclass(frozen=True)
class Upload:
    """A diagram with what it needs: its decision tables and the forms it names."""

    bpmn: bytes
    dmn: tuple[bytes, ...] = ()
    forms: Mapping[str, dict[str, Any]] | None = None
    source: str = "upload"


def start_form_name(key: str) -> str:
    return f"{key}_start.json"


def form_key(filename: str) -> str:
    """The data key a form's submission is stored under: its file name without `.json`."""
    return filename[:-5] if filename.endswith(".json") else filename


def referenced_forms(bpmn: bytes) -> set[str]:
    """File names of every form the diagram's tasks name."""
    tree = parse_xml(bpmn)
    xpath = f".//{{{SPIFF_NS}}}property[@name='{FORM_PROPERTY}']"
    return {el.get("value") for el in tree.iterfind(xpath) if el.get("value")}



def load_form_files(folder: Path) -> dict[str, dict[str, Any]]:
    """Every form file of a folder, by file name."""
    forms = {}
    for path in sorted(folder.glob("*.json")):
        forms[path.name] = json.loads(path.read_text(encoding="utf-8"))
    return forms


@transactional
def deploy(session: Session, upload: Upload, *, actor: str) -> tuple[Definition, bool]:
    """Validate and store a new version; returns (definition, created). Commits once."""
    available = dict(upload.forms or {})
    problems = validate_definition(upload.bpmn, upload.dmn, available, source=upload.source)
    if problems:
        raise DefinitionInvalid(problems)
    parsed = build_specs(upload.bpmn, upload.dmn, source=upload.source)
    key = parsed.process_id
    wanted = referenced_forms(upload.bpmn) | ({start_form_name(key)} & set(available))
    forms = {name: available[name] for name in sorted(wanted)}
    checksum = _checksum(upload.bpmn, upload.dmn, forms)
    # Bytes deployed before (as any version) are not deployed again: re-running `workflows
    # deploy` must not undo a newer version an administrator deployed from the browser.
    same = session.scalar(select(Definition).where(Definition.key == key, Definition.checksum == checksum)
                          .order_by(Definition.version.desc()).limit(1))
    if same is not None:
        return same, False
    latest = latest_definition(session, key, required=False)
    definition = Definition(
        key=key,
        version=(latest.version + 1) if latest else 1,
        name=parsed.name or key,
        bpmn=upload.bpmn,
        dmn=[d.decode("utf-8") for d in upload.dmn],
        forms=forms,
        checksum=checksum,
        deployed_by=actor,
        deployed_at=clock.now(),
    )
    session.add(definition)
    session.flush()
    audit.record(session, actor, "definition_deployed", detail={"key": key, "version": definition.version})
    return definition, True


def _checksum(bpmn: bytes, dmn: Sequence[bytes], forms: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(bpmn)
    for table in dmn:
        digest.update(table)
    digest.update(json.dumps(forms, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def latest_definition(session: Session, key: str, *, required: bool = True) -> Definition | None:
    definition = session.scalar(
        select(Definition).where(Definition.key == key).order_by(Definition.version.desc()).limit(1)
    )
    if definition is None and required:
        raise NotFound(f"流程 {key} 未部署", code="process_not_found")
    return definition


def latest_definitions(session: Session) -> list[Definition]:
    newest = (
        select(Definition.key, func.max(Definition.version).label("version"))
        .group_by(Definition.key)
        .subquery()
    )
    return list(session.scalars(
        select(Definition)
        .join(newest, (Definition.key == newest.c.key) & (Definition.version == newest.c.version))
        .order_by(Definition.key)
    ))


_VERSIONS: dict[int, Definition] = {}


def definition_version(session: Session, definition_id: int, *, key: str | None = None,
                       version: int | None = None, checksum: str | None = None) -> Definition:
    """A deployed version by id, from memory after the first read: versions never change, so
    the copy kept here (detached, fully loaded) is as good as the row on every later request.

    What the caller knows of the version (key, number, checksum) is checked against the copy: an
    id can come back for another definition after a rolled-back deploy, and then it is read again."""
    cached = _VERSIONS.get(definition_id)
    if cached is not None and _matches(cached, key, version, checksum):
        return cached
    definition = session.get(Definition, definition_id)
    if definition is None:
        raise NotFound(f"流程定义 {definition_id} 不存在", code="process_not_found")
    if len(_VERSIONS) > 512:
        _VERSIONS.clear()
    snapshot = Definition(**{c.key: getattr(definition, c.key) for c in Definition.__table__.columns})
    _VERSIONS[definition_id] = snapshot
    return snapshot


def _matches(definition: Definition, key: str | None, version: int | None, checksum: str | None) -> bool:
    return ((key is None or definition.key == key) and (version is None or definition.version == version)
            and (checksum is None or definition.checksum == checksum))


def parsed_definition(definition: Definition) -> ParsedDefinition:
    """The parsed spec of a version, parsed once per process (versions never change)."""
    return _parse_cached(definition.id, definition.checksum, definition.bpmn, tuple(definition.dmn))


@lru_cache(maxsize=256)
def _parse_cached(definition_id: int, checksum: str, bpmn: bytes, dmn: tuple[str, ...]) -> ParsedDefinition:
    return build_specs(bpmn, [d.encode("utf-8") for d in dmn], source=f"definition-{definition_id}")

