import pytest
from django.urls import reverse

from accounts.models import Account
from tests.factories import AccountFactory, ContactFactory, MembershipFactory, UserFactory


def test_for_workspace_returns_only_that_workspaces_rows(workspace, other_workspace):
    # given
    mine = AccountFactory(workspace=workspace)
    AccountFactory(workspace=other_workspace)
    # when
    visible = list(Account.objects.for_workspace(workspace))
    # then
    assert visible == [mine]


def test_for_workspace_refuses_an_unsaved_workspace(db):
    from abm.models import Workspace

    with pytest.raises(ValueError, match="saved workspace"):
        Account.objects.for_workspace(Workspace(name="x", slug="x"))


def test_account_of_another_workspace_is_404(client_for, admin_user, other_workspace):
    # given an account in a workspace the admin does not belong to
    theirs = AccountFactory(workspace=other_workspace)
    # when
    response = client_for(admin_user).get(reverse("account_detail", args=[theirs.pk]))
    # then
    assert response.status_code == 404


def test_account_list_never_shows_another_workspaces_accounts(
    client_for, admin_user, workspace, other_workspace
):
    AccountFactory(workspace=workspace, name="Visible Corp")
    AccountFactory(workspace=other_workspace, name="Secret Rival Inc")
    body = client_for(admin_user).get(reverse("account_list")).content.decode()
    assert "Visible Corp" in body
    assert "Secret Rival Inc" not in body


def test_workspace_switcher_changes_the_scope(client_for, workspace, other_workspace):
    # given a user in two workspaces
    user = UserFactory(email="both@example.com")
    MembershipFactory(user=user, workspace=workspace, role="admin")
    MembershipFactory(user=user, workspace=other_workspace, role="viewer")
    AccountFactory(workspace=workspace, name="In Acme")
    AccountFactory(workspace=other_workspace, name="In Globex")
    client = client_for(user)
    assert "In Acme" in client.get(reverse("account_list")).content.decode()
    # when
    response = client.post(reverse("workspace_switch"), {"workspace": other_workspace.pk})
    # then
    assert response.status_code == 302
    body = client.get(reverse("account_list")).content.decode()
    assert "In Globex" in body
    assert "In Acme" not in body


def test_workspace_switcher_refuses_a_workspace_the_user_is_not_in(
    client_for, admin_user, other_workspace
):
    response = client_for(admin_user).post(
        reverse("workspace_switch"), {"workspace": other_workspace.pk}
    )
    assert response.status_code == 400


def test_api_hides_another_workspaces_objects(client_for, admin_user, other_workspace):
    theirs = AccountFactory(workspace=other_workspace)
    contact = ContactFactory(workspace=other_workspace)
    client = client_for(admin_user)
    assert client.get(f"/api/v1/accounts/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/contacts/{contact.pk}/").status_code == 404
    listed = client.get("/api/v1/accounts/").json()
    assert listed["results"] == []


def test_user_without_membership_sees_no_workspace_page(client, db):
    user = UserFactory(email="lonely@example.com")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403
    assert b"not a member of any workspace" in response.content
