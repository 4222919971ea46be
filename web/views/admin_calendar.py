"""工作日历: a system administrator loads a year's official holiday arrangement (upload or paste the
JSON of engine/operations/calendar_file.py); loading recounts the pending dates of that year."""

from flask import render_template, request
from flask_babel import gettext as _

from engine.core import clock
from engine.core.errors import InvalidData
from engine.operations.calendar_file import parse_text
from engine.operations.calendar_load import load_year
from engine.reads.calendar_status import provisional_years_ahead, year_summary
from web.extensions import db
from web.views.admin_common import admin, bp

MAX_CALENDAR_BYTES = 64_000
EXAMPLE = ('{"year": 2027,\n "holidays": ["2027-01-01", "2027-02-05", "…"],\n'
           ' "workdays": ["2027-02-14", "…"]}')


def _years_shown() -> list[int]:
    this_year = clock.today().year
    asked = request.args.get("year", "")
    years = [this_year, this_year + 1]
    if asked.isdigit() and 1990 <= int(asked) <= 2100 and int(asked) not in years:
        years.append(int(asked))
    return years


def _page(*, errors: dict | None = None, report=None, text: str = "", status: int = 200):  # noqa: ANN001, ANN202
    summaries = [year_summary(db.session, year) for year in _years_shown()]
    return render_template("admin/calendar.html", summaries=summaries, errors=errors or {}, report=report,
                           text=text, example=EXAMPLE), status


@bp.get("/calendar")
def calendar_page():
    return _page()


@bp.post("/calendar")
def calendar_load():
    """Load the uploaded file, or else the pasted text; a refusal names the field and keeps the text."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        raw = upload.read(MAX_CALENDAR_BYTES + 1)
        if len(raw) > MAX_CALENDAR_BYTES:
            return _page(errors={"file": [_("文件超过 %(limit)s 字节", limit=MAX_CALENDAR_BYTES)]}, status=413)
        text = raw.decode("utf-8", errors="replace")
    else:
        text = request.form.get("text", "")
    if not text.strip():
        return _page(errors={"text": [_("请选择文件或粘贴该年度的放假安排")]}, status=422)
    try:
        report = load_year(db.session, admin(), parse_text(text))
    except InvalidData as exc:
        return _page(errors=exc.fields, text=text, status=422)
    return _page(report=report)


@bp.context_processor
def calendar_banner() -> dict:
    """`calendar_warnings()`: the provisional years every admin page's banner names, read only when
    a page renders (engine/reads/calendar_status.py)."""
    return {"calendar_warnings": lambda: provisional_years_ahead(db.session)}
