import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client

from abm.services import api_token_create
from accounts.models import AccountDomain
from campaigns.models import EngagementEvent
from campaigns.services import ip_range_add
from tests.conftest import requires_postgres
from tests.factories import AccountFactory, CampaignFactory, ContactFactory

URL = "/api/v1/events"
WHEN = "2026-11-02T10:00:00Z"


def _event(external_id, **fields):
    return {"external_id": external_id, "kind": "web_visit", "occurred_at": WHEN, **fields}


def _post(client, events):
    return client.post(URL, {"events": events}, content_type="application/json")


@pytest.fixture
def api(marketer_user, workspace):
    _, raw = api_token_create(user=marketer_user, workspace=workspace, name="tracker")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_batch_reports_accepted_duplicates_and_rejected_per_event(api, workspace):
    # given
    account = AccountFactory(workspace=workspace, domain="initech.com")
    events = [
        _event("e1", domain="initech.com"),
        _event("e2", kind="meeting", account_id=account.pk),
        _event("e1", domain="initech.com"),  # repeated inside the batch
        _event("e3", kind="teleport", domain="initech.com"),
        _event("e4"),  # no identity at all
        {"external_id": "e5", "kind": "web_visit", "occurred_at": "yesterday", "domain": "x.com"},
    ]
    # when
    response = _post(api, events)
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"accepted", "duplicates", "rejected"}
    assert (body["accepted"], body["duplicates"]) == (2, 1)
    assert [r["index"] for r in body["rejected"]] == [3, 4, 5]
    assert "unknown kind" in body["rejected"][0]["reason"]
    assert "needs one of" in body["rejected"][1]["reason"]
    assert "occurred_at" in body["rejected"][2]["reason"]
    assert body["accepted"] + body["duplicates"] + len(body["rejected"]) == len(events)
    stored = EngagementEvent.objects.for_workspace(workspace)
    assert set(stored.values_list("external_id", "account_id")) == {
        ("e1", account.pk),
        ("e2", account.pk),
    }


def test_resending_a_batch_counts_every_event_as_a_duplicate(api, workspace):
    AccountFactory(workspace=workspace, domain="initech.com")
    batch = [_event(f"v{i}", domain="initech.com") for i in range(20)]
    first = _post(api, batch).json()
    second = _post(api, batch).json()
    assert (first["accepted"], first["duplicates"]) == (20, 0)
    assert (second["accepted"], second["duplicates"]) == (0, 20)
    assert EngagementEvent.objects.for_workspace(workspace).count() == 20


def test_the_same_external_id_in_two_workspaces_is_two_events(api, workspace, other_workspace):
    EngagementEvent.objects.create(
        workspace=other_workspace,
        kind="web_visit",
        occurred_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        external_id="x1",
    )
    AccountFactory(workspace=workspace, domain="initech.com")
    assert _post(api, [_event("x1", domain="initech.com")]).json()["accepted"] == 1


def test_an_account_id_of_another_workspace_is_rejected(api, workspace, other_workspace):
    theirs = AccountFactory(workspace=other_workspace)
    body = _post(api, [_event("a1", account_id=theirs.pk)]).json()
    assert body["accepted"] == 0
    assert body["rejected"] == [
        {"index": 0, "reason": f"account_id {theirs.pk} not found in this workspace"}
    ]
    assert not EngagementEvent.objects.filter(external_id="a1").exists()


def test_a_campaign_of_another_workspace_is_rejected(api, workspace, other_workspace):
    AccountFactory(workspace=workspace, domain="initech.com")
    theirs = CampaignFactory(workspace=other_workspace)
    body = _post(api, [_event("c1", domain="initech.com", campaign_id=theirs.pk)]).json()
    assert body["rejected"][0]["reason"] == f"campaign_id {theirs.pk} not found in this workspace"


def test_email_resolves_contact_and_its_account(api, workspace):
    contact = ContactFactory(workspace=workspace, email="ann@initech.com")
    body = _post(api, [_event("m1", kind="email_open", email="Ann@Initech.com")]).json()
    assert body["accepted"] == 1
    event = EngagementEvent.objects.for_workspace(workspace).get(external_id="m1")
    assert (event.contact_id, event.account_id) == (contact.pk, contact.account_id)
    assert (event.channel, event.weight) == ("email", 1.0)


