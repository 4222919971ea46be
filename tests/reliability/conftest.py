"""The fault tests (test_fault_*) run against a real gunicorn server (2 workers) on PostgreSQL, in our
own database. SQLite hides these bugs (one writer at a time), so without PostgreSQL they are skipped.
"""

from pathlib import Path

import pytest

from tests.conftest import is_postgres

FIXTURES = ("bench_one_task", "bench_loop", "bench_timer")


def pytest_collection_modifyitems(config, items):  # noqa: ANN001
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason="fault tests need PostgreSQL and a multi-process server "
                                   "(set CWFLOW_TEST_DATABASE_URL; `make test` does on its second run)")
    for item in items:
        path = Path(str(item.fspath))
        if path.parent == here and path.name.startswith("test_fault_") and not is_postgres():
            item.add_marker(skip)


@pytest.fixture(scope="session")
def rel_db() -> str:
    from bench._server import fresh_database, prepare
    from tests.reliability.faults import rel_url

    url = rel_url()
    fresh_database(url)
    prepare(url, FIXTURES)
    return url


@pytest.fixture(scope="session")
def server(rel_db: str, tmp_path_factory: pytest.TempPathFactory):
    """(port, gunicorn master process, database URL); the log is kept for failures."""
    from bench._server import gunicorn

    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with gunicorn(rel_db, workers=2, prepared=True, log_path=log) as (port, proc):
        yield port, proc, rel_db
