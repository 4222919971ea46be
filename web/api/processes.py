"""Deployed process definitions: what can be started, with its start form."""

from flask_smorest import Blueprint

from engine.workflow.definitions import latest_definition, latest_definitions, start_form_name
from web.api.common import caller
from web.api.schemas import PageArgs, ProcessDetailSchema, ProcessSchema, page_schema
from web.extensions import db

PREFIX = "/processes"
blp = Blueprint("processes", __name__, description="流程定义 Process definitions")


@blp.route("")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(ProcessSchema, "ProcessPage"))
def list_processes(args: dict):
    caller()
    items = latest_definitions(db.session)
    page, per_page = args["page"], args["per_page"]
    return {"items": items[(page - 1) * per_page: page * per_page], "total": len(items), "page": page,
            "per_page": per_page}


@blp.route("/<string:key>")
@blp.response(200, ProcessDetailSchema)
def get_process(key: str):
    caller()
    definition = latest_definition(db.session, key)
    return {"key": definition.key, "name": definition.name, "version": definition.version,
            "deployed_at": definition.deployed_at, "deployed_by": definition.deployed_by,
            "start_form": definition.forms.get(start_form_name(key))}
