"""Reasons live in shared, workspace-scoped ReasonSets; accounts and snapshots point at them."""

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from scoring import pipeline, selectors, services
from scoring.models import ReasonSet, ScoreSnapshot
from tests.factories import AccountFactory, EngagementEventFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

SOFTWARE_ICP = [
    {"field": "industry", "op": "in", "values": ["Software"], "weight": 60},
    {"field": "employees", "op": "between", "min": 200, "max": 5000, "weight": 40},
]


def test_accounts_with_the_same_reasons_share_one_set_and_snapshots_point_at_it(workspace):
    twins = [
        AccountFactory(workspace=workspace, industry="Software", employees=1000) for _ in range(3)
    ]
    other = AccountFactory(workspace=workspace, industry="Retail", employees=10)
    services.icp_profile_create(workspace=workspace, name="Core ICP", criteria=SOFTWARE_ICP)
    # when
    services.score_accounts(workspace=workspace)
    # then
    sets = dict(Account.objects.for_workspace(workspace).values_list("pk", "reason_set_id"))
    assert len({sets[a.pk] for a in twins}) == 1
    assert sets[other.pk] not in {sets[a.pk] for a in twins}
    assert ReasonSet.objects.for_workspace(workspace).count() == 2
    snap = ScoreSnapshot.objects.for_workspace(workspace).get(account=other)
    assert snap.reason_set_id == sets[other.pk]
    assert snap.reasons["fit"][0]["status"] == "missed"
    assert Account.objects.get(pk=other.pk).score_reasons == snap.reasons


def test_a_second_run_reuses_the_sets_and_another_workspace_gets_its_own(workspace):
    AccountFactory(workspace=workspace, industry="Software", employees=1000)
    services.icp_profile_create(workspace=workspace, name="Core ICP", criteria=SOFTWARE_ICP)
    services.score_accounts(workspace=workspace)
    first = set(ReasonSet.objects.values_list("pk", flat=True))
    Account.objects.for_workspace(workspace).update(fit_score=None)  # forces a rewrite
    services.score_accounts(workspace=workspace)
    assert set(ReasonSet.objects.values_list("pk", flat=True)) == first
    # when: the same account and profile in another workspace
    elsewhere = WorkspaceFactory()
    AccountFactory(workspace=elsewhere, industry="Software", employees=1000)
    services.icp_profile_create(workspace=elsewhere, name="Core ICP", criteria=SOFTWARE_ICP)
    services.score_accounts(workspace=elsewhere)
    # then
    theirs = ReasonSet.objects.for_workspace(elsewhere).get()
    assert theirs.pk not in first
    assert theirs.reasons == ReasonSet.objects.get(pk=first.pop()).reasons


def test_the_same_reasons_find_the_same_set_whatever_the_key_order(workspace):
    a = services.reason_set_get_or_create(
        workspace=workspace, reasons={"b": [1], "a": {"y": 2, "x": 1}}
    )
    b = services.reason_set_get_or_create(
        workspace=workspace, reasons={"a": {"x": 1, "y": 2}, "b": [1]}
    )
    c = services.reason_set_get_or_create(workspace=workspace, reasons={"a": {"x": 1}, "b": [1]})
    assert a.pk == b.pk != c.pk
    ids = pipeline.reason_set_ids(
        workspace_id=workspace.pk, texts=['{"b":[1],"a":{"y":2,"x":1}}', '{"a":{"x":1},"b":[1]}']
    )
    assert ids == [a.pk, c.pk]


