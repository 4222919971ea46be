"""Zip bombs through the Excel score import: who asks is checked before the upload is read, and
every .xlsx is bounded by its zip directory (entries, unpacked total, per-entry ratio) before
openpyxl opens it. The bombs are built here, small, and nothing is ever unpacked."""

import re
import time
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook

from engine.core import xlsx
from tests.processes.recruitment_support import Campaign, applicant

pytestmark = pytest.mark.registration_open
ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


def _workbook(rows: list[tuple]) -> bytes:
    book = Workbook()
    book.active.append(("报名号", "成绩"))
    for row in rows:
        book.active.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _with_entries(base: bytes, entries: dict[str, int]) -> bytes:
    """The workbook with extra deflated entries of zeros of the given unpacked sizes, written in
    1 MB pieces so the test never holds a large buffer."""
    buffer = BytesIO(base)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, size in entries.items():
            with archive.open(name, "w", force_zip64=size > 2**31) as entry:
                for start in range(0, size, MB):
                    entry.write(bytes(min(MB, size - start)))
    return buffer.getvalue()


def _to_written_exam(campaign: Campaign) -> str:
    apps = campaign.register([applicant(1, name="A1")])
    campaign.review_all(apps)
    campaign.tick("2026-09-12T00:00:01+08:00")
    campaign.close(campaign.civil, "close_qualification_review", {"confirmed": True}, "2026-09-12T11:00:00+08:00")
    return apps["A1"]["application_no"]


def _import(campaign: Campaign, client, content: bytes):  # noqa: ANN001, ANN202
    with campaign.at("2026-09-20T10:00:00+08:00"):
        return client.client.post(
            f"/api/v1/recruitments/{campaign.id}/scores/import?kind=written",
            data={"file": (BytesIO(content), "成绩.xlsx")}, content_type="multipart/form-data",
            headers={"Authorization": f"Bearer {client.token}"})


BOMBS = {
    "one entry of zeros, ratio about a thousand": {"xl/media/zeros.bin": 8 * MB},
    "a gigabyte declared in one entry": {"xl/media/giant.bin": 1024 * MB},
    "many entries under the ratio check adding up": {f"xl/media/part{i}.bin": 1000 * 1024 for i in range(70)},
    "more entries than any sheet has": {f"xl/media/e{i}.bin": 1 for i in range(600)},
}


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    """Built once: the gigabyte entry is deflated (not unpacked) here, in about a second."""
    base = _workbook([("ZP-1", 80)])
    return {name: _with_entries(base, entries) for name, entries in BOMBS.items()}


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_bomb_is_refused_with_413_naming_the_file_and_nothing_is_imported(campaign, bombs, name):
    content = bombs[name]
    assert len(content) < 4 * MB, "the bomb must fit the request limit to reach the import"
    _to_written_exam(campaign)
    started = time.monotonic()
    response = _import(campaign, campaign.panel, content)
    assert time.monotonic() - started < 3
    assert response.status_code == 413, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "archive_too_large"
    assert "Excel" in error["message"] and list(error["details"]["fields"]) == ["file"]
    assert all(a["scores"]["written"] is None for a in campaign.applications())


def test_each_bound_is_checked_from_the_directory_alone(bombs):
    for name in BOMBS:
        with pytest.raises(xlsx.ArchiveTooLarge):
            xlsx.check_archive(bombs[name])
    xlsx.check_archive(_workbook([("ZP-1", 80)]))  # an ordinary sheet passes


@pytest.mark.parametrize(("user", "status"), [("worker_s01c01", 404), ("hr_s01", 403), ("hr_s02", 403)])
def test_who_asks_is_checked_before_the_file_is_read(campaign, as_user, user, status):
    _to_written_exam(campaign)
    response = _import(campaign, as_user(user), b"not a workbook at all")
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] in ("recruitment_not_found", "not_allowed")


def test_only_the_bounded_opener_loads_a_workbook():
    """Every path that reads an uploaded .xlsx goes through engine.core.xlsx.open_workbook."""
    callers = [path.relative_to(ROOT).as_posix() for folder in ("engine", "web", "cli")
               for path in (ROOT / folder).rglob("*.py") if re.search(r"\bload_workbook\b", path.read_text())]
    assert callers == ["engine/core/xlsx.py"]
