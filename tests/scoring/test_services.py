"""Scoring runs, incremental refreshes, profiles and models against the database."""

import contextlib
import datetime as dt

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from accounts.models import Account
from campaigns.models import StageTransition
from campaigns.services import journey_recompute
from scoring import pipeline, services
from scoring.models import FitModel, IcpProfileVersion, ScoreSnapshot, ScoringRun
from scoring.tasks import score_accounts as score_task
from tests.factories import (
    AccountFactory,
    ContactFactory,
    EngagementEventFactory,
    OpportunityFactory,
)
from tests.scoring.factories import IntentSignalFactory, TriggerEventFactory

pytestmark = pytest.mark.django_db

SOFTWARE_ICP = [
    {"field": "industry", "op": "in", "values": ["Software"], "weight": 60},
    {"field": "employees", "op": "between", "min": 200, "max": 5000, "weight": 40},
]


def _profile(workspace, criteria=SOFTWARE_ICP):
    return services.icp_profile_create(workspace=workspace, name="Core ICP", criteria=criteria)


def _mqa_account(workspace):
    """A software company of 1,000 with 60 points from two people, scored and journeyed:
    MQA under the default rule."""
    account = AccountFactory(workspace=workspace, industry="Software", employees=1000)
    for _ in range(2):
        contact = ContactFactory(workspace=workspace, account=account)
        EngagementEventFactory(
            workspace=workspace, account=account, contact=contact, kind="meeting", weight=30
        )
    _profile(workspace)
    services.score_accounts(workspace=workspace)
    journey_recompute(workspace=workspace)
    return account


def test_a_run_scores_every_account_and_explains_its_fit(workspace):
    # given
    good = AccountFactory(workspace=workspace, industry="Software", employees=1000)
    half = AccountFactory(workspace=workspace, industry="Retail", employees=1000)
    _profile(workspace)
    # when
    run = services.score_accounts(workspace=workspace)
    # then
    good.refresh_from_db()
    half.refresh_from_db()
    assert run.status == "done"
    assert run.counts["accounts"] == 2
    assert (good.fit_score, half.fit_score) == (100.0, 40.0)
    assert good.score_reasons["fit"][0] == {
        "text": "Industry in Software",
        "status": "met",
        "points": 60.0,
        "max": 60.0,
    }
    assert good.scored_at is not None


def test_snapshots_are_written_only_for_accounts_whose_scores_changed(workspace):
    a = AccountFactory(workspace=workspace, industry="Software", employees=1000)
    b = AccountFactory(workspace=workspace, industry="Retail", employees=10)
    _profile(workspace)
    services.score_accounts(workspace=workspace)
    assert ScoreSnapshot.objects.for_workspace(workspace).count() == 2
    # when: only b changes
    Account.objects.filter(pk=b.pk).update(industry="Software")
    run = services.score_accounts(workspace=workspace)
    # then
    assert run.counts["changed"] == 1
    assert list(
        ScoreSnapshot.objects.for_workspace(workspace)
        .filter(account=b)
        .values_list("fit", flat=True)
        .order_by("at")
    ) == [0.0, 60.0]
    assert ScoreSnapshot.objects.for_workspace(workspace).filter(account=a).count() == 1


def test_written_scores_and_snapshots_keep_missing_scores_empty_and_match_each_other(workspace):
    """The write-back travels as fixed-width binary on PostgreSQL (NaN for a missing score):
    what lands must be NULL, not NaN, and each snapshot must hold what its account holds."""
    accounts = [
        AccountFactory(workspace=workspace, industry="Software", employees=e)
        for e in (150, 1000, 7000)
    ]
    _profile(workspace)
    run = services.score_accounts(workspace=workspace)
    assert run.counts["written"] == 3
    for account in accounts:
        account.refresh_from_db()
        snapshot = ScoreSnapshot.objects.get(account=account)
        assert account.predictive_fit is None  # no model is active
        assert snapshot.predictive_fit is None
        assert account.tier in (1, 2, 3)
        assert (snapshot.fit, snapshot.priority, snapshot.tier, snapshot.reason_set_id) == (
            account.fit_score,
            account.priority,
            account.tier,
            account.reason_set_id,
        )
        assert snapshot.run_id == run.pk
    assert sorted(a.fit_score for a in accounts) == [60.0, 60.0, 100.0]


