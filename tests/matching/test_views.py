"""The review queue in the browser's place: who may see it, and what each button does."""

import pytest

from accounts.models import Account, Contact
from matching import services
from matching.models import MatchCandidate
from tests.matching.factories import account, lead

pytestmark = pytest.mark.django_db

URL = "/matching/review/"


@pytest.fixture
def in_review(workspace):
    """A lead the engine is unsure about, with Kanor Shipping as its best suggestion."""
    workspace.settings = {"match_auto_threshold": 0.99999, "match_review_threshold": 0.2}
    workspace.save()
    kanor = account(workspace, "Kanor Shipping GmbH", "kanor.de", country="DE")
    person = lead(workspace, "k@gmail.com", "Kanor Shiping", country="DE", first_name="Kim")
    services.match_contacts_to_accounts(workspace=workspace)
    return person, MatchCandidate.objects.get(contact=person, account=kanor)


@pytest.mark.parametrize("role", ["sdr", "admin"])
def test_sdrs_and_admins_see_the_lead_beside_its_candidates(
    role, workspace, make_member, client_for, in_review
):
    person, candidate = in_review
    client = client_for(make_member(workspace, role))
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kanor Shiping" in body  # what the lead typed
    assert "Kanor Shipping GmbH" in body  # the suggestion
    assert candidate.reason in body  # why
    assert f'action="/matching/candidates/{candidate.pk}/accept/"' in body
    assert "Pick another account" in body
    assert "Create account" in body
    assert 'data-key="a"' in body  # keyboard shortcut hooks


@pytest.mark.parametrize("role", ["marketer", "viewer"])
def test_marketers_and_viewers_may_not_open_the_queue(role, workspace, make_member, client_for):
    client = client_for(make_member(workspace, role))
    assert client.get(URL).status_code == 403


def test_marketers_may_not_decide_either(workspace, make_member, client_for, in_review):
    _person, candidate = in_review
    client = client_for(make_member(workspace, "marketer"))
    assert client.post(f"/matching/candidates/{candidate.pk}/accept/").status_code == 403


def test_an_empty_queue_says_so(workspace, sdr_user, client_for):
    response = client_for(sdr_user).get(URL)
    assert response.status_code == 200
    assert "Nothing to review" in response.content.decode()


def test_accept_links_the_lead(workspace, sdr_user, client_for, in_review):
    person, candidate = in_review
    response = client_for(sdr_user).post(f"/matching/candidates/{candidate.pk}/accept/")
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.account_id, person.match_status) == (candidate.account_id, "accepted")
    candidate.refresh_from_db()
    assert candidate.decided_by == sdr_user


def test_accept_with_htmx_swaps_the_card_for_the_outcome(
    workspace, sdr_user, client_for, in_review
):
    _person, candidate = in_review
    response = client_for(sdr_user).post(
        f"/matching/candidates/{candidate.pk}/accept/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Linked to Kanor Shipping GmbH" in response.content.decode()


def test_reject_takes_the_lead_out_of_the_queue(workspace, sdr_user, client_for, in_review):
    person, candidate = in_review
    client_for(sdr_user).post(f"/matching/candidates/{candidate.pk}/reject/")
    person.refresh_from_db()
    assert person.match_status == "rejected"
    assert "Kanor Shiping" not in client_for(sdr_user).get(URL).content.decode()


def test_another_workspaces_candidate_is_not_found(
    workspace, other_workspace, make_member, client_for
):
    theirs = account(other_workspace, "Globex", "globex.com")
    their_lead = lead(other_workspace, "g@gmail.com", "Globex")
    candidate = MatchCandidate.objects.create(
        workspace=other_workspace, contact=their_lead, account=theirs, score=0.7,
        decision="review",
    )  # fmt: skip
    client = client_for(make_member(workspace, "sdr"))
    assert client.post(f"/matching/candidates/{candidate.pk}/accept/").status_code == 404
    assert client.post(f"/matching/candidates/{candidate.pk}/reject/").status_code == 404
    assert (
        client.post(f"/matching/leads/{their_lead.pk}/link/", {"account_id": theirs.pk}).status_code
        == 404
    )
    assert MatchCandidate.objects.get(pk=candidate.pk).decision == "review"


def test_linking_to_another_workspaces_account_is_not_found(
    workspace, other_workspace, sdr_user, client_for, in_review
):
    person, _candidate = in_review
    theirs = account(other_workspace, "Globex", "globex.com")
    response = client_for(sdr_user).post(
        f"/matching/leads/{person.pk}/link/", {"account_id": theirs.pk}
    )
    assert response.status_code == 404
    person.refresh_from_db()
    assert person.account is None


def test_pick_another_account_searches_and_links(workspace, sdr_user, client_for, in_review):
    person, _candidate = in_review
    initech = account(workspace, "Initech", "initech.com")
    client = client_for(sdr_user)
    found = client.get(f"/matching/leads/{person.pk}/account-search/", {"q": "initech"})
    assert "Initech" in found.content.decode()
    client.post(f"/matching/leads/{person.pk}/link/", {"account_id": initech.pk})
    person.refresh_from_db()
    assert (person.account, person.match_status) == (initech, "manual")


def test_create_account_from_the_queue(workspace, sdr_user, client_for, in_review):
    person, _candidate = in_review
    client_for(sdr_user).post(
        f"/matching/leads/{person.pk}/create-account/", {"name": "Kanor Shiping Co", "domain": ""}
    )
    person.refresh_from_db()
    assert person.account.name == "Kanor Shiping Co"
    assert person.account.workspace == workspace


def test_bulk_accept_from_the_queue(workspace, sdr_user, client_for, in_review):
    person, candidate = in_review
    response = client_for(sdr_user).post(
        "/matching/review/bulk-accept/", {"candidate": [candidate.pk]}
    )
    assert response.status_code == 302
    assert Contact.objects.get(pk=person.pk).match_status == "accepted"


def test_rematch_button_starts_a_run(
    workspace, admin_user, client_for, django_capture_on_commit_callbacks
):
    account(workspace, "Acme Corporation", "acme.com")
    person = lead(workspace, "ann@acme.com", "Acme")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post("/matching/review/rematch/")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.account == Account.objects.get(domain="acme.com")
    page = client_for(admin_user).get(URL).content.decode()
    assert "Last match run" in page


def test_searching_the_queue_by_company(workspace, sdr_user, client_for, in_review):
    client = client_for(sdr_user)
    assert "Kanor Shiping" in client.get(URL, {"q": "kanor"}).content.decode()
    miss = client.get(URL, {"q": "nothing-like-this"}).content.decode()
    assert "No lead in review matches this search" in miss


def test_a_suggested_account_is_created_with_its_leads(workspace, admin_user, client_for):
    a = lead(workspace, "a@newco.io", "NewCo")
    b = lead(workspace, "b@newco.io", "NewCo")
    services.match_contacts_to_accounts(workspace=workspace)
    client = client_for(admin_user)
    page = client.get(URL).content.decode()
    assert "Suggested new accounts" in page
    assert "newco.io" in page
    client.post("/matching/suggestions/create/", {"domain": "newco.io", "name": "NewCo"})
    created = Account.objects.for_workspace(workspace).get(domain="newco.io")
    assert set(created.contacts.values_list("pk", flat=True)) == {a.pk, b.pk}


def test_a_free_mail_domain_cannot_become_an_account(workspace, admin_user, client_for):
    client_for(admin_user).post(
        "/matching/suggestions/create/", {"domain": "gmail.com", "name": "x"}
    )
    assert not Account.objects.for_workspace(workspace).filter(domain="gmail.com").exists()
