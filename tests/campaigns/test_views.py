import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import AccountIpRange
from campaigns.models import Campaign, CampaignAccount, ContentAsset, Segment
from tests.factories import (
    AccountFactory,
    CampaignAccountFactory,
    CampaignFactory,
    EngagementEventFactory,
    OpportunityFactory,
)


def test_empty_campaign_list_says_what_to_do_next(client_for, marketer_user):
    response = client_for(marketer_user).get("/campaigns/")
    assert response.status_code == 200
    assert b"No campaigns yet" in response.content
    assert b"/campaigns/new/" in response.content


def test_marketer_creates_a_campaign_and_lands_on_its_page(client_for, marketer_user, workspace):
    response = client_for(marketer_user).post(
        "/campaigns/new/",
        {
            "name": "Q1 FinServ",
            "kind": "one_to_few",
            "status": "active",
            "channels": ["email", "events"],
            "budget": "12000",
            "starts": "2026-01-01",
            "ends": "2026-03-31",
        },
    )
    campaign = Campaign.objects.for_workspace(workspace).get(name="Q1 FinServ")
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    assert campaign.channels == ["email", "events"]
    assert campaign.owner == marketer_user
    page = client_for(marketer_user).get(response["Location"])
    assert page.status_code == 200
    assert b"Q1 FinServ" in page.content
    assert b"No target accounts yet" in page.content


