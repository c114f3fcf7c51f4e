"""Contract fuzzing: every documented operation, bounded examples, no 5xx and no off-schema answer."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from abm.services import api_token_create
from abm.wsgi import application

schema = schemathesis.from_wsgi("/api/schema/", application)


@pytest.fixture
def _keep_test_connection():
    """Like Django's test client: a WSGI call must not close the test transaction's connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_headers(workspace, admin_user, _keep_test_connection):
    _, raw = api_token_create(user=admin_user, workspace=workspace, name="fuzz")
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.django_db(transaction=False)
@schema.parametrize()
@settings(
    # FUZZ_EXAMPLES=500 to hunt for a failure; the suite keeps each operation to a few.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "8")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_never_errors_and_keeps_to_its_schema(case, api_headers):
    response = case.call_wsgi(headers=api_headers)
    case.validate_response(
        response,
        checks=(
            schemathesis.checks.not_a_server_error,
            schemathesis.checks.status_code_conformance,
            schemathesis.checks.content_type_conformance,
            schemathesis.checks.response_schema_conformance,
        ),
    )
