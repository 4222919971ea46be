"""The shipped definitions: validate one diagram file, or deploy a folder of them with its forms."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from engine.bpmn.validation import Problem, validate_definition
from engine.bpmn.xmlsafe import UnsafeXmlError
from engine.models import Definition
from engine.workflow.definitions import DefinitionInvalid, Upload, deploy, load_form_files


@dataclass
class FileOutcome:
    """What became of one diagram file: its definition (new or unchanged), or its problems."""

    name: str
    definition: Definition | None = None
    created: bool = False
    problems: list[str] = field(default_factory=list)


def validate_file(path: Path, forms_dir: Path) -> list[Problem]:
    """Every problem of a diagram file, with the forms of `forms_dir` and the DMN files beside it."""
    forms = load_form_files(forms_dir)
    dmn = [p.read_bytes() for p in sorted(path.parent.glob("*.dmn"))]
    return validate_definition(path.read_bytes(), dmn, forms, source=path.name)


def deploy_folder(session: Session, folder: Path, forms_dir: Path, files: Sequence[Path] | None = None, *,
                  actor: str = "cli") -> list[FileOutcome]:
    """Deploy `files` (default: every diagram in `folder`), each in its own transaction; a diagram
    deployed before with the same bytes stays as it is."""
    forms = load_form_files(forms_dir)
    dmn = tuple(p.read_bytes() for p in sorted(folder.glob("*.dmn")))
    outcomes = []
    for path in files or sorted(folder.glob("*.bpmn")):
        try:
            definition, created = deploy(session, Upload(path.read_bytes(), dmn, forms, source=path.name), actor=actor)
        except (DefinitionInvalid, UnsafeXmlError) as exc:
            outcomes.append(FileOutcome(path.name, problems=[str(p) for p in getattr(exc, "problems", [exc])]))
        else:
            outcomes.append(FileOutcome(path.name, definition, created))
    return outcomes
