import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from abm.models import Membership
from accounts.models import Account, Contact, Opportunity
from campaigns.models import Campaign, EngagementEvent


def _counts():
    return {
        "accounts": Account.objects.count(),
        "contacts": Contact.objects.count(),
        "opportunities": Opportunity.objects.count(),
        "events": EngagementEvent.objects.count(),
        "members": Membership.objects.count(),
    }


def test_seed_demo_builds_a_usable_workspace_and_running_it_twice_doubles_nothing(
    db, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    # when
    out = StringIO()
    call_command("seed_demo", accounts=60, seed=3, stdout=out)
    first = _counts()
    call_command("seed_demo", accounts=60, seed=3, stdout=StringIO())
    second = _counts()
    # then
    assert first == second
    assert first["accounts"] == 60
    assert first["contacts"] > 60
    assert first["opportunities"] > 0
    assert first["events"] > 0
    roles = set(Membership.objects.filter(workspace__slug="demo").values_list("role", flat=True))
    assert roles == {"admin", "marketer", "sdr", "viewer"}
    assert Membership.objects.filter(workspace__slug="demo", role="sdr").count() >= 2
    campaigns = list(Campaign.objects.filter(workspace__slug="demo"))
    assert campaigns
    assert all(c.budget and c.starts and c.ends for c in campaigns)
    month_ago = timezone.localdate() - dt.timedelta(days=30)
    for campaign in campaigns:
        expected = "completed" if campaign.ends < month_ago else "active"
        assert campaign.status == expected, campaign.name
    printed = out.getvalue()
    assert "admin@demo.beacon.test" in printed
    assert "beacon-demo-2026" in printed


def test_demo_admin_can_open_every_page_of_the_seeded_demo(db, tmp_path, settings, client):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", accounts=40, seed=5, stdout=StringIO())
    response = client.post(
        "/login/", {"username": "admin@demo.beacon.test", "password": "beacon-demo-2026"}
    )
    assert response.status_code == 302
    account = Account.objects.first()
    for path in [
        "/queue/",
        "/accounts/",
        f"/accounts/{account.pk}/",
        "/matching/review/",
        "/imports/",
        "/campaigns/",
        "/scoring/",
        "/settings/",
        "/dashboards/executive/",
        "/dashboards/engagement/",
        "/dashboards/conversion/",
        "/dashboards/deal-size/",
        "/dashboards/campaigns/",
        "/dashboards/sdr-team/",
    ]:
        assert client.get(path).status_code == 200, path
