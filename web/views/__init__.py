"""Browser pages: one blueprint per area, registered here (templates in web/templates/<area>/)."""

from flask import Flask

# Each area adds its module here; every module exposes `bp`, a flask.Blueprint.
VIEW_MODULES: tuple[str, ...] = ("admin", "pages", "inbox", "tasks", "start", "instances", "workers", "public")
VIEW_MODULES += ("ops_pages", "me_pages")  # approval operations; my notifications, copies and settings
VIEW_MODULES += ("recruitment_pages", "recruitment_scores", "recruitment_selection",  # the campaign workspace
                 "recruitment_publicity", "recruitment_hire")


def register_views(app: Flask) -> None:
    from importlib import import_module

    for name in VIEW_MODULES:
        app.register_blueprint(import_module(f"{__name__}.{name}").bp)
