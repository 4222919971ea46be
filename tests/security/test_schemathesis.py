"""Schemathesis against /api/openapi.json, in-process on the WSGI app: no generated request — valid,
malformed or hostile, with or without a token — gets a 5xx, and every 4xx is the error envelope.
Bounded (a few derandomized examples per operation, no deadline) so it runs in well under two
minutes, on SQLite and on PostgreSQL alike; everything it writes is rolled back with the test."""

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import PASSWORD
from tests.security.input_support import assert_envelope

EXAMPLES_PER_OPERATION = 20


def test_no_generated_request_gets_a_server_error(app, client, as_user):  # noqa: ANN001 - as_user: rollback
    token = client.post("/api/v1/tokens", json={"username": "admin", "password": PASSWORD}).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    errors: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case) -> None:  # noqa: ANN001
            for headers in (bearer, None):
                response = case.call(headers=headers)
                if response.status_code >= 500:
                    errors.append(f"{case.method} {case.formatted_path} {response.status_code}: "
                                  f"{response.text[:200]}")
                elif response.status_code >= 400 and not _is_envelope(response):
                    errors.append(f"{case.method} {case.formatted_path} {response.status_code} outside the "
                                  f"error envelope: {response.text[:200]}")

        check()
    assert operations > 40, "the OpenAPI document lost its operations"
    assert not errors, "\n".join(errors[:20])


def _is_envelope(response) -> bool:  # noqa: ANN001 - a schemathesis response
    try:
        assert_envelope(response)
    except AssertionError:
        return False
    return True
