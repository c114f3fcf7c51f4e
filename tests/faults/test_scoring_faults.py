"""Scoring survives its worker dying: killed pool child, killed worker, double delivery, errors.

Whatever happens, the end state is every account scored once: a score on each account and one
snapshot per account whose scores changed (here: all of them, scored for the first time).
"""

import datetime as dt
import time

import pytest
from django.db.models import Count
from django.utils import timezone

from accounts.models import Account, JourneyStage
from campaigns.models import StageTransition
from campaigns.services import journey_recompute
from scoring.engine import rules
from scoring.models import IcpProfile, ScoreSnapshot, ScoringRun
from scoring.services import scoring_run_create
from scoring.tasks import score_accounts
from tests.factories import (
    AccountFactory,
    ContactFactory,
    EngagementEventFactory,
    WorkspaceFactory,
)
from tests.faults.harness import needs_broker_and_postgres, wait_for

pytestmark = [*needs_broker_and_postgres, pytest.mark.django_db(transaction=True)]

ACCOUNTS = 400
HOT = 8
WRITE_CHUNK = 50
ICP = [
    {"field": "industry", "op": "in", "values": ["Software"], "weight": 60},
    {"field": "employees", "op": "between", "min": 200, "max": 5000, "weight": 40},
]


@pytest.fixture
def run(transactional_db):
    """A scoring run over a workspace of ACCOUNTS accounts that were never scored."""
    workspace = WorkspaceFactory(slug="scoring-faults", name="Scoring Faults")
    industries = ["Software", "Finance", "Retail", "Energy"]
    Account.objects.bulk_create(
        [
            AccountFactory.build(
                workspace=workspace,
                employees=50 + 37 * i,
                annual_revenue=1_000_000 * (1 + i % 50),
                industry=industries[i % 4],
            )
            for i in range(ACCOUNTS)
        ]
    )
    # an active ICP profile, stored directly: the service would queue a re-score of its own
    IcpProfile.objects.create(
        workspace=workspace,
        name="Core ICP",
        criteria=rules.validate(ICP),
        version=1,
        is_active=True,
    )
    return scoring_run_create(workspace=workspace, trigger=ScoringRun.Trigger.MANUAL)


@pytest.fixture
def slow_writes(faults):
    faults(write_chunk=WRITE_CHUNK, scoring_delay=0.4)


def scored(run: ScoringRun) -> int:
    return Account.objects.filter(workspace_id=run.workspace_id, scored_at__isnull=False).count()


def wait_mid_scoring(run: ScoringRun) -> int:
    return wait_for(
        lambda: (2 * WRITE_CHUNK <= (n := scored(run)) <= ACCOUNTS - 2 * WRITE_CHUNK) and n,
        timeout=90,
        interval=0.02,
        what="scoring to be part-way through writing",
    )


def wait_finished(run: ScoringRun, timeout: float = 90) -> ScoringRun:
    wait_for(
        lambda: (
            ScoringRun.objects.get(pk=run.pk).status
            in (ScoringRun.Status.DONE, ScoringRun.Status.FAILED)
        ),
        timeout=timeout,
        interval=0.1,
        what=f"scoring run {run.pk} to finish",
    )
    return ScoringRun.objects.get(pk=run.pk)


def assert_scored_exactly_once(run: ScoringRun) -> None:
    accounts = Account.objects.filter(workspace_id=run.workspace_id)
    assert run.status == ScoringRun.Status.DONE, run.error
    assert run.counts["accounts"] == ACCOUNTS
    assert run.counts["profile"] is True
    assert accounts.filter(scored_at__isnull=True).count() == 0
    assert accounts.filter(fit_score__isnull=True).count() == 0
    assert accounts.filter(priority__isnull=True).count() == 0
    per_account = (
        ScoreSnapshot.objects.filter(workspace_id=run.workspace_id)
        .values("account_id")
        .annotate(n=Count("id"))
    )
    assert sorted({row["n"] for row in per_account}) == [1]
    assert per_account.count() == ACCOUNTS


@pytest.mark.usefixtures("slow_writes")
def test_killing_the_pool_child_mid_scoring_redelivers_and_finishes(worker, run, send, attempts):
    # given a worker scoring 400 accounts, writing 50 per transaction
    send(score_accounts, worker.queue, workspace_id=run.workspace_id, run_id=run.pk)
    # when the pool process running it is killed part-way through the writes
    wait_mid_scoring(run)
    worker.kill_pool_child(attempts("scoring", run.pk)[0]["pid"])
    # then the task is delivered again and the run ends with every account scored once
    run = wait_finished(run)
    assert_scored_exactly_once(run)
    assert len(attempts("scoring", run.pk)) == 2


