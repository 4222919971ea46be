"""Backup and restore as docs/operations.md describes them: a pg_dump of a database with running and
finished cases, restored with pg_restore into a fresh database, passes `cwflow check` with no
difference and holds the same cases."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import is_postgres
from tests.helpers import start

ROOT = Path(__file__).resolve().parents[2]
CWFLOW = [sys.executable, "-c", "from cli.main import main; main()"]

pytestmark = [
    pytest.mark.committed,
    pytest.mark.skipif(not is_postgres() or not shutil.which("pg_dump") or not shutil.which("pg_restore"),
                       reason="needs CWFLOW_TEST_DATABASE_URL on PostgreSQL and pg_dump/pg_restore"),
]


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _sql(url: str, statement: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


def _cases(as_user) -> None:  # noqa: ANN001
    hr = as_user("hr_s01")
    for n in range(3):
        worker = hr.post("/api/v1/workers", json={"name": f"备份{n}", "org": "S01C01"}).get_json()
        response = start(hr, "resignation", "S01C01", {"worker_id": worker["id"], "reason": "个人原因",
                                                       "submitted_on": "2026-11-25"}, business_key=f"BK-{n}")
        assert response.status_code == 201, response.get_json()


@pytest.fixture
def restored_url(app):  # noqa: ANN001
    """A fresh database beside the suite's own, dropped afterwards."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    name = url.rsplit("/", 1)[1] + "_restored"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    _sql(admin, f'DROP DATABASE IF EXISTS "{name}"')
    _sql(admin, f'CREATE DATABASE "{name}"')
    yield url.rsplit("/", 1)[0] + f"/{name}"
    _sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_dump_restored_into_a_fresh_database_passes_the_consistency_check(app, as_user, restored_url, tmp_path):
    _cases(as_user)
    source = app.config["SQLALCHEMY_DATABASE_URI"]
    dump = tmp_path / "cwflow.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq(source)],
                   check=True, capture_output=True, timeout=300)
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(restored_url)}", str(dump)],
                   check=True, capture_output=True, timeout=300)

    env = {**os.environ, "CWFLOW_DATABASE_URL": restored_url, "CWFLOW_SECRET_KEY": "test-secret"}
    done = subprocess.run([*CWFLOW, "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 0, output
    assert output.endswith("0 difference(s)"), output

    counted = "SELECT status, count(*) FROM instances GROUP BY status ORDER BY status"
    assert _sql(restored_url, counted) == _sql(source, counted)
    assert dict(_sql(restored_url, counted)).get("running", 0) >= 3
    assert _sql(restored_url, "SELECT count(*) FROM tasks") == _sql(source, "SELECT count(*) FROM tasks")