def test_end_before_start_is_refused(client_for, marketer_user, workspace):
    response = client_for(marketer_user).post(
        "/campaigns/new/",
        {
            "name": "Bad",
            "kind": "one_to_one",
            "status": "draft",
            "starts": "2026-03-01",
            "ends": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert b"The end date is before the start date." in response.content
    assert not Campaign.objects.for_workspace(workspace).exists()


@pytest.mark.parametrize("role", ["sdr", "viewer"])
def test_sdr_and_viewer_read_campaigns_but_may_not_change_them(
    client_for, make_member, workspace, role
):
    campaign = CampaignFactory(workspace=workspace)
    account = AccountFactory(workspace=workspace)
    client = client_for(make_member(workspace, role))
    assert client.get("/campaigns/").status_code == 200
    page = client.get(f"/campaigns/{campaign.pk}/")
    assert page.status_code == 200
    assert b"Edit</a>" not in page.content
    for url, data in (
        ("/campaigns/new/", {"name": "X", "kind": "one_to_one", "status": "draft"}),
        (f"/campaigns/{campaign.pk}/edit/", {"name": "Y"}),
        (f"/campaigns/{campaign.pk}/delete/", {}),
        (f"/campaigns/{campaign.pk}/assets/", {"level": "director", "title": "Brief"}),
        ("/campaigns/segments/save/", {"name": "S"}),
        ("/campaigns/ip-ranges/", {"account": account.pk, "cidr": "10.0.0.0/24"}),
    ):
        assert client.post(url, data).status_code == 403, url
    assert Campaign.objects.for_workspace(workspace).count() == 1
    assert not ContentAsset.objects.exists()
    assert not Segment.objects.exists()
    assert not AccountIpRange.objects.exists()


def test_a_campaign_of_another_workspace_is_404(client_for, marketer_user, other_workspace):
    theirs = CampaignFactory(workspace=other_workspace)
    client = client_for(marketer_user)
    assert client.get(f"/campaigns/{theirs.pk}/").status_code == 404
    assert client.post(f"/campaigns/{theirs.pk}/delete/").status_code == 404
    assert Campaign.objects.filter(pk=theirs.pk).exists()


def test_saving_a_segment_and_adding_it_to_a_campaign(client_for, marketer_user, workspace):
    # given
    campaign = CampaignFactory(workspace=workspace)
    fits = AccountFactory(workspace=workspace, tier=1, fit_score=80, industry="Software")
    AccountFactory(workspace=workspace, tier=1, fit_score=40, industry="Software")
    AccountFactory(workspace=workspace, tier=2, fit_score=90, industry="Software")
    client = client_for(marketer_user)
    # when the marketer previews, then saves the segment into the campaign
    preview = client.get("/campaigns/segments/preview/", {"tiers": ["1"], "min_fit": "60"})
    response = client.post(
        "/campaigns/segments/save/",
        {"name": "Tier 1 fits", "tiers": ["1"], "min_fit": "60", "campaign": campaign.pk},
    )
    # then
    assert b'1</span> <span class="muted">account match' in preview.content
    assert response.status_code == 302
    segment = Segment.objects.for_workspace(workspace).get(name="Tier 1 fits")
    assert segment.filters == {"tiers": [1], "min_fit": 60.0}
    targets = CampaignAccount.objects.for_workspace(workspace).filter(campaign=campaign)
    assert list(targets.values_list("account_id", "source")) == [(fits.pk, "segment")]
    campaign.refresh_from_db()
    assert campaign.segment["name"] == "Tier 1 fits"
    listing = client.get("/campaigns/segments/")
    assert b"Tier 1 fits" in listing.content


def test_uploading_a_list_matches_domains_and_names(client_for, marketer_user, workspace):
    campaign = CampaignFactory(workspace=workspace)
    by_domain = AccountFactory(workspace=workspace, domain="initech.com")
    by_name = AccountFactory(
        workspace=workspace, name="Globex Corporation", normalized_name="globex"
    )
    csv = b"company,website\nSomething Else,https://www.initech.com/\nGlobex Corp.,\nNobody Inc,nobody.example\n"
    response = client_for(marketer_user).post(
        f"/campaigns/{campaign.pk}/targets/upload/",
        {"file": SimpleUploadedFile("list.csv", csv, content_type="text/csv")},
    )
    assert response.status_code == 302
    ids = set(CampaignAccount.objects.for_workspace(workspace).values_list("account_id", flat=True))
    assert ids == {by_domain.pk, by_name.pk}
    upload = campaign.uploads.get()
    assert (upload.rows, upload.matched) == (3, 2)
    assert upload.unmatched[0]["name"] == "Nobody Inc"


def test_campaign_page_shows_numbers_heat_map_and_model_choice(client_for, viewer_user, workspace):
    # given a campaign that touched an account which then opened a deal
    campaign = CampaignFactory(workspace=workspace, budget=1000, name="Webinar Series")
    account = AccountFactory(workspace=workspace, name="Initech")
    CampaignAccountFactory(workspace=workspace, campaign=campaign, account=account)
    today = timezone.localdate()
    EngagementEventFactory(
        workspace=workspace,
        account=account,
        campaign=campaign,
        kind="webinar_attended",
        weight=20,
        occurred_at=dt.datetime.combine(today - dt.timedelta(days=10), dt.time(12), tzinfo=dt.UTC),
    )
    OpportunityFactory(
        workspace=workspace,
        account=account,
        amount=50_000,
        created_date=today - dt.timedelta(days=5),
        is_closed=True,
        is_won=True,
        close_date=today - dt.timedelta(days=1),
    )
    # when
    response = client_for(viewer_user).get(f"/campaigns/{campaign.pk}/?model=first_touch")
    # then
    assert response.status_code == 200
    perf = response.context["perf"]
    assert (perf["targeted"], perf["reached"], perf["engaged"], perf["opportunities"]) == (
        1,
        1,
        1,
        1,
    )
    assert perf["pipeline"] == 50_000
    assert perf["won_revenue"] == 50_000
    assert perf["roi"] == 49.0
    assert perf["cost_per_engaged_account"] == 1000.0
    assert b'class="heatmap"' in response.content
    assert b"Initech" in response.content
    assert b"$50K" in response.content


def test_ip_ranges_page_adds_a_range_by_account_domain(client_for, marketer_user, workspace):
    account = AccountFactory(workspace=workspace, domain="initech.com")
    client = client_for(marketer_user)
    response = client.post(
        "/campaigns/ip-ranges/", {"account": "initech.com", "cidr": "203.0.113.9/24"}
    )
    assert response.status_code == 302
    ip_range = AccountIpRange.objects.for_workspace(workspace).get()
    assert (ip_range.account_id, ip_range.cidr) == (account.pk, "203.0.113.0/24")
    assert b"203.0.113.0/24" in client.get("/campaigns/ip-ranges/").content


def test_an_invalid_cidr_is_explained(client_for, marketer_user, workspace):
    AccountFactory(workspace=workspace, domain="initech.com")
    response = client_for(marketer_user).post(
        "/campaigns/ip-ranges/", {"account": "initech.com", "cidr": "not-an-ip"}
    )
    assert response.status_code == 200
    assert b"Enter a CIDR block" in response.content


def test_assets_are_grouped_by_committee_level(client_for, marketer_user, workspace):
    campaign = CampaignFactory(workspace=workspace)
    client = client_for(marketer_user)
    client.post(
        f"/campaigns/{campaign.pk}/assets/",
        {"level": "c_level_vp", "title": "Peer case study", "url": "https://example.com/case"},
    )
    page = client.get(f"/campaigns/{campaign.pk}/")
    groups = {g["level"]: [a.title for a in g["assets"]] for g in page.context["assets_by_level"]}
    assert groups["c_level_vp"] == ["Peer case study"]
    assert groups["director"] == []


def test_changing_a_weight_reweights_stored_touches_and_moves_journeys(
    client_for, marketer_user, workspace, django_capture_on_commit_callbacks
):
    # given one web visit (2 points: aware, not engaged)
    account = AccountFactory(workspace=workspace)
    event = EngagementEventFactory(workspace=workspace, account=account, kind="web_visit", weight=2)
    # when the marketer makes a visit worth 10 points
    from campaigns.weights import DEFAULT_EVENT_WEIGHTS

    data = dict(DEFAULT_EVENT_WEIGHTS)
    data["web_visit"] = 10
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(marketer_user).post("/campaigns/weights/", data)
    # then
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.settings["event_weights"] == {"web_visit": 10.0}
    event.refresh_from_db()
    account.refresh_from_db()
    assert event.weight == 10
    assert account.stage == "engaged"


def test_viewer_sees_weights_but_may_not_change_them(client_for, viewer_user, workspace):
    client = client_for(viewer_user)
    page = client.get("/campaigns/weights/")
    assert page.status_code == 200
    assert b"Save weights" not in page.content
    assert client.post("/campaigns/weights/", {"meeting": 1}).status_code == 403
