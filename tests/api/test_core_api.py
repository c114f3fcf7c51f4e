from tests.factories import AccountFactory


def test_creating_an_account_through_the_api_lands_in_my_workspace(
    client_for, marketer_user, workspace
):
    response = client_for(marketer_user).post(
        "/api/v1/accounts/",
        {"name": "Initech", "domain": "initech.com"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Initech"
    from accounts.models import Account

    assert Account.objects.for_workspace(workspace).filter(name="Initech").exists()


def test_a_related_id_from_another_workspace_is_refused(client_for, admin_user, other_workspace):
    theirs = AccountFactory(workspace=other_workspace)
    response = client_for(admin_user).post(
        "/api/v1/contacts/",
        {"email": "x@initech.com", "account": theirs.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "account" in response.json()["error"]["details"]


def test_viewer_may_read_but_not_write(client_for, viewer_user, workspace):
    AccountFactory(workspace=workspace)
    client = client_for(viewer_user)
    assert client.get("/api/v1/accounts/").status_code == 200
    response = client.post("/api/v1/accounts/", {"name": "Nope"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_schema_is_served(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi" in response.content