def test_an_unknown_person_at_a_known_company_lands_on_the_company(api, workspace):
    account = AccountFactory(workspace=workspace, domain="initech.com")
    _post(api, [_event("m2", kind="form_fill", email="new.person@initech.com")])
    event = EngagementEvent.objects.for_workspace(workspace).get(external_id="m2")
    assert event.account_id == account.pk
    assert event.contact_id is None
    assert event.meta["email"] == "new.person@initech.com"  # kept for a later match


def test_free_mail_never_matches_a_company_by_domain(api, workspace):
    AccountFactory(workspace=workspace, domain="gmail.com")
    _post(api, [_event("g1", email="someone@gmail.com")])
    event = EngagementEvent.objects.for_workspace(workspace).get(external_id="g1")
    assert event.account_id is None  # stored, not dropped, but tied to no company


def test_an_extra_domain_resolves_to_its_account(api, workspace):
    account = AccountFactory(workspace=workspace, domain="initech.com")
    AccountDomain.objects.create(workspace=workspace, account=account, domain="initech.io")
    _post(api, [_event("d1", domain="https://www.initech.io/pricing")])
    assert (
        EngagementEvent.objects.for_workspace(workspace).get(external_id="d1").account_id
        == account.pk
    )


def test_a_web_visit_from_an_office_ip_range_counts_for_that_account(api, workspace):
    # given an ISP block and, inside it, the company's office block
    isp = AccountFactory(workspace=workspace, name="Big ISP")
    office = AccountFactory(workspace=workspace, name="Initech")
    ip_range_add(workspace=workspace, account=isp, cidr="203.0.0.0/16")
    ip_range_add(workspace=workspace, account=office, cidr="203.0.113.0/24")
    # when
    _post(
        api,
        [
            _event("ip1", ip="203.0.113.7"),
            _event("ip2", ip="203.0.5.9"),
            _event("ip3", ip="198.51.100.1"),
        ],
    )
    # then the narrowest block wins and an unknown address stays anonymous
    got = dict(
        EngagementEvent.objects.for_workspace(workspace).values_list("external_id", "account_id")
    )
    assert got == {"ip1": office.pk, "ip2": isp.pk, "ip3": None}


def test_ip_ranges_of_another_workspace_are_ignored(api, workspace, other_workspace):
    theirs = AccountFactory(workspace=other_workspace)
    ip_range_add(workspace=other_workspace, account=theirs, cidr="10.1.0.0/16")
    _post(api, [_event("ip9", ip="10.1.2.3")])
    assert (
        EngagementEvent.objects.for_workspace(workspace).get(external_id="ip9").account_id is None
    )


def test_more_than_a_thousand_events_is_refused_whole(api, workspace):
    response = _post(api, [_event(f"x{i}", domain="a.com") for i in range(1001)])
    assert response.status_code == 400
    assert "1,000" in str(response.json())
    assert not EngagementEvent.objects.exists()


def test_a_body_without_an_events_list_is_a_400(api):
    response = api.post(URL, {"event": []}, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["sdr", "viewer"])
def test_sdr_and_viewer_may_not_post_events(client_for, make_member, workspace, role):
    user = make_member(workspace, role)
    response = _post(client_for(user), [_event("r1", domain="a.com")])
    assert response.status_code == 403
    assert not EngagementEvent.objects.exists()


def test_session_auth_admin_may_post(client_for, admin_user, workspace):
    AccountFactory(workspace=workspace, domain="initech.com")
    response = _post(client_for(admin_user), [_event("s1", domain="initech.com")])
    assert response.json()["accepted"] == 1


def test_events_list_shows_only_my_workspace(client_for, viewer_user, workspace, other_workspace):
    mine = AccountFactory(workspace=workspace)
    theirs = AccountFactory(workspace=other_workspace)
    EngagementEvent.objects.create(
        workspace=workspace,
        account=mine,
        kind="web_visit",
        occurred_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        external_id="mine",
    )
    EngagementEvent.objects.create(
        workspace=other_workspace,
        account=theirs,
        kind="web_visit",
        occurred_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        external_id="theirs",
    )
    response = client_for(viewer_user).get("/api/v1/events/")
    assert response.status_code == 200
    assert [e["external_id"] for e in response.json()["results"]] == ["mine"]