def test_tier_one_is_capped_across_the_workspace(workspace):
    for employees in (1000, 1100, 1200):
        AccountFactory(workspace=workspace, industry="Software", employees=employees)
    _profile(workspace)
    services.scoring_settings_update(
        workspace=workspace,
        weight_fit=1,
        weight_intent=0,
        weight_engagement=0,
        tier1_share=100,
        tier1_cap=2,
    )
    services.score_accounts(workspace=workspace)
    tiers = sorted(Account.objects.for_workspace(workspace).values_list("tier", flat=True))
    # all three would be Tier 1 by share; the cap keeps two and the third leads Tier 2
    assert tiers == [1, 1, 2]


def test_a_run_lifting_fit_over_the_mqa_line_makes_an_engaged_account_mqa_in_its_journey(
    workspace,
):
    # given an account five people met (5 × 30 points), held back from MQA by a fit of 20
    account = AccountFactory(workspace=workspace, industry="Software", employees=1000, fit_score=20)
    for level in ("c_level_vp", "director", "practitioner", "director", "practitioner"):
        contact = ContactFactory(workspace=workspace, account=account, seniority=level)
        EngagementEventFactory(
            workspace=workspace, account=account, contact=contact, kind="meeting", weight=30
        )
    journey_recompute(workspace=workspace)
    account.refresh_from_db()
    assert account.stage == "engaged"
    _profile(workspace)
    # when the ICP gives it a fit of 100
    run = services.score_accounts(workspace=workspace)
    # then its journey is replayed with the new fit, in the same transaction as the scores
    account.refresh_from_db()
    assert (account.fit_score, account.stage) == (100.0, "mqa")
    assert "mqa" not in account.score_reasons  # the journey stage says it, not the reasons
    transition = StageTransition.objects.for_workspace(workspace).get(
        account=account, to_stage="mqa"
    )
    # the second meeting passed the line: 60 points (≥ 40) from 2 people
    assert transition.reason == "60 points from 2 people in 90 days, fit 100"
    assert (run.counts["mqa"], run.counts["promoted_to_mqa"]) == (1, 1)


def test_a_run_dropping_fit_under_the_mqa_line_takes_mqa_back(workspace):
    # given an MQA account (two people, 60 points, fit 100 from the profile)
    account = _mqa_account(workspace)
    assert Account.objects.get(pk=account.pk).stage == "mqa"
    # when it turns out to be a retailer of ten people (fit 0)
    Account.objects.filter(pk=account.pk).update(industry="Retail", employees=10)
    run = services.score_accounts(workspace=workspace)
    # then the journey no longer holds an MQA move
    assert Account.objects.get(pk=account.pk).stage == "engaged"
    assert not StageTransition.objects.for_workspace(workspace).filter(to_stage="mqa").exists()
    assert run.counts["mqa"] == 0


def test_changing_the_mqa_thresholds_replays_every_journey(
    workspace, django_capture_on_commit_callbacks
):
    # given an engaged account: 60 points from two people, fit 100 — MQA under the defaults
    account = _mqa_account(workspace)
    assert Account.objects.get(pk=account.pk).stage == "mqa"
    # when the marketer asks for three people
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_settings_update(workspace=workspace, mqa_min_contacts=3)
    # then the journey is judged again by the new rule
    assert Account.objects.get(pk=account.pk).stage == "engaged"


def test_intent_surge_and_trigger_show_up_as_why_now(workspace):
    account = AccountFactory(workspace=workspace)
    now = timezone.now()
    for days, strength in ((60, 20), (30, 20), (2, 60)):
        IntentSignalFactory(
            workspace=workspace,
            account=account,
            topic="intent data",
            strength=strength,
            observed_at=now - dt.timedelta(days=days),
        )
    TriggerEventFactory(
        workspace=workspace, account=account, kind="funding", occurred_at=now - dt.timedelta(days=3)
    )
    services.score_accounts(workspace=workspace)
    account.refresh_from_db()
    assert account.score_reasons["why_now"] == "Raised funding 3 days ago"
    assert account.score_reasons["intent"][0] == "Surging on intent data against its own baseline"
    assert account.intent_score > 40


