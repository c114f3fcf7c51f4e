import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from campaigns import selectors, services
from campaigns.models import CampaignAccount, EngagementEvent, JourneyRun, StageTransition
from tests.factories import (
    AccountFactory,
    CampaignAccountFactory,
    CampaignFactory,
    ContactFactory,
    EngagementEventFactory,
    OpportunityFactory,
)


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 12, tzinfo=dt.UTC)


def test_journey_recompute_stores_moves_and_is_idempotent(workspace):
    # given an account with a meeting in March and a deal created in April
    account = AccountFactory(workspace=workspace)
    EngagementEventFactory(
        workspace=workspace, account=account, kind="meeting", weight=30, occurred_at=at(3, 2)
    )
    OpportunityFactory(workspace=workspace, account=account, created_date=dt.date(2026, 4, 1))
    # when
    first = services.journey_recompute(workspace=workspace)
    rows = list(StageTransition.objects.for_workspace(workspace).values_list("pk", flat=True))
    second = services.journey_recompute(workspace=workspace)
    # then
    account.refresh_from_db()
    assert account.stage == "opportunity"
    assert account.stage_changed_at == dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    assert [
        (t.from_stage, t.to_stage)
        for t in StageTransition.objects.for_workspace(workspace).order_by("at", "pk")
    ] == [("", "target"), ("target", "aware"), ("aware", "engaged"), ("engaged", "opportunity")]
    assert (first["changed"], second["changed"]) == (1, 0)
    assert (
        list(StageTransition.objects.for_workspace(workspace).values_list("pk", flat=True)) == rows
    )
    assert JourneyRun.objects.for_workspace(workspace).count() == 2


def test_journey_recompute_touches_only_its_workspace(workspace, other_workspace):
    theirs = AccountFactory(workspace=other_workspace)
    EngagementEventFactory(workspace=other_workspace, account=theirs, kind="meeting", weight=30)
    services.journey_recompute(workspace=workspace)
    theirs.refresh_from_db()
    assert theirs.stage == "target"
    assert not StageTransition.objects.filter(account=theirs).exists()


def test_segment_filters_cover_every_dimension(workspace):
    match = AccountFactory(
        workspace=workspace,
        tier=1,
        fit_score=80,
        intent_score=60,
        engagement_score=50,
        priority=70,
        industry="Software",
        stage="engaged",
        country="DE",
        technologies=["Salesforce", "Snowflake"],
    )
    AccountFactory(workspace=workspace, tier=1, fit_score=80, industry="Software", country="US")
    AccountFactory(workspace=workspace, tier=2, fit_score=90, technologies=["Snowflake"])
    filters = {
        "tiers": [1],
        "min_fit": 75,
        "min_intent": 50,
        "min_engagement": 40,
        "min_priority": 60,
        "industries": ["Software"],
        "stages": ["engaged", "mqa"],
        "countries": ["de"],
        "technologies": ["Snowflake"],
    }
    qs = selectors.segment_queryset(workspace=workspace, filters=filters)
    assert list(qs.values_list("pk", flat=True)) == [match.pk]
    untiered = AccountFactory(workspace=workspace, tier=None)
    assert untiered.pk in selectors.segment_queryset(
        workspace=workspace, filters={"tiers": [0]}
    ).values_list("pk", flat=True)


def test_adding_a_segment_twice_adds_each_account_once(workspace):
    campaign = CampaignFactory(workspace=workspace)
    AccountFactory.create_batch(3, workspace=workspace, tier=1)
    segment = services.segment_save(workspace=workspace, name="T1", filters={"tiers": [1]})
    assert services.campaign_targets_from_segment(campaign=campaign, segment=segment) == 3
    assert services.campaign_targets_from_segment(campaign=campaign, segment=segment) == 0
    assert CampaignAccount.objects.for_workspace(workspace).count() == 3


def test_a_segment_of_another_workspace_cannot_fill_my_campaign(workspace, other_workspace):
    campaign = CampaignFactory(workspace=workspace)
    theirs = services.segment_save(workspace=other_workspace, name="T", filters={})
    with pytest.raises(ValidationError):
        services.campaign_targets_from_segment(campaign=campaign, segment=theirs)


def test_an_ip_range_for_an_account_of_another_workspace_is_refused(workspace, other_workspace):
    theirs = AccountFactory(workspace=other_workspace)
    with pytest.raises(ValidationError):
        services.ip_range_add(workspace=workspace, account=theirs, cidr="10.0.0.0/8")


