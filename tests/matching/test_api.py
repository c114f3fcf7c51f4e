"""/api/v1/matches: suggestions readable by every member, decisions by SDRs and admins."""

import pytest

from matching import services
from matching.models import MatchCandidate
from tests.matching.factories import account, lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def suggestion(workspace):
    workspace.settings = {"match_auto_threshold": 0.99999, "match_review_threshold": 0.2}
    workspace.save()
    account(workspace, "Kanor Shipping GmbH", "kanor.de", country="DE")
    person = lead(workspace, "k@gmail.com", "Kanor Shiping", country="DE")
    services.match_contacts_to_accounts(workspace=workspace)
    return MatchCandidate.objects.get(contact=person)


def test_suggestions_are_listed_with_their_signals(client_for, viewer_user, suggestion):
    response = client_for(viewer_user).get("/api/v1/matches/?decision=review")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [suggestion.pk]
    assert rows[0]["signals"]["country_eq"] == 1.0
    assert rows[0]["reason"] == suggestion.reason


def test_an_sdr_accepts_a_suggestion_through_the_api(client_for, sdr_user, suggestion):
    response = client_for(sdr_user).post(f"/api/v1/matches/{suggestion.pk}/accept/")
    assert response.status_code == 200, response.content
    assert response.json()["decision"] == "accepted"
    suggestion.contact.refresh_from_db()
    assert suggestion.contact.account_id == suggestion.account_id


def test_a_marketer_may_not_decide(client_for, marketer_user, suggestion):
    response = client_for(marketer_user).post(f"/api/v1/matches/{suggestion.pk}/reject/")
    assert response.status_code == 403


def test_another_workspaces_suggestion_is_not_found(
    client_for, make_member, other_workspace, suggestion
):
    outsider = make_member(other_workspace, "sdr")
    assert client_for(outsider).post(f"/api/v1/matches/{suggestion.pk}/accept/").status_code == 404
    assert client_for(outsider).get("/api/v1/matches/").json()["results"] == []
