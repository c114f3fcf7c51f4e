"""The tier index (`AccountTier`) always says what `Account.tier` says, whoever writes accounts,
and every tier filter (account list, queue, API, segments) finds the same accounts as the
column would, in its own workspace only."""

from __future__ import annotations

import pytest

from accounts import selectors as account_selectors
from accounts.models import Account, AccountTier
from accounts.queue.selectors import account_queue
from accounts.selectors import account_list
from campaigns.selectors import segment_queryset
from scoring import services as scoring
from tests.conftest import requires_postgres
from tests.factories import AccountFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def _index(workspace) -> dict[int, int]:
    return dict(AccountTier.objects.for_workspace(workspace).values_list("account_id", "tier"))


def _column(workspace) -> dict[int, int]:
    return {
        pk: tier or 0
        for pk, tier in Account.objects.for_workspace(workspace).values_list("pk", "tier")
    }


def test_the_index_follows_every_way_of_writing_accounts(workspace):
    # created one by one, in bulk, with and without a tier
    one = AccountFactory(workspace=workspace, tier=2)
    untiered = AccountFactory(workspace=workspace)
    Account.objects.bulk_create(
        [Account(workspace=workspace, name=f"Bulk {i}", tier=i % 4 or None) for i in range(6)]
    )
    assert _index(workspace) == _column(workspace)
    assert _index(workspace)[untiered.pk] == 0
    # changed through save(), a queryset update, back to no tier
    one.tier = 1
    one.save()
    Account.objects.for_workspace(workspace).filter(name__startswith="Bulk").update(tier=3)
    Account.objects.filter(pk=untiered.pk).update(tier=None)
    assert _index(workspace) == _column(workspace)
    assert _index(workspace)[one.pk] == 1
    # deleted
    Account.objects.filter(pk=one.pk).delete()
    assert one.pk not in _index(workspace)
    assert _index(workspace) == _column(workspace)


def test_a_scoring_run_keeps_the_index_in_step(workspace):
    for employees in (50, 500, 1500, 5000, 20000):
        AccountFactory(workspace=workspace, industry="Software", employees=employees)
    scoring.icp_profile_create(
        workspace=workspace,
        name="ICP",
        criteria=[
            {"field": "employees", "op": "between", "min": 1000, "max": 10000, "weight": 100}
        ],
    )
    scoring.scoring_settings_update(
        workspace=workspace, weight_fit=1, weight_intent=0, weight_engagement=0, tier1_share=20
    )
    # when
    scoring.score_accounts(workspace=workspace)
    # then
    tiers = _column(workspace)
    assert set(tiers.values()) >= {1, 3}
    assert _index(workspace) == tiers


@requires_postgres
def test_the_scoring_write_back_keeps_the_index_itself_and_never_another_workspace(workspace):
    """The write-back switches the row trigger off for its transaction and upserts set-wise."""
    import numpy as np
    import pandas as pd
    from django.db import connection, transaction
    from django.utils import timezone

    from scoring import pipeline

    mine = AccountFactory(workspace=workspace, tier=3)
    theirs = AccountFactory(workspace=WorkspaceFactory(slug="other"), tier=3)
    with transaction.atomic():
        pipeline.write_scores(
            workspace_id=workspace.pk,
            rows=pd.DataFrame(
                {
                    "id": [mine.pk, theirs.pk],
                    **{c: [50.0, 50.0] for c in pipeline.SCORE_FIELDS if c != "tier"},
                    "tier": [1.0, 1.0],
                }
            ),
            set_ids=[0, 0],
            now=timezone.now(),
            run_id=None,
            snapshot=np.array([False, False]),
        )
        with connection.cursor() as cur:
            cur.execute("SHOW beacon.account_tiers_kept")
            assert cur.fetchone()[0] == "off"  # only while the write-back's statements run
    assert AccountTier.objects.get(account=mine).tier == 1
    assert Account.objects.get(pk=theirs.pk).tier == 3
    assert AccountTier.objects.get(account=theirs).tier == 3
    # the trigger follows ordinary writes again, even in the same transaction
    Account.objects.filter(pk=mine.pk).update(tier=2)
    assert AccountTier.objects.get(account=mine).tier == 2


@pytest.mark.parametrize("few_in_tier", [5000, 0], ids=["index", "column"])
@pytest.mark.parametrize("tier", ["1", "2", "3", "none"])
def test_tier_filters_find_what_the_column_says(
    workspace, other_workspace, tier, sdr_user, few_in_tier, monkeypatch
):
    """A narrow tier is looked up in the index, a broad one read from the column: the same
    accounts either way."""
    monkeypatch.setattr(account_selectors, "FEW_IN_TIER", few_in_tier)
    for i, value in enumerate([1, 2, 2, 3, 3, 3, None, None]):
        AccountFactory(workspace=workspace, name=f"Mine {i}", tier=value, owner=sdr_user)
        AccountFactory(workspace=other_workspace, name=f"Theirs {i}", tier=value)
    expected = {
        a.pk
        for a in Account.objects.for_workspace(workspace)
        if (a.tier or "none") == (tier if tier == "none" else int(tier))
    }
    assert expected
    # the account list and the API
    assert {a.pk for a in account_list(workspace=workspace, filters={"tier": tier})} == expected
    # the SDR queue
    queue = account_queue(
        workspace=workspace, owner_id=sdr_user.pk, filters={"tier": tier}, user=sdr_user
    )
    assert {a.pk for a in queue} == expected
    # a segment (0 = not tiered)
    segment = segment_queryset(
        workspace=workspace, filters={"tiers": [0 if tier == "none" else int(tier)]}
    )
    assert set(segment.values_list("pk", flat=True)) == expected


def test_the_api_tier_filter_uses_the_index_and_stays_in_the_workspace(
    client_for, marketer_user, workspace, other_workspace
):
    tier_one = AccountFactory(workspace=workspace, tier=1)
    AccountFactory(workspace=workspace, tier=2)
    AccountFactory(workspace=other_workspace, tier=1)
    client = client_for(marketer_user)
    body = client.get("/api/v1/accounts/?tier=1").json()
    assert [row["id"] for row in body["results"]] == [tier_one.pk]
    assert client.get("/api/v1/accounts/?tier=none").json()["results"] == []
    assert client.get("/api/v1/accounts/?tier=abc").json()["results"] == []