def test_campaign_performance_hand_computed(workspace):
    # given campaign A (budget 2,000) touching two target accounts, campaign B touching one
    a = CampaignFactory(workspace=workspace, name="A", budget=2000)
    b = CampaignFactory(workspace=workspace, name="B", budget=None)
    one, two, three = AccountFactory.create_batch(3, workspace=workspace)
    CampaignAccountFactory(workspace=workspace, campaign=a, account=one)
    CampaignAccountFactory(workspace=workspace, campaign=a, account=two)
    CampaignAccountFactory(workspace=workspace, campaign=a, account=three)
    person = ContactFactory(workspace=workspace, account=one)
    # account one: A's email open (1 pt) on 1 March, B's webinar (hand raiser) 5 March,
    # A's click 7 March (5 pts) → engaged for B only (A gave it 6 points)
    EngagementEventFactory(
        workspace=workspace,
        account=one,
        contact=person,
        campaign=a,
        kind="email_open",
        channel="email",
        weight=1,
        occurred_at=at(3, 1),
    )
    EngagementEventFactory(
        workspace=workspace,
        account=one,
        contact=person,
        campaign=b,
        kind="webinar_attended",
        channel="webinars",
        weight=20,
        occurred_at=at(3, 5),
    )
    EngagementEventFactory(
        workspace=workspace,
        account=one,
        campaign=a,
        kind="email_click",
        channel="email",
        weight=5,
        occurred_at=at(3, 7),
    )
    # account two: A's meeting → engaged for A
    EngagementEventFactory(
        workspace=workspace,
        account=two,
        campaign=a,
        kind="meeting",
        channel="sdr_outreach",
        weight=30,
        occurred_at=at(3, 9),
    )
    # account one opens a 30,000 deal on 10 March and wins it on 20 April
    OpportunityFactory(
        workspace=workspace,
        account=one,
        amount=30_000,
        created_date=dt.date(2026, 3, 10),
        is_closed=True,
        is_won=True,
        close_date=dt.date(2026, 4, 20),
    )
    # when
    rows = {
        r["name"]: r
        for r in selectors.campaign_performance(
            workspace=workspace,
            model="u_shaped",
            date_from=dt.date(2026, 3, 1),
            date_to=dt.date(2026, 4, 30),
        )
    }
    # then: U-shape over (A open, B webinar, A click) = 0.4 / 0.2 / 0.4
    assert rows["A"]["targeted"] == 3
    assert rows["A"]["reached"] == 2
    assert rows["A"]["engaged"] == 1
    assert rows["A"]["pipeline"] == pytest.approx(24_000)
    assert rows["A"]["won_revenue"] == pytest.approx(24_000)
    assert rows["A"]["opportunities"] == 1
    assert rows["A"]["cost_per_engaged_account"] == 2000
    assert rows["A"]["roi"] == pytest.approx((24_000 - 2000) / 2000)
    assert (rows["B"]["targeted"], rows["B"]["reached"], rows["B"]["engaged"]) == (1, 1, 1)
    assert rows["B"]["pipeline"] == pytest.approx(6_000)
    assert rows["B"]["roi"] is None
    assert rows["B"]["cost_per_engaged_account"] is None
    # and under first touch everything goes to A
    first = {
        r["name"]: r
        for r in selectors.campaign_performance(workspace=workspace, model="first_touch")
    }
    assert (first["A"]["pipeline"], first["B"]["pipeline"]) == (30_000, 0)
    channels = {
        r["channel"]: r["pipeline"]
        for r in selectors.channel_performance(workspace=workspace, model="u_shaped")
    }
    assert channels == pytest.approx({"email": 24_000, "webinars": 6_000})


def test_mqa_counts_accounts_that_became_mqa_after_the_campaign_touched_them(workspace):
    campaign = CampaignFactory(workspace=workspace)
    account = AccountFactory(workspace=workspace, fit_score=80)
    p1 = ContactFactory(workspace=workspace, account=account)
    p2 = ContactFactory(workspace=workspace, account=account)
    EngagementEventFactory(
        workspace=workspace,
        account=account,
        contact=p1,
        campaign=campaign,
        kind="meeting",
        weight=30,
        occurred_at=at(5, 1),
    )
    EngagementEventFactory(
        workspace=workspace,
        account=account,
        contact=p2,
        campaign=campaign,
        kind="form_fill",
        weight=15,
        occurred_at=at(5, 2),
    )
    services.journey_recompute(workspace=workspace)
    row = selectors.campaign_performance(workspace=workspace)[0]
    assert row["mqa"] == 1


def test_heatmap_is_accounts_by_weeks(workspace):
    campaign = CampaignFactory(workspace=workspace, ends=dt.date(2026, 3, 29))  # a Sunday
    busy, quiet = AccountFactory.create_batch(2, workspace=workspace)
    CampaignAccountFactory(workspace=workspace, campaign=campaign, account=quiet)
    EngagementEventFactory(
        workspace=workspace, account=busy, campaign=campaign, weight=5, occurred_at=at(3, 24)
    )
    EngagementEventFactory(
        workspace=workspace, account=busy, campaign=campaign, weight=2, occurred_at=at(3, 25)
    )
    EngagementEventFactory(
        workspace=workspace, account=busy, campaign=campaign, weight=1, occurred_at=at(3, 10)
    )
    grid = selectors.campaign_heatmap(campaign=campaign, weeks=4, today=dt.date(2026, 6, 1))
    assert grid["weeks"] == [
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 16),
        dt.date(2026, 3, 23),
    ]
    assert [r["account"].pk for r in grid["rows"]] == [busy.pk, quiet.pk]
    assert grid["rows"][0]["cells"] == [0, 1, 0, 7]
    assert grid["rows"][1]["cells"] == [0, 0, 0, 0]
    assert grid["max"] == 7


def test_deleting_an_account_deletes_its_touches_and_a_contact_leaves_them_anonymous(workspace):
    # the event table has no database FK constraints (ingestion speed); the ORM still cascades
    account = AccountFactory(workspace=workspace)
    person = ContactFactory(workspace=workspace, account=None)
    EngagementEventFactory(workspace=workspace, account=account, external_id="gone")
    kept = EngagementEventFactory(
        workspace=workspace, account=None, contact=person, external_id="kept"
    )
    account.delete()
    person.delete()
    kept.refresh_from_db()
    assert kept.contact_id is None
    assert list(
        EngagementEvent.objects.for_workspace(workspace).values_list("external_id", flat=True)
    ) == ["kept"]