def test_a_new_event_refreshes_engagement_without_a_full_run(workspace):
    account = AccountFactory(workspace=workspace)
    services.score_accounts(workspace=workspace)
    account.refresh_from_db()
    assert account.engagement_score == 0.0
    history = ScoreSnapshot.objects.for_workspace(workspace).filter(account=account)
    assert history.count() == 1
    EngagementEventFactory(workspace=workspace, account=account, kind="meeting")
    # when
    services.account_engagement_refresh(workspace=workspace, account_id=account.pk)
    # then: volume 27.27·0.6 + recency 10 (no contact) = 26.36
    account.refresh_from_db()
    assert account.engagement_score == pytest.approx(26.36, abs=0.01)
    assert account.score_reasons["engagement"][-1] == "Last touch today"
    assert history.count() == 2


def test_partial_runs_only_touch_the_named_accounts(workspace):
    a = AccountFactory(workspace=workspace, industry="Software", employees=1000)
    b = AccountFactory(workspace=workspace, industry="Software", employees=1000)
    _profile(workspace)
    run = services.score_accounts(workspace=workspace, account_ids=[a.pk])
    b.refresh_from_db()
    assert run.counts["accounts"] == 1
    assert b.fit_score is None


def test_every_profile_change_is_a_new_version(workspace):
    profile = _profile(workspace)
    changed = [*SOFTWARE_ICP, {"field": "country", "op": "in", "values": ["US"], "weight": 10}]
    services.icp_profile_update(profile=profile, criteria=changed, note="add US")
    services.icp_profile_update(profile=profile, criteria=changed)  # no change, no version
    profile.refresh_from_db()
    assert profile.version == 2
    versions = IcpProfileVersion.objects.for_workspace(workspace).filter(profile=profile)
    assert list(versions.values_list("version", "note")) == [(2, "add US"), (1, "created")]
    services.icp_profile_restore(profile=profile, version=1)
    profile.refresh_from_db()
    assert (profile.version, len(profile.criteria)) == (3, 2)


def test_only_one_profile_is_active(workspace):
    first = _profile(workspace)
    second = services.icp_profile_create(
        workspace=workspace, name="Enterprise", criteria=SOFTWARE_ICP
    )
    assert first.is_active is True
    services.icp_profile_activate(profile=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_active, second.is_active) == (False, True)


def test_training_refuses_when_there_are_too_few_closed_deals(workspace):
    for i in range(3):
        OpportunityFactory(workspace=workspace, is_closed=True, is_won=i == 0)
    with pytest.raises(services.NotEnoughOutcomes, match="you have 1 won and 2 lost"):
        services.fit_model_train(workspace=workspace)
    assert not FitModel.objects.for_workspace(workspace).exists()


def test_a_trained_model_is_inactive_until_activated_and_then_feeds_fit(workspace):
    for i in range(60):
        software = i % 2 == 0
        account = AccountFactory(
            workspace=workspace, industry="Software" if software else "Retail", employees=100 + i
        )
        OpportunityFactory(
            workspace=workspace,
            account=account,
            is_closed=True,
            is_won=software if i % 10 else not software,
        )
    model = services.fit_model_train(workspace=workspace, min_per_class=10)
    assert model.is_active is False
    assert model.metrics["cv_auc"] > 0.7
    services.fit_model_activate(model=model)
    services.score_accounts(workspace=workspace)
    scored = Account.objects.for_workspace(workspace).filter(industry="Software").first()
    assert scored.predictive_fit > 50
    assert scored.score_reasons["predictive"][0]["text"] == "Industry is Software"


def test_runs_record_progress_and_failures(workspace, monkeypatch):
    AccountFactory(workspace=workspace)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services.pipeline, "read_signals", broken)
    with pytest.raises(RuntimeError):
        services.score_accounts(workspace=workspace)
    run = ScoringRun.objects.for_workspace(workspace).get()
    assert (run.status, run.error) == ("failed", "boom")


