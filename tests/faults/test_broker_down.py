"""The broker is down: pages keep serving and tell the user that background work is delayed.

The first tests run anywhere (SQLite, no Redis) by pointing the check at a port where nothing
listens, or at a socket that accepts and never answers; the last ones stop a real Redis server:
the fault tests' private one, which this process then uses as broker and cache.
"""

import socket
import time

import pytest
from django.conf import settings

from abm import health
from tests.faults.harness import redis_start, redis_stop

BANNER = "Background work is delayed"
PAGES = [
    "/",
    "/accounts/",
    "/queue/",
    "/imports/",
    "/matching/review/",
    "/campaigns/",
    "/scoring/",
    "/dashboards/executive/",
    "/settings/",
]


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def hung_broker_url():
    """A broker that accepts the connection and then never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


def test_pages_still_serve_and_show_the_banner_when_the_broker_is_unreachable(
    admin_client, settings
):
    # given a broker nobody answers at
    settings.CELERY_BROKER_URL = closed_port_url()
    for path in PAGES:
        # when an admin opens each page
        response = admin_client.get(path, follow=True)
        # then it serves, and says background work is delayed
        assert response.status_code == 200, path
        assert BANNER in response.content.decode(), path


def test_no_banner_when_work_runs_inline_without_a_broker(admin_client, settings):
    # given the laptop set-up: no Redis, tasks run eagerly
    settings.CELERY_BROKER_URL = "memory://"
    # when
    response = admin_client.get("/accounts/")
    # then
    assert response.status_code == 200
    assert BANNER not in response.content.decode()


def test_anonymous_pages_neither_check_the_broker_nor_show_the_banner(client, settings):
    settings.CELERY_BROKER_URL = closed_port_url()
    response = client.get("/login/")
    assert response.status_code == 200
    assert BANNER not in response.content.decode()
    assert health._answers == {}


def test_a_hung_broker_costs_a_page_one_short_timeout_and_then_nothing_while_cached(
    admin_client, settings, hung_broker_url, monkeypatch
):
    # given a broker that accepts connections but never answers
    settings.CELERY_BROKER_URL = hung_broker_url
    waits: list[float] = []
    real_ping = health._ping

    def timed_ping(url, *, timeout_s):
        started = time.monotonic()
        try:
            return real_ping(url, timeout_s=timeout_s)
        finally:
            waits.append(time.monotonic() - started)

    monkeypatch.setattr(health, "_ping", timed_ping)
    # when two pages are opened in a row
    first = admin_client.get("/accounts/")
    second = admin_client.get("/accounts/")
    # then both tell the user; the first waited one short timeout, the second not at all
    assert BANNER in first.content.decode()
    assert BANNER in second.content.decode()
    assert len(waits) == 1
    assert health.BROKER_CHECK_TIMEOUT_S * 0.9 <= waits[0] < health.BROKER_CHECK_TIMEOUT_S + 1.0


def test_the_answer_is_kept_for_a_few_seconds_then_asked_again(monkeypatch):
    # given a broker check that counts its pings
    pings = []
    monkeypatch.setattr(health, "_ping", lambda url, timeout_s: pings.append(url) or False)
    url = "redis://broker.invalid:6379/0"
    # when the banner asks three times within the cache window and once after it
    answers = [health.broker_reachable(url=url, now=t) for t in (100.0, 101.0, 105.0)]
    later = health.broker_reachable(url=url, now=100.0 + health.BROKER_CHECK_TTL_S + 0.1)
    # then the broker was pinged once per window
    assert answers == [False, False, False]
    assert later is False
    assert len(pings) == 2


# -- the real Redis stopped --------------------------------------------------------------------
def needs_redis(test):
    test = pytest.mark.integration(test)
    return pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a Redis server)")(
        test
    )


@pytest.mark.usefixtures("product_on_fault_redis", "redis_comes_back")
@needs_redis
def test_with_redis_stopped_every_page_serves_with_the_banner(admin_client):
    # given Redis is up: no banner
    assert BANNER not in admin_client.get("/accounts/").content.decode()
    health.forget_answers()
    # when Redis stops and an admin opens every page
    redis_stop()
    try:
        responses = {path: admin_client.get(path, follow=True) for path in PAGES}
    finally:
        redis_start()
    # then every page still serves and tells the user
    assert {p: r.status_code for p, r in responses.items()} == dict.fromkeys(PAGES, 200)
    assert [p for p, r in responses.items() if BANNER not in r.content.decode()] == []


@pytest.mark.usefixtures("product_on_fault_redis", "redis_comes_back")
@needs_redis
def test_with_redis_stopped_the_api_still_answers_reads(admin_client):
    # given Redis stops
    redis_stop()
    try:
        # when an API client lists accounts
        response = admin_client.get("/api/v1/accounts/")
    finally:
        redis_start()
    # then it answers; throttling must not turn a cache outage into a server error
    assert response.status_code == 200


@pytest.mark.usefixtures("product_on_fault_redis", "redis_comes_back")
@pytest.mark.django_db(transaction=True)
@needs_redis
def test_with_redis_stopped_starting_an_import_answers_and_says_work_is_delayed(
    admin_client, workspace, tmp_path
):
    # given a mapped import, ready to start
    from accounts.import_services import import_job_create
    from accounts.models import ImportJob

    export = tmp_path / "Contact.csv"
    export.write_text("Id,FirstName,LastName,Email\n0031,Ada,Lovelace,ada@example.com\n")
    job = import_job_create(workspace=workspace, kind="contacts", path=export)
    # when Redis is down and the admin presses "Import"
    redis_stop()
    try:
        response = admin_client.post(f"/imports/{job.pk}/start/", follow=True)
    finally:
        redis_start()
    # then the page answers, the job waits for a worker, and the admin is told why
    assert response.status_code == 200
    assert BANNER in response.content.decode()
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.QUEUED


def test_with_the_cache_and_the_broker_unreachable_every_page_serves_with_the_banner(
    admin_client, settings
):
    """What the Redis-stopped test below checks, without a Redis to stop: runs on SQLite too."""
    from abm import cache_guard
    from tests.dashboards.unreachable_cache import UNREACHABLE

    # given Redis is down: the broker does not answer and every cache call raises
    settings.CELERY_BROKER_URL = closed_port_url()
    settings.CACHES = UNREACHABLE
    settings.DASHBOARD_CACHE_SECONDS = 300
    cache_guard.forget_failures()
    try:
        # when an admin opens every page
        responses = {path: admin_client.get(path, follow=True) for path in PAGES}
    finally:
        cache_guard.forget_failures()
    # then every page still serves and tells the user
    assert {p: r.status_code for p, r in responses.items()} == dict.fromkeys(PAGES, 200)
    assert [p for p, r in responses.items() if BANNER not in r.content.decode()] == []
