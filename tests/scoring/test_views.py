"""The /scoring/ pages: who may see them, tenant isolation, the live preview, training."""

import re

import pytest

from accounts.models import Account
from campaigns.services import journey_recompute, journey_rules
from scoring import services
from scoring.models import FitModel, IcpProfile
from tests.factories import (
    AccountFactory,
    ContactFactory,
    EngagementEventFactory,
    OpportunityFactory,
)

pytestmark = pytest.mark.django_db

ICP = [{"field": "industry", "op": "in", "values": ["Software"], "weight": 1}]


@pytest.mark.parametrize("role", ["sdr", "viewer"])
@pytest.mark.parametrize(
    "path", ["/scoring/", "/scoring/profiles/new/", "/scoring/models/", "/scoring/settings/"]
)
def test_sdrs_and_viewers_get_403(workspace, make_member, client_for, role, path):
    client = client_for(make_member(workspace, role))
    assert client.get(path).status_code == 403


def test_marketers_see_the_overview_and_every_page(workspace, marketer_user, client_for):
    AccountFactory(workspace=workspace, industry="Software")
    profile = services.icp_profile_create(workspace=workspace, name="Core", criteria=ICP)
    services.score_accounts(workspace=workspace)
    client = client_for(marketer_user)
    page = client.get("/scoring/")
    assert page.status_code == 200
    assert b"Priority distribution" in page.content
    assert b"Core" in page.content
    for path in (
        f"/scoring/profiles/{profile.pk}/",
        "/scoring/models/",
        "/scoring/settings/",
        f"/scoring/profiles/{profile.pk}/backtest/",
        "/scoring/profiles/new/",
    ):
        assert client.get(path).status_code == 200, path


def test_another_workspaces_profile_and_model_are_404(workspace, other_workspace, admin_client):
    theirs = services.icp_profile_create(workspace=other_workspace, name="Theirs", criteria=ICP)
    model = FitModel.objects.create(
        workspace=other_workspace, name="m", artifact=b"", trained_at="2026-01-01T00:00:00Z"
    )
    for path in (
        f"/scoring/profiles/{theirs.pk}/",
        f"/scoring/profiles/{theirs.pk}/backtest/",
        f"/scoring/models/{model.pk}/",
        f"/scoring/models/{model.pk}/backtest/",
    ):
        assert admin_client.get(path).status_code == 404, path
    assert admin_client.post(f"/scoring/profiles/{theirs.pk}/activate/").status_code == 404
    assert admin_client.post(f"/scoring/models/{model.pk}/activate/").status_code == 404


def test_the_live_preview_shows_tier_counts_before_saving(workspace, admin_client):
    AccountFactory(workspace=workspace, industry="Software")
    AccountFactory(workspace=workspace, industry="Retail")
    form = {"c-0-field": "industry", "c-0-op": "in", "c-0-values": "Software", "c-0-weight": "1"}
    response = admin_client.post("/scoring/profiles/preview/", form)
    assert response.status_code == 200
    assert response.context["preview"]["histogram"] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert response.context["preview"]["accounts"] == 2
    assert b"would change tier" in response.content
    assert not IcpProfile.objects.for_workspace(workspace).exists()


def test_the_preview_explains_invalid_rules(workspace, admin_client):
    form = {
        "c-0-field": "employees",
        "c-0-op": "between",
        "c-0-min": "500",
        "c-0-max": "10",
        "c-0-weight": "1",
    }
    response = admin_client.post("/scoring/profiles/preview/", form)
    assert b"minimum is above maximum" in response.content


def test_saving_the_editor_creates_then_versions_a_profile(workspace, admin_client):
    form = {
        "name": "Core ICP",
        "c-0-field": "industry",
        "c-0-values": "Software, Fintech",
        "c-0-weight": "30",
        "c-1-field": "",
        "c-1-weight": "10",
    }
    response = admin_client.post("/scoring/profiles/new/", form)
    profile = IcpProfile.objects.for_workspace(workspace).get()
    assert response.status_code == 302
    assert profile.is_active
    assert profile.criteria == [
        {"field": "industry", "op": "in", "weight": 30.0, "values": ["Software", "Fintech"]}
    ]
    form |= {"c-1-field": "country", "c-1-values": "US", "note": "add US"}
    admin_client.post(f"/scoring/profiles/{profile.pk}/", form)
    profile.refresh_from_db()
    assert profile.version == 2
    assert profile.versions.count() == 2