def test_ingestion_moves_the_account_along_its_journey(
    api, workspace, django_capture_on_commit_callbacks
):
    # given an account nobody has touched
    account = AccountFactory(workspace=workspace, domain="initech.com")
    # when a meeting arrives (the refresh task runs after commit, eagerly in tests)
    with django_capture_on_commit_callbacks(execute=True):
        _post(api, [_event("j1", kind="meeting", domain="initech.com")])
    # then
    account.refresh_from_db()
    assert account.stage == "engaged"
    assert list(account.stage_transitions.values_list("to_stage", flat=True)) == [
        "target",
        "aware",
        "engaged",
    ]


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_resends_store_each_event_once_and_count_it_once(workspace, marketer_user):
    # given two clients sending the same 300 events at the same moment
    AccountFactory(workspace=workspace, domain="initech.com")
    _, raw = api_token_create(user=marketer_user, workspace=workspace, name="t")
    batch = [_event(f"cc{i}", domain="initech.com") for i in range(300)]
    results, barrier = [], threading.Barrier(2)

    def send():
        barrier.wait()
        results.append(_post(Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), batch).json())
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    assert sum(r["accepted"] for r in results) == 300
    assert sum(r["duplicates"] for r in results) == 300
    assert EngagementEvent.objects.filter(workspace=workspace).count() == 300


def test_a_failing_score_refresh_neither_fails_the_request_nor_stops_journeys(
    api, workspace, monkeypatch, django_capture_on_commit_callbacks
):
    # given scoring's refresh is broken
    def broken(**kwargs):
        raise RuntimeError("scoring bug")

    monkeypatch.setattr("campaigns.tasks._scoring_refresh", lambda: broken)
    account = AccountFactory(workspace=workspace, domain="initech.com")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(api, [_event("f1", kind="form_fill", domain="initech.com")])
    # then
    assert response.status_code == 200
    assert response.json()["accepted"] == 1
    account.refresh_from_db()
    assert account.stage == "engaged"


def test_scoring_refresh_is_called_once_per_account_of_the_batch(
    api, workspace, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(
        "campaigns.tasks._scoring_refresh",
        lambda: lambda *, workspace, account_id: calls.append((workspace.pk, account_id)),
    )
    one = AccountFactory(workspace=workspace, domain="one.com")
    two = AccountFactory(workspace=workspace, domain="two.com")
    events = [_event(f"b{i}", domain="one.com" if i % 2 else "two.com") for i in range(10)]
    with django_capture_on_commit_callbacks(execute=True):
        _post(api, events)
    assert sorted(calls) == sorted([(workspace.pk, one.pk), (workspace.pk, two.pk)])


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ({"kind": "web_visit", "occurred_at": WHEN, "domain": "a.com"}, "external_id is required"),
        (
            _event("z1", occurred_at="2999-01-01T00:00:00Z", domain="a.com"),
            "occurred_at is in the future",
        ),
        (_event("z2", domain="a.com", meta=["not", "an", "object"]), "meta must be a JSON object"),
        (
            _event("z3", domain="a.com", meta={"x": "a\u0000b"}),
            "meta must not contain NUL characters",
        ),
        (_event("z4", domain="a.com", meta={"x": "y" * 9000}), "meta is larger than 8192 bytes"),
        (_event("z5", email="not-an-address"), "email is not an email address"),
        (_event("z6", domain="localhost"), "domain is not a registrable domain"),
        (_event("z7", ip="999.1.1.1"), "ip is not an IP address"),
        (_event("z8", account_id="abc"), "account_id must be an integer"),
        (_event("z9", domain="a.com", channel="telepathy"), "unknown channel"),
        ("just a string", "event must be a JSON object"),
    ],
)
def test_each_invalid_event_is_rejected_with_its_reason(api, event, reason):
    body = _post(api, [event]).json()
    assert body["accepted"] == 0
    assert body["rejected"][0]["index"] == 0
    assert body["rejected"][0]["reason"].startswith(reason)


def test_a_time_without_zone_is_read_as_utc(api, workspace):
    AccountFactory(workspace=workspace, domain="a.com")
    _post(api, [_event("tz1", occurred_at="2026-11-02T10:00:00", domain="a.com")])
    event = EngagementEvent.objects.for_workspace(workspace).get(external_id="tz1")
    assert event.occurred_at == dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)
