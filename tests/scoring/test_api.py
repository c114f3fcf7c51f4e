"""Scoring API: signals land in my workspace and re-score their account at once."""

import pytest
from django.utils import timezone

from accounts.models import Account
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_trigger_event_sent_by_the_api_rescores_its_account(client_for, marketer_user, workspace):
    account = AccountFactory(workspace=workspace)
    response = client_for(marketer_user).post(
        "/api/v1/trigger-events/",
        {
            "account": account.pk,
            "kind": "funding",
            "occurred_at": timezone.now().isoformat(),
            "detail": "Series C",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    account = Account.objects.get(pk=account.pk)
    assert account.intent_score > 0
    assert account.score_reasons["why_now"].startswith("Raised funding")


def test_intent_for_another_workspaces_account_is_refused(client_for, admin_user, other_workspace):
    theirs = AccountFactory(workspace=other_workspace)
    response = client_for(admin_user).post(
        "/api/v1/intent-signals/",
        {
            "account": theirs.pk,
            "topic": "crm",
            "strength": 50,
            "observed_at": "2026-11-20T00:00:00Z",
        },
        content_type="application/json",
    )
    assert response.status_code == 400


def test_viewers_read_score_history_but_cannot_send_signals(client_for, viewer_user, workspace):
    account = AccountFactory(workspace=workspace)
    client = client_for(viewer_user)
    assert client.get(f"/api/v1/score-snapshots/?account={account.pk}").status_code == 200
    response = client.post("/api/v1/intent-signals/", {"account": account.pk, "topic": "crm",
                           "strength": 5, "observed_at": "2026-11-20T00:00:00Z"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 403
