"""A saved case's workflow, restored read-only from its state and its definition version."""

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy.orm import Session

from engine.bpmn.store import load_state
from engine.models import Definition, Instance
from engine.workflow.definitions import definition_version, parsed_definition


def definition_of(session: Session, instance: Instance) -> Definition:
    """The version the case runs on (cached: versions never change)."""
    return definition_version(session, instance.definition_id, key=instance.key, version=instance.version)


def restore(session: Session, instance: Instance, definition: Definition | None = None) -> BpmnWorkflow:
    """The case's workflow as last saved, with no script engine: for reading its tasks and data."""
    definition = definition or definition_of(session, instance)
    return load_state(instance.state, parsed_definition(definition), instance.state_format)