@pytest.mark.usefixtures("slow_writes")
def test_killing_the_whole_worker_mid_scoring_and_starting_another_finishes(
    start_worker, dedicated_queue, run, send, attempts
):
    # given a worker of its own scoring 400 accounts
    first = start_worker()
    send(score_accounts, dedicated_queue, workspace_id=run.workspace_id, run_id=run.pk)
    # when the whole worker dies at once
    wait_mid_scoring(run)
    first.kill_everything()
    stalled_at = scored(run)
    time.sleep(1.5)
    assert scored(run) == stalled_at < ACCOUNTS
    # and another starts (Redis hands the task back after its visibility timeout)
    start_worker(FAULTS_VISIBILITY_TIMEOUT=1)
    # then the run finishes with every account scored once
    run = wait_finished(run)
    assert_scored_exactly_once(run)
    assert len(attempts("scoring", run.pk)) == 2


@pytest.fixture
def hot_accounts(run):
    """HOT accounts that fit the ICP and had meetings with five people this week: MQAs to be.

    Their journeys are up to date (engaged) but held back from MQA by the poor fit stored
    before the ICP existed; the run's new fit is what makes them MQA (the journey decides)."""
    workspace, now = run.workspace, timezone.now()
    hot = list(
        Account.objects.filter(
            workspace=workspace, industry="Software", employees__range=(200, 5000)
        ).order_by("pk")[:HOT]
    )
    for account in hot:
        for level in ("c_level_vp", "director", "practitioner", "director", "practitioner"):
            person = ContactFactory(workspace=workspace, account=account, seniority=level)
            for days_ago in (1, 2):
                EngagementEventFactory(
                    workspace=workspace, account=account, contact=person, kind="meeting",
                    weight=30, channel="events", occurred_at=now - dt.timedelta(days=days_ago),
                )  # fmt: skip
    Account.objects.filter(pk__in=[a.pk for a in hot]).update(fit_score=10)
    journey_recompute(workspace=workspace, account_ids=[a.pk for a in hot])
    assert set(
        Account.objects.filter(pk__in=[a.pk for a in hot]).values_list("stage", flat=True)
    ) == {JourneyStage.ENGAGED}
    return hot


@pytest.mark.usefixtures("slow_writes", "hot_accounts")
def test_a_pool_child_killed_after_the_scores_are_written_loses_no_mqa_journey_record(
    worker, run, send, attempts
):
    # given a scoring run that will make HOT accounts MQA
    send(score_accounts, worker.queue, workspace_id=run.workspace_id, run_id=run.pk)
    # when its pool process dies after the last scores are written, before the journey records
    wait_for(lambda: scored(run) == ACCOUNTS, timeout=90, interval=0.02, what="all scores written")
    worker.kill_pool_child(attempts("scoring", run.pk)[0]["pid"])
    run = wait_finished(run)
    # then the redelivered run finishes, and every MQA promotion is in the account's journey
    assert run.status == ScoringRun.Status.DONE, run.error
    mqa = Account.objects.filter(workspace_id=run.workspace_id, stage=JourneyStage.MQA)
    assert mqa.count() == HOT
    journeys = StageTransition.objects.filter(
        workspace_id=run.workspace_id, to_stage=JourneyStage.MQA
    )
    assert sorted(journeys.values_list("account_id", flat=True)) == sorted(
        mqa.values_list("pk", flat=True)
    )


def test_the_same_scoring_task_delivered_twice_at_once_ends_as_if_run_once(
    worker, faults, run, send, attempts
):
    # given two pool processes
    faults(write_chunk=WRITE_CHUNK, scoring_delay=0.1)
    # when the same scoring task is delivered twice at the same time
    first = send(score_accounts, worker.queue, workspace_id=run.workspace_id, run_id=run.pk)
    second = send(score_accounts, worker.queue, workspace_id=run.workspace_id, run_id=run.pk)
    first.get(timeout=90)
    second.get(timeout=90)
    # then both ran, and the accounts look as after one run: one snapshot each
    assert len(attempts("scoring", run.pk)) == 2
    assert_scored_exactly_once(ScoringRun.objects.get(pk=run.pk))


def test_a_failing_scoring_run_is_retried_then_shown_as_failed_with_its_reason(
    worker, faults, run, send, attempts
):
    # given scoring whose every write fails as a dropped database connection would (workers
    # here give up after two retries)
    reason = "could not receive data from server: Connection reset by peer"
    faults(scoring_error=reason)
    assert score_accounts.retry_backoff
    # when the task runs
    send(score_accounts, worker.queue, workspace_id=run.workspace_id, run_id=run.pk)
    # then it is tried three times ...
    runs = wait_for(
        lambda: len(found := attempts("scoring", run.pk)) >= 3 and found,
        timeout=60,
        interval=0.2,
        what="three attempts",
    )
    assert [r["retries"] for r in runs] == [0, 1, 2]
    # ... and the run is shown as failed, with the reason
    run = wait_finished(run)
    time.sleep(0.5)
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.FAILED
    assert reason in run.error
