"""A request whose connection is lost while its session is closed keeps the answer it built: the
close after a database restart must not turn it into a bare 500."""

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session


def test_a_session_that_cannot_roll_back_at_the_end_keeps_the_answer(as_user, monkeypatch):
    hr = as_user("hr_s01")
    original = Session.close
    failures = []

    def close_on_a_dead_connection(self):  # noqa: ANN001, ANN202
        if not failures:
            failures.append(True)
            raise OperationalError("ROLLBACK", {}, ConnectionError("server closed the connection unexpectedly"))
        return original(self)

    monkeypatch.setattr(Session, "close", close_on_a_dead_connection)
    response = hr.get("/api/v1/processes")
    assert response.status_code == 200 and failures == [True]
    monkeypatch.setattr(Session, "close", original)
    assert hr.get("/api/v1/processes").status_code == 200  # the next request works as usual
