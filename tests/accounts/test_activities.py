"""Activities, next steps, SLA clocks and the lead flow (MQL → SAL → SQL, convert)."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Activity, Contact, LeadStatusChange, SlaClock
from accounts.queue.activities import activity_log, lead_convert, lead_status_move
from accounts.queue.leadflow import LeadMoveError, check_move, next_moves
from accounts.queue.selectors import sla_breaches
from accounts.queue.services import QueueError, sla_clocks_sync
from campaigns.models import EngagementEvent
from tests.accounts.queue_factories import member
from tests.factories import AccountFactory, ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_logging_a_call_on_the_account_page_records_engagement(client_for, workspace, sdr_user):
    # given
    account = AccountFactory(workspace=workspace, owner=sdr_user)
    person = ContactFactory(workspace=workspace, account=account)
    # when the SDR logs a connected call with the htmx form
    response = client_for(sdr_user).post(
        f"/accounts/{account.pk}/activities/",
        {"kind": "call", "outcome": "connected", "contact": person.pk, "note": "Talked budget"},
        HTTP_HX_REQUEST="true",
    )
    # then the panel comes back with the call, and the touch counts as engagement
    assert response.status_code == 200
    assert "Talked budget" in response.content.decode()
    activity = Activity.objects.get(account=account)
    event = EngagementEvent.objects.get(account=account)
    assert event.external_id == f"activity-{activity.pk}"
    assert event.channel == "sdr_outreach"
    assert event.kind == "sdr_call"
    assert event.contact == person
    assert event.weight == 4.0  # a call (2) that connected counts double


def test_logging_twice_never_double_counts_one_activity(workspace, sdr_user):
    from accounts.queue.activities import _engagement_record

    account = AccountFactory(workspace=workspace)
    activity = activity_log(
        workspace=workspace, account=account, user=sdr_user, kind="email", outcome="sent"
    )
    _engagement_record(workspace=workspace, activity=activity)  # a retried request
    assert EngagementEvent.objects.filter(external_id=f"activity-{activity.pk}").count() == 1


def test_a_note_is_kept_but_is_not_a_touch(workspace, sdr_user):
    account = AccountFactory(workspace=workspace)
    activity_log(
        workspace=workspace, account=account, user=sdr_user, kind="note", note="Uses a competitor"
    )
    assert Activity.objects.filter(kind="note").count() == 1
    assert EngagementEvent.objects.count() == 0
    with pytest.raises(QueueError):
        activity_log(workspace=workspace, account=account, user=sdr_user, kind="note", note=" ")


def test_outcome_must_fit_the_kind_and_person_must_be_at_the_account(
    client_for, workspace, sdr_user
):
    account = AccountFactory(workspace=workspace)
    elsewhere = ContactFactory(workspace=workspace)
    client = client_for(sdr_user)
    bad_outcome = client.post(
        f"/accounts/{account.pk}/activities/",
        {"kind": "email", "outcome": "held"},
        HTTP_HX_REQUEST="true",
    )
    assert "does not fit" in bad_outcome.content.decode()
    with pytest.raises(QueueError):
        activity_log(
            workspace=workspace,
            account=account,
            user=sdr_user,
            kind="call",
            contact_id=elsewhere.pk,
        )
    assert Activity.objects.count() == 0


def test_next_step_with_a_due_date_shows_in_the_queue_and_can_be_finished(
    client_for, workspace, sdr_user
):
    # given
    account = AccountFactory(workspace=workspace, owner=sdr_user)
    client = client_for(sdr_user)
    due = timezone.localdate() + dt.timedelta(days=2)
    # when
    client.post(
        f"/accounts/{account.pk}/activities/",
        {
            "kind": "email",
            "outcome": "sent",
            "next_step": "Call the CFO",
            "next_step_due": due.isoformat(),
        },
    )
    # then
    task = Activity.objects.get(kind="task")
    assert task.note == "Call the CFO"
    assert timezone.localtime(task.due_at).date() == due
    row = client.get("/queue/").context["rows"][0]
    assert row["account"].next_step_text == "Call the CFO"
    # and finishing it clears it from the queue
    client.post(f"/accounts/{account.pk}/tasks/{task.pk}/done/", HTTP_HX_REQUEST="true")
    task.refresh_from_db()
    assert task.done_at is not None
    assert client.get("/queue/").context["rows"][0]["account"].next_step_text is None


def test_activity_logging_roles(client_for, workspace, marketer_user, viewer_user):
    account = AccountFactory(workspace=workspace)
    data = {"kind": "email", "outcome": "sent"}
    assert (
        client_for(viewer_user).post(f"/accounts/{account.pk}/activities/", data).status_code == 403
    )
    assert (
        client_for(marketer_user).post(f"/accounts/{account.pk}/activities/", data).status_code
        == 302
    )
    assert Activity.objects.filter(user=marketer_user).count() == 1


def test_activity_on_another_workspaces_account_is_404(client_for, sdr_user, other_workspace):
    foreign = AccountFactory(workspace=other_workspace)
    response = client_for(sdr_user).post(f"/accounts/{foreign.pk}/activities/", {"kind": "call"})
    assert response.status_code == 404
    assert Activity.objects.count() == 0


def test_matched_lead_starts_an_sla_clock_that_the_first_touch_stops(workspace, sdr_user):
    # given a lead matched 30 hours ago to an SDR's account, with a 24-hour SLA
    now = timezone.now()
    account = AccountFactory(workspace=workspace, owner=sdr_user)
    lead = LeadFactory(
        workspace=workspace,
        account=account,
        match_status="auto",
        matched_at=now - dt.timedelta(hours=30),
    )
    # when clocks sync (twice: it must not double)
    assert sla_clocks_sync(workspace=workspace) == 1
    assert sla_clocks_sync(workspace=workspace) == 0
    clock = SlaClock.objects.get()
    # then it started at the match and is breached
    assert clock.contact == lead
    assert clock.due_at == lead.matched_at + dt.timedelta(hours=24)
    assert sla_breaches(workspace=workspace, owner_id=sdr_user.pk) == 1
    # and a late call stops it, still counted as a breach (answered late)
    activity_log(
        workspace=workspace, account=account, user=sdr_user, kind="call", outcome="no_answer"
    )
    clock.refresh_from_db()
    assert clock.touched_by == sdr_user
    assert sla_breaches(workspace=workspace) == 1


def test_touch_within_the_sla_is_not_a_breach_and_hours_are_configurable(workspace, sdr_user):
    workspace.settings = {"sla_hours": 4}
    workspace.save()
    now = timezone.now()
    account = AccountFactory(
        workspace=workspace,
        owner=sdr_user,
        stage="mqa",
        stage_changed_at=now - dt.timedelta(hours=1),
    )
    sla_clocks_sync(workspace=workspace)
    clock = SlaClock.objects.get(kind="mqa")
    assert clock.due_at == account.stage_changed_at + dt.timedelta(hours=4)
    activity_log(
        workspace=workspace, account=account, user=sdr_user, kind="linkedin", outcome="message_sent"
    )
    assert sla_breaches(workspace=workspace) == 0


def test_a_touch_logged_before_the_clock_synced_still_counts(workspace, sdr_user):
    now = timezone.now()
    account = AccountFactory(workspace=workspace, owner=sdr_user)
    LeadFactory(
        workspace=workspace,
        account=account,
        match_status="accepted",
        matched_at=now - dt.timedelta(hours=3),
    )
    Activity.objects.create(
        workspace=workspace,
        account=account,
        user=sdr_user,
        kind="email",
        at=now - dt.timedelta(hours=2),
    )
    sla_clocks_sync(workspace=workspace)
    clock = SlaClock.objects.get()
    assert clock.touched_at == now - dt.timedelta(hours=2)


def test_sla_breaches_filter_by_owner_and_date(workspace, sdr_user):
    other = member(workspace, "sdr")
    now = timezone.now()
    account = AccountFactory(workspace=workspace)
    for owner, days_ago in [(sdr_user, 1), (sdr_user, 10), (other, 1)]:
        due = now - dt.timedelta(days=days_ago)
        SlaClock.objects.create(
            workspace=workspace,
            account=AccountFactory(workspace=workspace),
            kind="mqa",
            owner=owner,
            started_at=due - dt.timedelta(hours=24),
            due_at=due,
        )
    SlaClock.objects.create(
        workspace=workspace,
        account=account,
        kind="mqa",
        owner=sdr_user,
        started_at=now,
        due_at=now + dt.timedelta(hours=24),
    )  # still running
    today = timezone.localdate()
    assert sla_breaches(workspace=workspace) == 3
    assert sla_breaches(workspace=workspace, owner_id=sdr_user.pk) == 2
    assert (
        sla_breaches(
            workspace=workspace, owner_id=sdr_user.pk, date_from=today - dt.timedelta(days=5)
        )
        == 1
    )
    assert sla_breaches(workspace=workspace, date_to=today - dt.timedelta(days=5)) == 1


def test_lead_moves_mql_to_sal_to_sql_with_history(client_for, workspace, sdr_user):
    # given
    account = AccountFactory(workspace=workspace, owner=sdr_user)
    lead = LeadFactory(workspace=workspace, account=account, lead_status="mql")
    client = client_for(sdr_user)
    # when accepted then qualified
    client.post(f"/accounts/{account.pk}/leads/{lead.pk}/move/", {"to_status": "sal"})
    client.post(f"/accounts/{account.pk}/leads/{lead.pk}/move/", {"to_status": "sql"})
    # then
    lead.refresh_from_db()
    assert lead.lead_status == "sql"
    assert lead.owner == sdr_user
    moves = list(
        LeadStatusChange.objects.filter(contact=lead)
        .order_by("at")
        .values_list("from_status", "to_status")
    )
    assert moves == [("mql", "sal"), ("sal", "sql")]


def test_rejecting_a_lead_needs_a_reason(client_for, workspace, sdr_user):
    account = AccountFactory(workspace=workspace, owner=sdr_user)
    lead = LeadFactory(workspace=workspace, account=account, lead_status="mql")
    with pytest.raises(LeadMoveError, match="reason"):
        lead_status_move(
            workspace=workspace, contact_id=lead.pk, to_status="disqualified", user=sdr_user
        )
    client_for(sdr_user).post(
        f"/accounts/{account.pk}/leads/{lead.pk}/move/",
        {"to_status": "disqualified", "reason": "Student project"},
    )
    lead.refresh_from_db()
    assert lead.lead_status == "disqualified"
    assert LeadStatusChange.objects.get(contact=lead).reason == "Student project"


def test_lead_flow_refuses_skipping_stages():
    with pytest.raises(LeadMoveError):
        check_move(from_status="mql", to_status="sql", reason="")
    assert next_moves("mql") == ["sal", "disqualified"]
    assert next_moves("sal") == ["sql", "mql", "disqualified"]


def test_converting_a_lead_makes_it_a_contact_of_its_matched_account(
    client_for, workspace, sdr_user
):
    # given
    account = AccountFactory(workspace=workspace, owner=sdr_user)
    lead = LeadFactory(workspace=workspace, account=account, match_status="auto", lead_status="sql")
    # when
    client_for(sdr_user).post(f"/accounts/{account.pk}/leads/{lead.pk}/convert/")
    # then
    lead.refresh_from_db()
    assert lead.is_lead is False
    assert lead.account == account
    assert lead.owner == sdr_user


def test_converting_uses_the_accepted_match_candidate_when_the_lead_has_no_account(
    workspace, sdr_user
):
    from matching.models import MatchCandidate

    account = AccountFactory(workspace=workspace)
    lead = LeadFactory(workspace=workspace, match_status="accepted")
    MatchCandidate.objects.create(
        workspace=workspace, contact=lead, account=account, score=0.97, decision="accepted"
    )
    contact = lead_convert(workspace=workspace, contact_id=lead.pk, user=sdr_user)
    assert contact.account == account
    unmatched = LeadFactory(workspace=workspace)
    with pytest.raises(QueueError, match="Match the lead"):
        lead_convert(workspace=workspace, contact_id=unmatched.pk, user=sdr_user)
    assert Contact.objects.get(pk=unmatched.pk).is_lead is True


def test_lead_actions_are_for_sdrs_and_admins_and_stay_in_the_workspace(
    client_for, workspace, marketer_user, sdr_user, other_workspace
):
    account = AccountFactory(workspace=workspace)
    lead = LeadFactory(workspace=workspace, account=account, lead_status="mql")
    assert (
        client_for(marketer_user)
        .post(f"/accounts/{account.pk}/leads/{lead.pk}/move/", {"to_status": "sal"})
        .status_code
        == 403
    )
    foreign_account = AccountFactory(workspace=other_workspace)
    foreign = LeadFactory(workspace=other_workspace, account=foreign_account, lead_status="mql")
    client = client_for(sdr_user)
    assert (
        client.post(
            f"/accounts/{foreign_account.pk}/leads/{foreign.pk}/move/", {"to_status": "sal"}
        ).status_code
        == 404
    )
    assert client.post(f"/accounts/{account.pk}/leads/{foreign.pk}/convert/").status_code == 404


def test_logging_a_touch_refreshes_the_accounts_engagement_score(
    workspace, sdr_user, django_capture_on_commit_callbacks
):
    from accounts.queue.optional import optional_function

    if optional_function("scoring.tasks.account_engagement_refresh") is None:
        pytest.skip("scoring has not landed")
    # given an account nobody has engaged with yet
    account = AccountFactory(workspace=workspace, owner=sdr_user, fit_score=70)
    person = ContactFactory(workspace=workspace, account=account)
    # when the SDR logs a meeting that was held (tasks run eagerly in tests)
    with django_capture_on_commit_callbacks(execute=True):
        activity_log(
            workspace=workspace,
            account=account,
            user=sdr_user,
            kind="meeting",
            outcome="held",
            contact_id=person.pk,
        )
    # then the account's engagement score moved right away
    account.refresh_from_db()
    assert account.engagement_score is not None
    assert account.engagement_score > 0


def test_sla_sync_task_starts_clocks_in_every_workspace_once(workspace, other_workspace):
    from accounts.queue.tasks import sla_clocks_sync_all

    now = timezone.now()
    for ws in (workspace, other_workspace):
        account = AccountFactory(workspace=ws)
        LeadFactory(workspace=ws, account=account, match_status="auto", matched_at=now)
    assert sla_clocks_sync_all.delay().get() == 2
    assert sla_clocks_sync_all.delay().get() == 0
    assert SlaClock.objects.for_workspace(other_workspace).count() == 1