def test_training_without_enough_deals_says_how_many_are_needed(workspace, admin_client):
    OpportunityFactory(workspace=workspace, is_closed=True, is_won=True)
    response = admin_client.post("/scoring/models/", follow=True)
    text = response.content.decode()
    assert "needs at least 20 won and 20 lost accounts; you have 1 won and 0 lost" in text
    assert not FitModel.objects.for_workspace(workspace).exists()


SETTINGS = {
    "weight_fit": 0.5,
    "weight_intent": 0.25,
    "weight_engagement": 0.25,
    "tier1_share": 5,
    "tier2_share": 20,
    "tier1_cap": 10,
    "tier1_min": 0,
    "tier2_min": 0,
    "mqa_fit_min": 50,
    "mqa_points": 40,
    "mqa_min_contacts": 2,
    "intent_half_life_days": 14,
    "engagement_half_life_days": 30,
    "trigger_half_life_days": 45,
    "surge_ratio": 1.5,
}


def test_settings_reject_all_zero_weights(workspace, admin_client):
    data = {**SETTINGS, "weight_fit": 0, "weight_intent": 0, "weight_engagement": 0}
    response = admin_client.post("/scoring/settings/", data)
    assert response.status_code == 400
    assert b"not all zero" in response.content


def test_the_settings_page_edits_tier_shares_and_the_journey_mqa_rule(workspace, admin_client):
    data = {**SETTINGS, "tier1_share": 2, "tier2_cap": 300, "mqa_points": 55,
            "mqa_min_contacts": 3}  # fmt: skip
    response = admin_client.post("/scoring/settings/", data)
    assert response.status_code in (200, 302)
    settings = services.scoring_settings_get(workspace=workspace)
    assert (settings.tier1_share, settings.tier2_cap) == (2.0, 300)
    rules = journey_rules(workspace=workspace)
    assert (rules.mqa_points, rules.mqa_min_contacts, rules.mqa_min_fit) == (55.0, 3, 50.0)


def test_the_scoring_page_shows_as_many_mqa_accounts_as_the_journeys_hold(
    workspace, marketer_user, client_for
):
    # given three engaged accounts the old scoring rule (fit ≥ 60, engagement ≥ 40) and the
    # journey would judge differently
    services.icp_profile_create(workspace=workspace, name="Core", criteria=ICP)
    both = AccountFactory(workspace=workspace, industry="Software")  # 2 people, 60 points
    lone = AccountFactory(workspace=workspace, industry="Software")  # 1 person, 150 points
    poor = AccountFactory(workspace=workspace, industry="Retail")  # 3 people, fit 0
    for account, people, meetings in ((both, 2, 1), (lone, 1, 5), (poor, 3, 1)):
        for _ in range(people):
            contact = ContactFactory(workspace=workspace, account=account)
            for _ in range(meetings):
                EngagementEventFactory(workspace=workspace, account=account, contact=contact,
                                       kind="meeting", weight=30)  # fmt: skip
    # when the workspace is scored and its journeys recomputed
    services.score_accounts(workspace=workspace)
    journey_recompute(workspace=workspace)
    # then the page's MQA figure is the number of accounts at the MQA stage: only `both`
    page = client_for(marketer_user).get("/scoring/").content.decode()
    shown = re.search(r'kpi-value">(\d+)</div>\s*<div class="kpi-label">Marketing-qualified', page)
    assert shown is not None
    mqa = Account.objects.filter(workspace=workspace, stage="mqa")
    assert list(mqa) == [both]
    assert int(shown.group(1)) == mqa.count() == 1
    assert "MQA: " not in page  # no second MQA figure of another rule
