"""An SDR's morning in a real browser: work the queue, open an account, log a call, review a match."""

import pytest

from accounts.models import Activity, Contact, MatchStatus
from matching.models import MatchCandidate
from tests.factories import AccountFactory, ContactFactory, LeadFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sdr_book(workspace, sdr_user):
    """Two accounts owned by the SDR, a champion at the better one, and a lead to review."""
    initech = AccountFactory(
        workspace=workspace, owner=sdr_user, name="Initech", domain="initech.example",
        priority=91, tier=1, industry="Software",
    )  # fmt: skip
    AccountFactory(workspace=workspace, owner=sdr_user, name="Globex", priority=42, tier=2)
    ada = ContactFactory(
        workspace=workspace, account=initech, first_name="Ada", last_name="Lovelace",
        email="ada@initech.example", title="VP Engineering", seniority="vp",
    )  # fmt: skip
    lead = LeadFactory(
        workspace=workspace, first_name="Lena", last_name="Lead",
        email="lena@initech-group.example", email_domain="initech-group.example",
        company_name="Initech Group", match_status=MatchStatus.REVIEW, match_confidence=0.74,
    )  # fmt: skip
    candidate = MatchCandidate.objects.create(
        workspace=workspace, contact=lead, account=initech, score=0.74,
        decision=MatchCandidate.Decision.REVIEW, reason="company name close to Initech",
        signals={"name": 0.86},
    )  # fmt: skip
    return {"initech": initech, "ada": ada, "lead": lead, "candidate": candidate}


def test_an_sdr_works_the_queue_logs_a_call_and_reviews_a_match(
    live_server, login, sdr_user, sdr_book
):
    initech, lead = sdr_book["initech"], sdr_book["lead"]
    page = login(sdr_user)

    # when the SDR opens their queue
    page.goto(f"{live_server.url}/queue/")
    # then their accounts are listed, highest priority first
    names = page.locator("table.table tbody tr td:first-child a").all_inner_texts()
    assert names == ["Initech", "Globex"]

    # when they open the top account
    page.get_by_role("link", name="Initech", exact=True).first.click()
    page.wait_for_url(f"**/accounts/{initech.pk}/")
    assert "Initech" in page.inner_text(".page-title")
    assert "Ada Lovelace" in page.inner_text(".content")

    # and log a connected call with Ada
    form = page.locator("form#log")
    form.locator("select[name=kind]").select_option("call")
    form.locator("select[name=outcome]").select_option("connected")
    form.locator("select[name=contact]").select_option(str(sdr_book["ada"].pk))
    form.locator("[name=note]").fill("Ada wants a security brief before the Q3 rollout.")
    form.get_by_role("button", name="Log activity").click()
    # then the call appears on the account's timeline without leaving the page
    timeline = page.locator("ol.timeline")
    timeline.wait_for()
    assert "Call" in timeline.inner_text()
    assert "Connected" in timeline.inner_text()
    assert "security brief" in timeline.inner_text()
    assert page.url.endswith(f"/accounts/{initech.pk}/")
    call = Activity.objects.get(account=initech)
    assert (call.kind, call.outcome, call.user_id) == ("call", "connected", sdr_user.pk)
    assert call.contact_id == sdr_book["ada"].pk

    # when they go to the match review queue
    page.locator(".sidebar").get_by_role("link", name="Match review").click()
    page.wait_for_url("**/matching/review/")
    card = page.locator(f"#lead-{lead.pk}")
    # then the uncertain lead is shown with its suggested account
    assert "Initech" in card.inner_text()
    # and accepting it links the lead to that account, in place
    card.get_by_role("button", name="Accept").first.click()
    page.locator(f"#lead-{lead.pk}[data-decided]").wait_for()
    lead = Contact.objects.get(pk=lead.pk)
    assert lead.account_id == initech.pk
    assert MatchCandidate.objects.get(pk=sdr_book["candidate"].pk).decision == "accepted"
