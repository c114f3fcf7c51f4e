"""The account page: the whole picture of one account, for every role, inside one workspace."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.queue.committee import Member, committee_coverage
from scoring.services import reason_set_get_or_create
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    CampaignAccountFactory,
    ContactFactory,
    EngagementEventFactory,
    LeadFactory,
    MembershipFactory,
    OpportunityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_account(workspace, sdr_user):
    now = timezone.now()
    account = AccountFactory(
        workspace=workspace,
        owner=sdr_user,
        name="Globex Industrial",
        industry="Manufacturing",
        employees=4200,
        country="DE",
        city="Munich",
        technologies=["Salesforce", "Snowflake"],
        fit_score=82,
        intent_score=64,
        engagement_score=40,
        priority=71,
        tier=1,
        stage="engaged",
        reason_set=reason_set_get_or_create(
            workspace=workspace,
            reasons={
                "fit": [
                    {"text": "Industry is Manufacturing", "status": "met", "points": 20, "max": 20},
                    {"text": "Runs SAP", "status": "missed", "points": 0, "max": 10},
                ],
                "intent": ["Surging on predictive maintenance against its own baseline"],
                "why_now": "Funding round last week and 3 new people engaging",
                "mqa": False,
            },
        ),
    )
    cfo = ContactFactory(
        workspace=workspace,
        account=account,
        first_name="Clara",
        last_name="Finance",
        seniority="c_level_vp",
        buying_role="decision_maker",
        title="CFO",
    )
    ContactFactory(
        workspace=workspace,
        account=account,
        first_name="Dirk",
        last_name="Ops",
        seniority="director",
        buying_role="influencer",
        title="Director of Operations",
    )
    ContactFactory(
        workspace=workspace,
        account=account,
        first_name="Pia",
        last_name="Plant",
        seniority="practitioner",
        buying_role="user",
        title="Plant engineer",
    )
    link = CampaignAccountFactory(
        workspace=workspace, account=account, campaign__name="Smart factory 1:few"
    )
    EngagementEventFactory(
        workspace=workspace,
        account=account,
        contact=cfo,
        campaign=link.campaign,
        kind="email_click",
        channel="email",
        occurred_at=now - dt.timedelta(days=2),
    )
    OpportunityFactory(
        workspace=workspace, account=account, name="Globex predictive pilot", amount=120_000
    )
    ActivityFactory(
        workspace=workspace,
        account=account,
        user=sdr_user,
        kind="meeting",
        outcome="held",
        note="Discovery with the CFO",
    )
    LeadFactory(
        workspace=workspace,
        account=account,
        first_name="Lena",
        last_name="Lead",
        match_status="auto",
        matched_at=now,
        lead_status="mql",
    )
    return account


def test_account_page_shows_the_whole_picture(client_for, sdr_user, full_account):
    # when
    response = client_for(sdr_user).get(f"/accounts/{full_account.pk}/")
    html = response.content.decode()
    # then every section is there with this account's data
    assert response.status_code == 200
    for text in [
        "Firmographics",
        "4,200",
        "Munich",  # firmographics
        "Snowflake",  # technographics
        "Industry is Manufacturing",
        "Runs SAP",
        "Surging on predictive maintenance",  # reasons
        "Funding round last week",  # why now from scoring
        "Buying committee",
        "Clara Finance",
        "No Director engaged",  # committee and its gap
        "Discovery with the CFO",  # activities
        "Email click",
        "Smart factory 1:few",  # engagement timeline and campaigns
        "Globex predictive pilot",  # opportunities
        "Lena Lead",
        "Accept",  # matched leads and the lead flow
    ]:
        assert text in html, text
    assert response.context["committee"].engaged_people == 1


def test_every_role_can_read_the_account_page_but_only_some_log(
    client_for, full_account, viewer_user, marketer_user
):
    viewer_page = client_for(viewer_user).get(f"/accounts/{full_account.pk}/")
    assert viewer_page.status_code == 200
    assert 'id="log"' not in viewer_page.content.decode()
    assert "Convert" not in viewer_page.content.decode()
    marketer_page = client_for(marketer_user).get(f"/accounts/{full_account.pk}/")
    assert 'id="log"' in marketer_page.content.decode()


def test_another_workspaces_account_is_404(client_for, sdr_user, other_workspace):
    foreign = AccountFactory(workspace=other_workspace)
    assert client_for(sdr_user).get(f"/accounts/{foreign.pk}/").status_code == 404


def test_score_trend_is_charted_from_snapshots(client_for, workspace, sdr_user, full_account):
    from accounts.queue.optional import optional_model

    snapshot = optional_model("scoring", "ScoreSnapshot")
    if snapshot is None:
        pytest.skip("scoring tables not migrated yet")
    now = timezone.now()
    for days, priority in [(14, 55.0), (7, 63.0), (0, 71.0)]:
        snapshot.objects.create(
            workspace=workspace,
            account=full_account,
            fit=82,
            intent=60,
            engagement=30,
            priority=priority,
            at=now - dt.timedelta(days=days),
        )
    response = client_for(sdr_user).get(f"/accounts/{full_account.pk}/")
    chart = response.context["scores"]["chart"]
    priority_line = next(d for d in chart["data"]["datasets"] if d["label"] == "Priority")
    assert priority_line["data"] == [55.0, 63.0, 71.0]
    assert 'data-chart="score-trend-config"' in response.content.decode()
    priority_card = next(c for c in response.context["scores"]["cards"] if c["key"] == "priority")
    assert priority_card["delta"] == pytest.approx(71 - 63)


def test_unscored_account_page_explains_what_is_missing(client_for, workspace, sdr_user):
    account = AccountFactory(workspace=workspace)
    html = client_for(sdr_user).get(f"/accounts/{account.pk}/").content.decode()
    assert "Not scored yet" in html
    assert "No engagement recorded yet" in html
    assert "No C-level / VP engaged" in html


def test_account_page_query_count_stays_flat(
    client_for, workspace, sdr_user, full_account, django_assert_max_num_queries
):
    for i in range(20):
        ContactFactory(
            workspace=workspace, account=full_account, seniority="director", first_name=f"D{i}"
        )
        EngagementEventFactory(workspace=workspace, account=full_account)
    client = client_for(sdr_user)
    with django_assert_max_num_queries(45):
        assert client.get(f"/accounts/{full_account.pk}/").status_code == 200


def _m(pk, level, role="", engaged=False):
    return Member(contact_id=pk, name=f"P{pk}", title="", level=level, role=role, engaged=engaged)


def test_committee_gaps_name_missing_levels_roles_and_blockers():
    coverage = committee_coverage(
        [
            _m(1, "c_level_vp", "decision_maker", engaged=True),
            _m(2, "director", "influencer", engaged=False),
            _m(3, "practitioner", "blocker", engaged=True),
            _m(4, "unknown"),
        ]
    )
    texts = [g.text for g in coverage.gaps]
    assert any(t.startswith("No Director engaged") for t in texts)
    assert not any(t.startswith("No C-level / VP engaged") for t in texts)
    assert "No champion identified" in texts
    assert "No decision maker identified" not in texts
    assert any(t.startswith("Blocker: P3") for t in texts)
    assert any(t.startswith("Only 2 people engaged") for t in texts)
    assert coverage.covered_levels == 2
    assert len(coverage.unknown_level) == 1
    director_row = coverage.levels[1]
    assert dict(director_row.by_role())["influencer"][0].contact_id == 2


def test_a_well_covered_committee_has_no_gaps():
    coverage = committee_coverage(
        [
            _m(1, "c_level_vp", "decision_maker", engaged=True),
            _m(2, "director", "champion", engaged=True),
            _m(3, "practitioner", "user", engaged=True),
        ]
    )
    assert coverage.gaps == []


def test_owner_can_release_and_anyone_in_the_queue_roles_can_claim_from_the_page(
    client_for, workspace, sdr_user
):
    account = AccountFactory(workspace=workspace, owner=sdr_user)
    client = client_for(sdr_user)
    assert "Release to pool" in client.get(f"/accounts/{account.pk}/").content.decode()
    client.post(f"/queue/release/{account.pk}/", {"next": f"/accounts/{account.pk}/"})
    account.refresh_from_db()
    assert account.owner is None
    assert "Claim account" in client.get(f"/accounts/{account.pk}/").content.decode()


def test_an_admin_reassigns_the_account_from_its_page_and_an_sdr_cannot(
    client_for, workspace, admin_user, sdr_user
):
    other_sdr = UserFactory(email="second.sdr@acme.example")
    MembershipFactory(user=other_sdr, workspace=workspace, role="sdr")
    account = AccountFactory(workspace=workspace, owner=sdr_user)
    admin = client_for(admin_user)
    page = admin.get(f"/accounts/{account.pk}/").content.decode()
    assert 'id="account-owner"' in page
    response = admin.post(
        "/queue/reassign/",
        {"account": account.pk, "owner": other_sdr.pk, "next": f"/accounts/{account.pk}/"},
    )
    assert response["Location"] == f"/accounts/{account.pk}/"
    account.refresh_from_db()
    assert account.owner == other_sdr
    sdr = client_for(other_sdr)
    assert 'id="account-owner"' not in sdr.get(f"/accounts/{account.pk}/").content.decode()
    assert sdr.post("/queue/reassign/", {"account": account.pk, "owner": ""}).status_code == 403