def test_a_single_account_refresh_points_the_account_at_a_set_with_its_new_reasons(workspace):
    account = AccountFactory(workspace=workspace, industry="Software", employees=1000)
    services.icp_profile_create(workspace=workspace, name="Core ICP", criteria=SOFTWARE_ICP)
    services.score_accounts(workspace=workspace)
    account.refresh_from_db()
    before = account.reason_set_id
    fit_reasons = account.score_reasons["fit"]
    EngagementEventFactory(workspace=workspace, account=account, kind="meeting")
    # when
    services.account_engagement_refresh(workspace=workspace, account_id=account.pk)
    # then: a new set, the old one untouched (other accounts may share it)
    account = Account.objects.get(pk=account.pk)
    assert account.reason_set_id != before
    assert account.score_reasons["engagement"][-1] == "Last touch today"
    assert account.score_reasons["fit"] == fit_reasons
    assert ReasonSet.objects.get(pk=before).reasons["engagement"] == []
    latest = ScoreSnapshot.objects.for_workspace(workspace).filter(account=account).first()
    assert latest.reason_set_id == account.reason_set_id


def test_an_account_without_a_set_or_with_a_missing_one_has_no_reasons(workspace):
    account = AccountFactory(workspace=workspace)
    assert Account.objects.get(pk=account.pk).score_reasons == {}
    Account.objects.filter(pk=account.pk).update(reason_set_id=987654)  # no constraint
    assert Account.objects.get(pk=account.pk).score_reasons == {}
    assert Account.objects.select_related("reason_set").get(pk=account.pk).score_reasons == {}


def test_the_score_summary_reads_reasons_without_a_query_of_their_own(workspace):
    account = AccountFactory(workspace=workspace, industry="Software", employees=1000)
    services.icp_profile_create(workspace=workspace, name="Core ICP", criteria=SOFTWARE_ICP)
    services.score_accounts(workspace=workspace)
    with CaptureQueriesContext(connection) as queries:
        summary = selectors.account_score_summary(workspace=workspace, account_id=account.pk)
    assert summary["reasons"]["fit"][0]["status"] == "met"
    assert not [q for q in queries if 'FROM "scoring_reasonset"' in q["sql"]]


def test_deleting_a_workspace_deletes_its_sets_and_accounts(workspace):
    AccountFactory(workspace=workspace, industry="Software", employees=1000)
    services.icp_profile_create(workspace=workspace, name="Core ICP", criteria=SOFTWARE_ICP)
    services.score_accounts(workspace=workspace)
    assert ReasonSet.objects.for_workspace(workspace).exists()
    pk = workspace.pk
    # when
    workspace.delete()
    # then
    assert not ReasonSet.objects.filter(workspace_id=pk).exists()
    assert not Account.objects.filter(workspace_id=pk).exists()


def test_a_full_run_reads_each_accounts_signals_as_a_per_account_read_does(workspace):
    """A full run reads the workspace's signals once and slices them per chunk; each slice
    must hold what reading those accounts' signals directly gives, seniority included."""
    import datetime as dt

    import pandas as pd
    from django.utils import timezone

    from tests.factories import ContactFactory
    from tests.scoring.factories import IntentSignalFactory, TriggerEventFactory

    now = timezone.now()
    a, b, c = (AccountFactory(workspace=workspace) for _ in range(3))
    boss = ContactFactory(workspace=workspace, account=a, seniority="c_level_vp")
    moved = ContactFactory(workspace=workspace, account=c, seniority="practitioner")
    for account, contact, days in ((a, boss, 1), (a, None, 3), (b, moved, 2), (c, None, 400)):
        EngagementEventFactory(
            workspace=workspace, account=account, contact=contact,
            occurred_at=now - dt.timedelta(days=days),
        )  # fmt: skip
    EngagementEventFactory(workspace=workspace, account=None, occurred_at=now)
    IntentSignalFactory(workspace=workspace, account=b, observed_at=now - dt.timedelta(days=5))
    TriggerEventFactory(workspace=workspace, account=a, occurred_at=now - dt.timedelta(days=9))
    other = AccountFactory()
    EngagementEventFactory(workspace=other.workspace, account=other, occurred_at=now)
    everything = pipeline.WorkspaceSignals(workspace_id=workspace.pk, now=now)
    for ids in ([a.pk, b.pk, c.pk], [b.pk], [a.pk, c.pk]):
        ids = np.array(sorted(ids), dtype=np.int64)
        sliced = everything.slice(ids)
        direct = pipeline.load_signals(workspace_id=workspace.pk, ids=ids, now=now, exact=True)
        for got, want in zip(sliced, direct, strict=True):
            cols = sorted(want.columns)
            key = [k for k in ("idx", "age_days") if k in cols]
            pd.testing.assert_frame_equal(
                got[cols].sort_values(key).reset_index(drop=True),
                want[cols].sort_values(key).reset_index(drop=True),
                check_dtype=False,
            )
    events = everything.slice(np.array(sorted([a.pk, b.pk]), dtype=np.int64))[0]
    assert sorted(events["seniority"]) == ["", "c_level_vp", "practitioner"]


