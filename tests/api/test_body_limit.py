"""The JSON body limit: every write endpoint refuses an oversized body with 413, in the API's
error shape and as its schema documents, before reading it (abm.middleware.ApiBodyLimitMiddleware).

The endpoints come from the live OpenAPI schema, so a new write endpoint is covered the day it
is added.
"""

import json
import re

import pytest
import schemathesis
from django.conf import settings
from schemathesis.checks import response_schema_conformance, status_code_conformance

from abm.services import api_token_create
from abm.wsgi import application
from tests.api.test_schema_fuzz import _keep_test_connection  # noqa: F401 - fixture

schema = schemathesis.from_wsgi("/api/schema/", application)
WRITE_METHODS = {"POST", "PUT", "PATCH"}
WRITE_OPERATIONS = sorted(
    (op.method.upper(), op.path)
    for op in (result.ok() for result in schema.get_all_operations())
    if op.method.upper() in WRITE_METHODS
)


@pytest.fixture
def token_headers(workspace, admin_user, _keep_test_connection):  # noqa: F811
    _, raw = api_token_create(user=admin_user, workspace=workspace, name="limits")
    return {"Authorization": f"Bearer {raw}"}


def _media_type(method: str, path: str) -> str:
    content = schema[path][method].definition.raw.get("requestBody", {}).get("content", {})
    return (
        "application/json" if "application/json" in content or not content else next(iter(content))
    )


def _limit(media_type: str) -> int:
    """JSON bodies have the API's limit; an upload (multipart) has the import file limit."""
    if media_type.startswith("multipart/"):
        return settings.IMPORT_MAX_FILE_BYTES
    return settings.API_MAX_BODY_BYTES


def _case(method: str, path: str, *, body_bytes: int, media_type: str = "application/json"):
    """A body of at least `body_bytes` bytes (exactly, for JSON) for that operation."""
    params = dict.fromkeys(re.findall(r"{(\w+)}", path), 1)
    if media_type.startswith("multipart/"):
        body = {"file": "x" * body_bytes}
    else:
        shell = len(json.dumps({"padding": ""}))  # serialised as schemathesis sends it
        body = {"padding": "x" * (body_bytes - shell)}
    return schema[path][method].make_case(path_parameters=params, body=body, media_type=media_type)


def test_the_schema_has_write_endpoints_to_check():
    assert len(WRITE_OPERATIONS) >= 10
    assert ("POST", "/api/v1/events") in WRITE_OPERATIONS


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"), [pytest.param(*op, id=" ".join(op)) for op in WRITE_OPERATIONS]
)
def test_an_oversized_body_is_413_in_the_api_error_shape(method, path, token_headers, settings):
    # given a body one byte over the limit (uploads: a small file limit, to keep this quick)
    settings.IMPORT_MAX_FILE_BYTES = 64 * 1024
    media_type = _media_type(method, path)
    limit = _limit(media_type)
    case = _case(method, path, body_bytes=limit + 1, media_type=media_type)
    # when
    response = case.call_wsgi(headers=token_headers)
    # then it is refused as too large, in the one error shape, as the schema documents
    assert response.status_code == 413
    error = response.json["error"]
    assert error["code"] == "payload_too_large"
    assert str(limit) in error["message"]
    case.validate_response(response, checks=(status_code_conformance, response_schema_conformance))


@pytest.mark.django_db
def test_a_body_at_the_limit_is_read(token_headers):
    # given a body of exactly the limit (not an event batch, so the API answers 400)
    case = _case("POST", "/api/v1/events", body_bytes=settings.API_MAX_BODY_BYTES)
    # when
    response = case.call_wsgi(headers=token_headers)
    # then it was read and judged on its content
    assert response.status_code == 400
    assert "events" in response.json["error"]["details"]
