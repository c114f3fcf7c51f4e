"""What the account page and the back-test pages read."""

import pytest

from accounts.models import Account
from scoring import selectors, services
from tests.factories import AccountFactory, EngagementEventFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

ICP = [{"field": "industry", "op": "in", "values": ["Software"], "weight": 1}]


def test_the_account_summary_has_scores_reasons_and_trend(workspace):
    account = AccountFactory(workspace=workspace, industry="Retail")
    services.icp_profile_create(workspace=workspace, name="Core", criteria=ICP)
    services.score_accounts(workspace=workspace)
    Account.objects.filter(pk=account.pk).update(industry="Software")
    services.score_accounts(workspace=workspace)
    # when
    summary = selectors.account_score_summary(workspace=workspace, account_id=account.pk)
    # then
    assert summary["scores"]["fit"] == 100.0
    assert [point["fit"] for point in summary["trend"]] == [0.0, 100.0]
    assert summary["priority_change"] == 50.0
    assert summary["reasons"]["fit"][0]["status"] == "met"
    assert summary["rollup"] is None


def test_another_workspaces_account_is_not_found(workspace, other_workspace):
    theirs = AccountFactory(workspace=other_workspace)
    with pytest.raises(Account.DoesNotExist):
        selectors.account_score_summary(workspace=workspace, account_id=theirs.pk)


def test_a_parent_rolls_up_its_childrens_engagement_and_pipeline(workspace):
    parent = AccountFactory(workspace=workspace)
    child = AccountFactory(workspace=workspace, parent=parent)
    grandchild = AccountFactory(workspace=workspace, parent=child)
    for _ in range(3):
        EngagementEventFactory(workspace=workspace, account=grandchild, kind="meeting")
    EngagementEventFactory(workspace=workspace, account=parent, kind="web_visit")
    OpportunityFactory(workspace=workspace, account=child, amount=40_000)
    OpportunityFactory(workspace=workspace, account=grandchild, amount=10_000, is_closed=True,
                       is_won=True)  # fmt: skip
    services.score_accounts(workspace=workspace)
    rollup = selectors.account_score_summary(workspace=workspace, account_id=parent.pk)["rollup"]
    assert rollup["children"] == 2
    assert (rollup["touches_90d"], rollup["children_touches_90d"]) == (4, 3)
    assert (rollup["open_pipeline"], rollup["won_revenue"]) == (40_000.0, 10_000.0)
    assert rollup["engaged_children"] == 1


def test_a_backtest_compares_a_candidate_profile_with_the_active_one(workspace):
    for i in range(20):
        won = i % 2 == 0
        account = AccountFactory(workspace=workspace, industry="Software" if won else "Retail",
                                 country="US" if i < 10 else "DE")  # fmt: skip
        OpportunityFactory(workspace=workspace, account=account, is_closed=True, is_won=won)
    services.icp_profile_create(
        workspace=workspace, name="Geo",
        criteria=[{"field": "country", "op": "in", "values": ["US"], "weight": 1}],
    )  # fmt: skip
    candidate = services.icp_profile_create(workspace=workspace, name="Industry", criteria=ICP)
    services.score_accounts(workspace=workspace)
    # when
    result = selectors.scoring_backtest(workspace=workspace, profile=candidate)
    # then: industry separates won from lost perfectly, geography not at all
    assert (result["won"], result["lost"]) == (10, 10)
    assert result["candidate"]["auc"] == 1.0
    assert result["active"]["auc"] == 0.5
    assert result["candidate"]["lift"][0]["lift"] == 2.0
    # 20 accounts: 1 Tier-1 and 4 Tier-2 places (5 % and 20 %, rounded up), ties by id.
    # Active (US first ten at priority 50): Tier 1 = #0, Tier 2 = #1-#4. Candidate (the even,
    # Software, accounts at 50): Tier 1 = #0, Tier 2 = #2 #4 #6 #8. Moved: #1 #3 #6 #8.
    assert result["tier_changes"] == 4


def test_the_account_scores_partial_renders_reasons(workspace):
    from django.template.loader import render_to_string

    account = AccountFactory(workspace=workspace, industry="Software")
    services.icp_profile_create(workspace=workspace, name="Core", criteria=ICP)
    services.score_accounts(workspace=workspace)
    summary = selectors.account_score_summary(workspace=workspace, account_id=account.pk)
    html = render_to_string("scoring/partials/account_scores.html", {"summary": summary})
    assert "✓ Industry in Software" in html
    assert "No touches in the last year." in html