@pytest.mark.django_db(transaction=True)
def test_a_run_in_chunks_keeps_every_account_on_its_reasons_when_only_its_tier_moves(
    monkeypatch,
):
    # Chunks of three, writes of two and COPY for any two sets: outside a test transaction,
    # on PostgreSQL the sets are stored in a thread while later chunks are scored.
    monkeypatch.setattr(services, "CHUNK", 3)
    monkeypatch.setattr(services, "WRITE_CHUNK", 2)
    monkeypatch.setattr(pipeline, "COPY_REASON_SETS_FROM", 2)
    workspace = WorkspaceFactory()
    leaders = [AccountFactory(workspace=workspace, industry="Software", employees=10) for _ in "ab"]
    rest = [AccountFactory(workspace=workspace, industry="Retail", employees=e) for e in (1000, 10)]
    services.icp_profile_create(workspace=workspace, name="Core ICP", criteria=SOFTWARE_ICP)
    services.scoring_settings_update(
        workspace=workspace, weight_fit=1, weight_intent=0, weight_engagement=0,
        tier1_share=100, tier1_cap=2,
    )  # fmt: skip
    services.score_accounts(workspace=workspace)
    first = dict(Account.objects.for_workspace(workspace).values_list("pk", "reason_set_id"))
    assert [Account.objects.get(pk=a.pk).tier for a in leaders] == [1, 1]
    fit = {
        a.pk: {r["text"].split()[0]: r["status"] for r in a.score_reasons["fit"]}
        for a in Account.objects.for_workspace(workspace)
    }
    assert fit[leaders[1].pk] == {"Industry": "met", "Employees": "missed"}
    assert fit[rest[0].pk] == {"Industry": "missed", "Employees": "met"}
    assert fit[rest[1].pk] == {"Industry": "missed", "Employees": "missed"}
    tiers = dict(Account.objects.for_workspace(workspace).values_list("pk", "tier"))
    # when a better account arrives, a leader drops to Tier 2 (and Tier 2's last to Tier 3)
    # with the same scores and reasons
    best = AccountFactory(workspace=workspace, industry="Software", employees=1000)
    run = services.score_accounts(workspace=workspace)
    # then those are rewritten with their new tier and keep their reasons' sets
    now = {pk: (tier, set_id) for pk, tier, set_id in Account.objects.for_workspace(
        workspace).values_list("pk", "tier", "reason_set_id")}  # fmt: skip
    moved = [pk for pk in first if now[pk][0] != tiers[pk]]
    assert sorted(now[pk][0] for pk in moved if pk in {a.pk for a in leaders}) == [2]
    assert run.counts["changed"] == 1 + len(moved)
    assert {pk: now[pk][1] for pk in first} == first
    for pk in moved:
        latest = ScoreSnapshot.objects.for_workspace(workspace).filter(account_id=pk).first()
        assert (latest.tier, latest.reason_set_id) == now[pk]
    assert Account.objects.get(pk=best.pk).score_reasons["fit"][0]["status"] == "met"
