from campaigns.models import Campaign
from tests.factories import CampaignFactory


def test_marketer_creates_a_campaign_through_the_api(client_for, marketer_user, workspace):
    response = client_for(marketer_user).post(
        "/api/v1/campaigns/",
        {
            "name": "ABM Q2",
            "kind": "one_to_few",
            "channels": ["email", "webinars"],
            "budget": "5000.00",
            "starts": "2026-04-01",
            "ends": "2026-06-30",
            "status": "active",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    campaign = Campaign.objects.for_workspace(workspace).get(name="ABM Q2")
    assert campaign.channels == ["email", "webinars"]


def test_an_unknown_channel_and_reversed_dates_are_refused(client_for, marketer_user):
    client = client_for(marketer_user)
    bad_channel = client.post(
        "/api/v1/campaigns/",
        {"name": "X", "channels": ["telepathy"]},
        content_type="application/json",
    )
    reversed_dates = client.post(
        "/api/v1/campaigns/",
        {"name": "Y", "starts": "2026-05-01", "ends": "2026-04-01"},
        content_type="application/json",
    )
    assert bad_channel.status_code == 400
    assert "channels" in bad_channel.json()["error"]["details"]
    assert reversed_dates.status_code == 400
    assert "ends" in reversed_dates.json()["error"]["details"]


def test_a_duplicate_name_is_a_400_not_a_500(client_for, marketer_user, workspace):
    CampaignFactory(workspace=workspace, name="Taken")
    response = client_for(marketer_user).post(
        "/api/v1/campaigns/", {"name": "Taken"}, content_type="application/json"
    )
    assert response.status_code == 400


def test_sdr_reads_but_cannot_write_campaigns(client_for, sdr_user, workspace):
    campaign = CampaignFactory(workspace=workspace)
    client = client_for(sdr_user)
    assert client.get("/api/v1/campaigns/").status_code == 200
    assert (
        client.patch(
            f"/api/v1/campaigns/{campaign.pk}/", {"name": "Z"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_another_workspaces_campaign_is_404(client_for, marketer_user, other_workspace):
    theirs = CampaignFactory(workspace=other_workspace)
    client = client_for(marketer_user)
    assert client.get(f"/api/v1/campaigns/{theirs.pk}/").status_code == 404
    assert client.delete(f"/api/v1/campaigns/{theirs.pk}/").status_code == 404
