"""The /scoring/ pages: who may see them, tenant isolation, the live preview, training."""

import pytest

from scoring import services
from scoring.models import FitModel, IcpProfile
from tests.factories import AccountFactory, OpportunityFactory

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


def test_settings_reject_all_zero_weights(workspace, admin_client):
    data = {
        "weight_fit": 0,
        "weight_intent": 0,
        "weight_engagement": 0,
        "tier1_min": 75,
        "tier2_min": 50,
        "tier1_cap": 10,
        "mqa_fit_min": 60,
        "mqa_engagement_min": 40,
        "intent_half_life_days": 14,
        "engagement_half_life_days": 30,
        "trigger_half_life_days": 45,
        "surge_ratio": 1.5,
    }
    response = admin_client.post("/scoring/settings/", data)
    assert response.status_code == 400
    assert b"not all zero" in response.content
