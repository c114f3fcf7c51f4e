"""A small, hand-computed data set. Every expected number in these tests is worked out in the
comments of `dataset` — change a row there and the arithmetic next to it.

Period under test: 2026-01-01 … 2026-03-31 (90 days). Previous period: 2025-10-03 … 2025-12-31.

Accounts (ABM = target flag or on a campaign's target list):
  A1 tier 1, 5,000 employees (enterprise), Software,   owner sdr1, is_target        → ABM
  A2 tier 2,   500 employees (mid-market), Healthcare, owner sdr2, on C1's list     → ABM
  A3 no tier,   50 employees (SMB),        Software,   no owner                     → other
  A4 tier 3, size unknown,                 Retail,     owner sdr1                   → other

Opportunities (USD unless noted; cycle = close − created in days):
  O1 A1 100,000  created 2026-01-10  won  2026-03-01  (50)
  O2 A1  46,000 EUR = 50,000 USD  created 2026-02-01  lost 2026-03-15  (42)
  O3 A2  30,000  created 2025-12-01  won  2026-02-15  (76)  campaign C1
  O4 A3  20,000  created 2026-01-20  won  2026-03-20  (59)
  O5 A3  10,000  created 2026-02-10  open
  O6 A4   5,000  created 2026-01-05  lost 2026-02-05  (31)
  O7 A1  60,000  created 2025-10-10  won  2025-12-10  (61)
  O8 A3   8,000  created 2025-10-20  won  2025-12-20  (61)
  O9 A4   4,000  created 2025-11-01  lost 2025-12-01  (30)
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from accounts.models import LeadStatusChange
from campaigns.models import StageTransition
from dashboards.services import rollups_rebuild
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    CampaignAccountFactory,
    CampaignFactory,
    ContactFactory,
    EngagementEventFactory,
    MembershipFactory,
    OpportunityFactory,
    UserFactory,
)

PERIOD = "from=2026-01-01&to=2026-03-31"


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def at(text: str, hour: int = 0) -> dt.datetime:
    return dt.datetime.combine(day(text), dt.time(hour), tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _no_result_cache(settings):
    settings.DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture
def dataset(workspace):
    sdr1 = UserFactory(
        email="sam@acme.example", first_name="Sam", last_name="Rivera", password=None
    )
    sdr2 = UserFactory(
        email="dana@acme.example", first_name="Dana", last_name="Okafor", password=None
    )
    for user in (sdr1, sdr2):
        MembershipFactory(user=user, workspace=workspace, role="sdr")
    ws = workspace
    a1 = AccountFactory(
        workspace=ws,
        name="Alpha",
        tier=1,
        employees=5000,
        industry="Software",
        owner=sdr1,
        is_target=True,
    )
    a2 = AccountFactory(
        workspace=ws, name="Bravo", tier=2, employees=500, industry="Healthcare", owner=sdr2
    )
    a3 = AccountFactory(workspace=ws, name="Charlie", tier=None, employees=50, industry="Software")
    a4 = AccountFactory(
        workspace=ws, name="Delta", tier=3, employees=None, industry="Retail", owner=sdr1
    )
    c1 = CampaignFactory(workspace=ws, name="Spring Launch")
    CampaignAccountFactory(workspace=ws, campaign=c1, account=a2)

    def opp(account, amount, created, close=None, won=False, currency="USD", campaign=None):
        return OpportunityFactory(
            workspace=ws,
            account=account,
            amount=amount,
            currency=currency,
            created_date=day(created),
            close_date=day(close) if close else None,
            is_closed=close is not None,
            is_won=won,
            campaign=campaign,
        )

    opp(a1, 100_000, "2026-01-10", "2026-03-01", won=True)  # O1
    opp(a1, 46_000, "2026-02-01", "2026-03-15", currency="EUR")  # O2
    opp(a2, 30_000, "2025-12-01", "2026-02-15", won=True, campaign=c1)  # O3
    opp(a3, 20_000, "2026-01-20", "2026-03-20", won=True)  # O4
    opp(a3, 10_000, "2026-02-10")  # O5
    opp(a4, 5_000, "2026-01-05", "2026-02-05")  # O6
    opp(a1, 60_000, "2025-10-10", "2025-12-10", won=True)  # O7
    opp(a3, 8_000, "2025-10-20", "2025-12-20", won=True)  # O8
    opp(a4, 4_000, "2025-11-01", "2025-12-01")  # O9

    # Engagement (noon UTC). Weeks start on Monday.
    #   week 2026-01-05: A2 web_visit 2
    #   week 2026-02-02: A1 email_open 1
    #   week 2026-02-09: A2 meeting 30
    #   week 2026-03-23: A1 web_visit 2 ×2 + meeting 30 (=34), A3 ad_click 4
    #   week 2026-03-30: A2 email_click 5
    def touch(account, kind, channel, weight, when):
        EngagementEventFactory(
            workspace=ws,
            account=account,
            kind=kind,
            channel=channel,
            weight=weight,
            occurred_at=at(when, 12),
        )

    touch(a2, "web_visit", "web", 2, "2026-01-05")
    touch(a1, "email_open", "email", 1, "2026-02-02")
    touch(a2, "meeting", "sdr_outreach", 30, "2026-02-10")
    touch(a1, "web_visit", "web", 2, "2026-03-24")
    touch(a1, "web_visit", "web", 2, "2026-03-24")
    touch(a1, "meeting", "sdr_outreach", 30, "2026-03-25")
    touch(a3, "ad_click", "ads", 4, "2026-03-24")
    touch(a2, "email_click", "email", 5, "2026-03-30")

    # Journeys (midnight UTC).
    def journey(account, *moves):
        previous = ""
        for stage, when in moves:
            StageTransition.objects.create(
                workspace=ws, account=account, from_stage=previous, to_stage=stage, at=at(when)
            )
            previous = stage

    journey(
        a1,
        ("target", "2025-12-15"),
        ("aware", "2026-01-10"),
        ("engaged", "2026-02-01"),
        ("mqa", "2026-03-01"),
    )
    journey(a2, ("target", "2026-01-05"), ("aware", "2026-01-25"))
    journey(
        a3,
        ("target", "2025-11-01"),
        ("aware", "2025-12-01"),
        ("engaged", "2026-02-20"),
        ("opportunity", "2026-03-10"),
        ("customer", "2026-03-30"),
    )

    # Leads.
    l1 = ContactFactory(workspace=ws, account=a1, is_lead=True, lead_status="sql")
    for status, when in (("mql", "2026-01-05"), ("sal", "2026-01-15"), ("sql", "2026-02-01")):
        LeadStatusChange.objects.create(workspace=ws, contact=l1, to_status=status, at=at(when))
    ContactFactory(
        workspace=ws,
        account=a2,
        is_lead=True,
        lead_status="sal",
        lead_status_changed_at=at("2026-02-10"),
    )
    ContactFactory(
        workspace=ws,
        account=a3,
        is_lead=True,
        lead_status="mql",
        lead_status_changed_at=at("2026-03-05"),
    )
    ContactFactory(
        workspace=ws,
        account=a4,
        is_lead=True,
        lead_status="sql",
        lead_status_changed_at=at("2025-11-15"),
    )
    ContactFactory(workspace=ws, account=a3, is_lead=True, lead_status="new")
    l6 = ContactFactory(workspace=ws, account=a1, is_lead=True, lead_status="disqualified")
    LeadStatusChange.objects.create(workspace=ws, contact=l6, to_status="mql", at=at("2026-03-10"))

    # SDR activities: sdr1 three calls and a meeting in the period, one call before it; sdr2 two meetings.
    for when, kind in (
        ("2026-01-12", "call"),
        ("2026-02-12", "call"),
        ("2026-03-12", "call"),
        ("2026-03-13", "meeting"),
        ("2025-12-01", "call"),
    ):
        ActivityFactory(workspace=ws, account=a1, user=sdr1, kind=kind, at=at(when, 9))
    for when in ("2026-01-20", "2026-02-20"):
        ActivityFactory(workspace=ws, account=a2, user=sdr2, kind="meeting", at=at(when, 9))

    rollups_rebuild(workspace=ws)
    return SimpleNamespace(ws=ws, a1=a1, a2=a2, a3=a3, a4=a4, c1=c1, sdr1=sdr1, sdr2=sdr2)
