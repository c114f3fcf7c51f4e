"""My queue: ordering, why-now badges, filters in the URL, saved views, snoozes, roles, admins."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import AccountSnooze, SavedQueueView
from accounts.queue import selectors
from accounts.queue.services import (
    QueueError,
    account_snooze,
    accounts_reassign,
    saved_view_save,
)
from tests.accounts.queue_factories import member
from tests.factories import (
    AccountFactory,
    CampaignAccountFactory,
    EngagementEventFactory,
    LeadFactory,
)

pytestmark = pytest.mark.django_db


def _names(response):
    return [row["account"].name for row in response.context["rows"]]


def test_queue_lists_my_accounts_by_priority_and_hides_others(client_for, workspace, sdr_user):
    # given
    other_sdr = member(workspace, "sdr")
    AccountFactory(workspace=workspace, owner=sdr_user, name="Low", priority=20)
    AccountFactory(workspace=workspace, owner=sdr_user, name="Unscored", priority=None)
    AccountFactory(workspace=workspace, owner=sdr_user, name="High", priority=90)
    AccountFactory(workspace=workspace, owner=other_sdr, name="Someone else's", priority=99)
    AccountFactory(workspace=workspace, owner=None, name="Pool", priority=95)
    # when
    response = client_for(sdr_user).get("/queue/")
    # then
    assert response.status_code == 200
    assert _names(response) == ["High", "Low", "Unscored"]


def test_queue_is_for_sdrs_and_admins_only(
    client_for, sdr_user, admin_user, marketer_user, viewer_user
):
    assert client_for(sdr_user).get("/queue/").status_code == 200
    assert client_for(admin_user).get("/queue/").status_code == 200
    assert client_for(marketer_user).get("/queue/").status_code == 403
    assert client_for(viewer_user).get("/queue/").status_code == 403
    assert client_for(viewer_user).get("/queue/pool/").status_code == 403
    assert client_for(marketer_user).get("/queue/capacity/").status_code == 403


def test_why_now_badges_name_each_recent_reason(workspace, sdr_user):
    # given an account with fresh engagement, a newly matched lead and a stage change
    now = timezone.now()
    hot = AccountFactory(workspace=workspace, owner=sdr_user, stage="mqa", stage_changed_at=now)
    EngagementEventFactory(workspace=workspace, account=hot, occurred_at=now - dt.timedelta(days=2))
    LeadFactory(workspace=workspace, account=hot, match_status="auto", matched_at=now)
    # and one whose only engagement is old and whose only touch is our own outreach
    cold = AccountFactory(workspace=workspace, owner=sdr_user)
    EngagementEventFactory(
        workspace=workspace, account=cold, occurred_at=now - dt.timedelta(days=30)
    )
    EngagementEventFactory(
        workspace=workspace, account=cold, channel="sdr_outreach", occurred_at=now
    )
    # when
    badges = selectors.why_now_badges(workspace=workspace, account_ids=[hot.pk, cold.pk], now=now)
    # then
    assert {b.kind for b in badges[hot.pk]} == {"engagement", "leads", "stage"}
    assert "Now MQA" in [b.detail for b in badges[hot.pk] if b.kind == "stage"]
    assert badges.get(cold.pk, []) == []


def test_intent_surge_and_trigger_badges_when_scoring_has_landed(workspace):
    from accounts.queue.optional import optional_model

    signal = optional_model("scoring", "IntentSignal")
    trigger = optional_model("scoring", "TriggerEvent")
    if signal is None or trigger is None:
        pytest.skip("scoring tables not migrated yet")
    # given a steady baseline, then a burst this week on one topic
    now = timezone.now()
    account = AccountFactory(workspace=workspace)
    steady = AccountFactory(workspace=workspace)
    for week in range(1, 9):
        for acc in (account, steady):
            signal.objects.create(
                workspace=workspace,
                account=acc,
                topic="crm",
                strength=1.0,
                observed_at=now - dt.timedelta(days=7 * week + 1),
            )
    for _ in range(4):
        signal.objects.create(
            workspace=workspace,
            account=account,
            topic="data security",
            strength=1.0,
            observed_at=now - dt.timedelta(days=1),
        )
    signal.objects.create(
        workspace=workspace,
        account=steady,
        topic="crm",
        strength=1.0,
        observed_at=now - dt.timedelta(days=1),
    )
    trigger.objects.create(
        workspace=workspace,
        account=account,
        kind="funding",
        occurred_at=now - dt.timedelta(days=3),
        detail="Series C",
    )
    # when
    badges = selectors.why_now_badges(
        workspace=workspace, account_ids=[account.pk, steady.pk], now=now
    )
    # then
    kinds = {b.kind: b.detail for b in badges[account.pk]}
    assert "data security" in kinds["intent"]
    assert "Series C" in kinds["trigger"]
    assert badges.get(steady.pk, []) == []


def test_filters_stay_in_the_url_and_narrow_the_queue(client_for, workspace, sdr_user):
    # given
    AccountFactory(
        workspace=workspace,
        owner=sdr_user,
        name="DE fintech",
        country="DE",
        industry="Fintech",
        tier=1,
    )
    AccountFactory(
        workspace=workspace,
        owner=sdr_user,
        name="US fintech",
        country="US",
        industry="Fintech",
        tier=1,
    )
    AccountFactory(
        workspace=workspace,
        owner=sdr_user,
        name="DE retail",
        country="DE",
        industry="Retail",
        tier=2,
    )
    in_campaign = AccountFactory(
        workspace=workspace, owner=sdr_user, name="In campaign", country="FR", tier=3
    )
    link = CampaignAccountFactory(workspace=workspace, account=in_campaign)
    client = client_for(sdr_user)
    # when / then
    assert _names(client.get("/queue/?country=DE&industry=Fintech")) == ["DE fintech"]
    assert _names(client.get("/queue/?tier=2")) == ["DE retail"]
    assert _names(client.get(f"/queue/?campaign={link.campaign_id}")) == ["In campaign"]
    assert _names(client.get("/queue/?stage=customer")) == []
    page = client.get("/queue/?country=DE&industry=Fintech").content.decode()
    assert 'name="country" value="DE"' in page  # the save-view form carries the filters


def test_saved_view_reopens_the_same_filters(client_for, workspace, sdr_user):
    # given
    client = client_for(sdr_user)
    # when
    response = client.post(
        "/queue/views/", {"name": "Tier 1 DACH", "tier": "1", "country": "DE", "junk": "x"}
    )
    # then
    view = SavedQueueView.objects.get(user=sdr_user)
    assert view.filters == {"tier": "1", "country": "DE"}
    assert response.status_code == 302
    assert "tier=1" in response["Location"]
    assert "Tier 1 DACH" in client.get("/queue/").content.decode()
    # saving under the same name replaces the filters instead of duplicating the view
    saved_view_save(workspace=workspace, user=sdr_user, name="Tier 1 DACH", filters={"tier": "2"})
    assert SavedQueueView.objects.get(user=sdr_user).filters == {"tier": "2"}


def test_saved_views_are_personal(client_for, workspace, sdr_user):
    other = member(workspace, "sdr")
    view = saved_view_save(workspace=workspace, user=other, name="Mine", filters={"tier": "1"})
    client = client_for(sdr_user)
    assert "Mine" not in client.get("/queue/").content.decode()
    client.post(f"/queue/views/{view.pk}/delete/")
    assert SavedQueueView.objects.filter(pk=view.pk).exists()


def test_snoozed_account_leaves_my_queue_until_the_date(client_for, workspace, sdr_user):
    # given
    account = AccountFactory(workspace=workspace, owner=sdr_user, name="Later")
    AccountFactory(workspace=workspace, owner=sdr_user, name="Now")
    client = client_for(sdr_user)
    until = timezone.localdate() + dt.timedelta(days=3)
    # when
    response = client.post(f"/queue/snooze/{account.pk}/", {"until": until.isoformat()})
    # then
    assert response.status_code == 302
    assert _names(client.get("/queue/")) == ["Now"]
    assert _names(client.get("/queue/?snoozed=1")) == ["Later"]
    # and once the date comes, it is back
    AccountSnooze.objects.filter(account=account).update(until=timezone.localdate())
    assert sorted(_names(client.get("/queue/"))) == ["Later", "Now"]


def test_snooze_needs_a_future_date_and_is_per_user(workspace, sdr_user):
    account = AccountFactory(workspace=workspace, owner=sdr_user)
    with pytest.raises(QueueError):
        account_snooze(
            workspace=workspace, user=sdr_user, account_id=account.pk, until=timezone.localdate()
        )
    other = member(workspace, "admin")
    account_snooze(
        workspace=workspace,
        user=other,
        account_id=account.pk,
        until=timezone.localdate() + dt.timedelta(days=2),
    )
    queue = selectors.account_queue(
        workspace=workspace, owner_id=sdr_user.pk, filters={}, user=sdr_user
    )
    assert list(queue) == [account]


def test_unsnooze_brings_it_back(client_for, workspace, sdr_user):
    account = AccountFactory(workspace=workspace, owner=sdr_user)
    account_snooze(
        workspace=workspace,
        user=sdr_user,
        account_id=account.pk,
        until=timezone.localdate() + dt.timedelta(days=5),
    )
    client = client_for(sdr_user)
    client.post(f"/queue/unsnooze/{account.pk}/")
    assert _names(client.get("/queue/")) == [account.name]


def test_queue_shows_last_touch_next_step_and_sla_breach(client_for, workspace, sdr_user):
    from accounts.models import Activity, SlaClock

    # given
    now = timezone.now()
    account = AccountFactory(workspace=workspace, owner=sdr_user, name="Late one")
    Activity.objects.create(
        workspace=workspace,
        account=account,
        user=sdr_user,
        kind="call",
        at=now - dt.timedelta(days=3),
    )
    Activity.objects.create(
        workspace=workspace,
        account=account,
        user=sdr_user,
        kind="task",
        note="Send deck",
        at=now,
        due_at=now - dt.timedelta(hours=2),
    )
    SlaClock.objects.create(
        workspace=workspace,
        account=account,
        kind="mqa",
        owner=sdr_user,
        started_at=now - dt.timedelta(hours=30),
        due_at=now - dt.timedelta(hours=6),
    )
    # when
    response = client_for(sdr_user).get("/queue/")
    # then
    row = response.context["rows"][0]
    assert row["sla_breached"] is True
    assert row["next_step_overdue"] is True
    assert row["account"].next_step_text == "Send deck"
    assert row["account"].last_touch_at is not None
    html = response.content.decode()
    assert "Breached" in html
    assert "Send deck" in html
    assert response.context["summary"]["sla_open_breached"] == 1
    assert _names(client_for(sdr_user).get("/queue/?why=sla")) == ["Late one"]


def test_admin_sees_every_sdrs_queue_and_one_sdr_at_a_time(
    client_for, workspace, admin_user, sdr_user
):
    other = member(workspace, "sdr")
    AccountFactory(workspace=workspace, owner=sdr_user, name="A", priority=50)
    AccountFactory(workspace=workspace, owner=other, name="B", priority=60)
    AccountFactory(workspace=workspace, owner=None, name="Pool")
    client = client_for(admin_user)
    assert _names(client.get("/queue/")) == ["B", "A"]
    assert _names(client.get(f"/queue/?sdr={sdr_user.pk}")) == ["A"]


def test_admin_picking_an_sdr_of_another_workspace_gets_404(
    client_for, admin_user, other_workspace
):
    stranger = member(other_workspace, "sdr")
    assert client_for(admin_user).get(f"/queue/?sdr={stranger.pk}").status_code == 404


def test_admin_bulk_reassigns_and_sdrs_cannot(client_for, workspace, admin_user, sdr_user):
    # given
    other = member(workspace, "sdr")
    a1 = AccountFactory(workspace=workspace, owner=sdr_user)
    a2 = AccountFactory(workspace=workspace, owner=sdr_user)
    # when an SDR tries
    assert (
        client_for(sdr_user)
        .post("/queue/reassign/", {"account": [a1.pk], "owner": other.pk})
        .status_code
        == 403
    )
    # and the admin does
    response = client_for(admin_user).post(
        "/queue/reassign/", {"account": [a1.pk, a2.pk], "owner": other.pk}
    )
    # then
    assert response.status_code == 302
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert a1.owner == other
    assert a2.owner == other


def test_reassign_to_the_pool_and_refuses_outsiders(
    workspace, sdr_user, viewer_user, other_workspace
):
    account = AccountFactory(workspace=workspace, owner=sdr_user)
    foreign = AccountFactory(workspace=other_workspace, owner=None)
    with pytest.raises(QueueError):
        accounts_reassign(workspace=workspace, account_ids=[account.pk], owner_id=viewer_user.pk)
    assert (
        accounts_reassign(workspace=workspace, account_ids=[account.pk, foreign.pk], owner_id=None)
        == 1
    )
    account.refresh_from_db()
    assert account.owner is None


def test_queue_actions_on_another_workspaces_account_are_404(client_for, sdr_user, other_workspace):
    foreign = AccountFactory(workspace=other_workspace)
    client = client_for(sdr_user)
    until = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert client.post(f"/queue/snooze/{foreign.pk}/", {"until": until}).status_code == 404
    assert client.post(f"/queue/claim/{foreign.pk}/").status_code == 404
    assert client.post(f"/queue/release/{foreign.pk}/").status_code == 404


def test_empty_queue_points_to_the_pool(client_for, sdr_user):
    html = client_for(sdr_user).get("/queue/").content.decode()
    assert "Your queue is empty" in html
    assert "/queue/pool/" in html


def test_leads_tab_lists_open_leads_of_my_accounts(client_for, workspace, sdr_user):
    mine = AccountFactory(workspace=workspace, owner=sdr_user)
    theirs = AccountFactory(workspace=workspace, owner=member(workspace, "sdr"))
    LeadFactory(workspace=workspace, account=mine, lead_status="mql", first_name="Mia")
    LeadFactory(workspace=workspace, account=mine, lead_status="disqualified", first_name="Dan")
    LeadFactory(workspace=workspace, account=theirs, lead_status="mql", first_name="Tom")
    response = client_for(sdr_user).get("/queue/leads/")
    names = [c.first_name for c in response.context["page"].object_list]
    assert names == ["Mia"]


def test_queue_page_query_count_does_not_grow_with_rows(
    client_for, workspace, sdr_user, django_assert_max_num_queries
):
    now = timezone.now()
    for i in range(30):
        account = AccountFactory(
            workspace=workspace, owner=sdr_user, priority=i, stage_changed_at=now
        )
        EngagementEventFactory(workspace=workspace, account=account, occurred_at=now)
        LeadFactory(workspace=workspace, account=account, match_status="auto", matched_at=now)
    client = client_for(sdr_user)
    client.get("/queue/")  # first visit starts the SLA clocks
    with django_assert_max_num_queries(40):
        response = client.get("/queue/")
    assert len(response.context["rows"]) == 30
