import pytest
from django.conf import settings

from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(slug="acme", name="Acme Marketing")


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(slug="globex", name="Globex Marketing")


def _member(workspace, role):
    user = UserFactory(email=f"{role}@{workspace.slug}.example")
    MembershipFactory(user=user, workspace=workspace, role=role)
    return user


@pytest.fixture
def make_member():
    """make_member(workspace, role) -> a user with that role in that workspace."""
    return _member


@pytest.fixture
def admin_user(workspace):
    return _member(workspace, "admin")


@pytest.fixture
def marketer_user(workspace):
    return _member(workspace, "marketer")


@pytest.fixture
def sdr_user(workspace):
    return _member(workspace, "sdr")


@pytest.fixture
def viewer_user(workspace):
    return _member(workspace, "viewer")


@pytest.fixture
def client_for(client):
    """client_for(user) -> the test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


requires_postgres = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="needs PostgreSQL (DATABASE_URL)",
)


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Tasks run eagerly in tests unless a test is marked `integration` (a real worker in CI)."""
    from abm.celery import app

    eager = request.node.get_closest_marker("integration") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = previous


requires_worker = pytest.mark.skipif(
    not settings.REDIS_URL,
    reason="needs REDIS_URL and a running Celery worker (.ci/run starts one)",
)