def test_the_commands_score_a_workspace_and_refuse_to_train_without_deals(workspace):
    import json
    from io import StringIO

    from django.core.management import CommandError, call_command

    AccountFactory(workspace=workspace, industry="Software", employees=1000)
    _profile(workspace)
    out = StringIO()
    call_command("score_accounts", workspace="acme", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["status"], result["accounts"], result["tier_3"]) == ("done", 1, 0)
    with pytest.raises(
        CommandError, match="needs at least 20 won and 20 lost accounts; you have 0 won and 0 lost"
    ):
        call_command("train_fit_model", workspace="acme")
    with pytest.raises(CommandError, match="no workspace"):
        call_command("score_accounts", workspace="nope")


def test_a_workspace_without_an_icp_gets_an_editable_starter_profile(workspace):
    from scoring.models import IcpProfile

    AccountFactory(workspace=workspace, industry="Software", employees=1000, annual_revenue=1e8,
                   region="EMEA")  # fmt: skip
    services.score_accounts(workspace=workspace)
    profile = IcpProfile.objects.for_workspace(workspace).get()
    assert (profile.name, profile.is_active, profile.versions.count()) == ("Starter ICP", True, 1)
    assert Account.objects.for_workspace(workspace).get().fit_score == 85.0


@contextlib.contextmanager
def _claimed_elsewhere(run_id: int):
    """Another worker holds the run: on PostgreSQL another session (advisory locks are
    re-entrant within one), elsewhere the process lock."""
    if connection.vendor != "postgresql":
        with pipeline.run_claim(run_id, wait=0) as held:
            assert held
            yield
        return
    other = connection.get_new_connection(connection.get_connection_params())
    other.autocommit = True
    with other.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s, %s)", [pipeline.RUN_LOCK_CLASS, run_id])
    try:
        yield
    finally:
        # Unlock before closing: a closed connection's backend exits (and drops its locks) a
        # moment later, and the test's next claim does not wait (CLAIM_WAIT_SECONDS = 0).
        with other.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s, %s)", [pipeline.RUN_LOCK_CLASS, run_id])
        other.close()


def test_a_second_delivery_of_a_run_being_scored_leaves_it_to_the_first(workspace, monkeypatch):
    # given a run whose first delivery holds it (mid-scoring)
    AccountFactory.create_batch(3, workspace=workspace, industry="Software", employees=1000)
    _profile(workspace)
    run = services.scoring_run_create(workspace=workspace)
    monkeypatch.setattr(services, "CLAIM_WAIT_SECONDS", 0)
    with _claimed_elsewhere(run.pk):
        # when the same run is delivered again
        second = services.score_accounts(workspace=workspace, run=run)
        # then the second delivery writes nothing and leaves the run to the first
        assert second.status == ScoringRun.Status.QUEUED
        assert not ScoreSnapshot.objects.for_workspace(workspace).exists()
    first = services.score_accounts(workspace=workspace, run=run)
    late = services.score_accounts(workspace=workspace, run=run)  # redelivered after it ended
    assert first.status == late.status == ScoringRun.Status.DONE
    per_account = ScoreSnapshot.objects.for_workspace(workspace).values_list("account_id")
    assert len(per_account) == len(set(per_account)) == 3


def test_a_run_that_fails_is_shown_failed_with_its_reason(workspace, monkeypatch):
    AccountFactory(workspace=workspace)
    run = services.scoring_run_create(workspace=workspace)

    def drop(**_kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(pipeline, "write_scores", drop)
    with pytest.raises(OperationalError):
        services.score_accounts(workspace=workspace, run=run)
    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", "server closed the connection unexpectedly")


def test_celery_giving_up_on_a_run_marks_it_failed_even_if_the_attempt_could_not(workspace):
    # given a run left "running" by an attempt whose connection dropped before it could say so
    run = services.scoring_run_create(workspace=workspace)
    ScoringRun.objects.filter(pk=run.pk).update(status=ScoringRun.Status.RUNNING)
    # when Celery gives up on the task (retries used up)
    exc = OperationalError("could not receive data from server")
    score_task.on_failure(
        exc, "task-id", (), {"workspace_id": workspace.pk, "run_id": run.pk}, None
    )
    # then the run says so, and why
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.FAILED
    assert run.error == "OperationalError: could not receive data from server"
