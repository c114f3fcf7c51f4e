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


def test_a_lead_sent_by_the_api_is_matched_to_its_account(
    client_for, marketer_user, workspace, django_capture_on_commit_callbacks
):
    # given an account that owns initech.com
    account = AccountFactory(workspace=workspace, name="Initech", domain="initech.com")
    # when a lead arrives through the API (tasks run eagerly in tests)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(marketer_user).post(
            "/api/v1/contacts/",
            {
                "email": "Peter.Gibbons@Initech.com",
                "first_name": "Peter",
                "company_name": "Initech",
            },
            content_type="application/json",
        )
    # then it is stored comparable and linked to the account
    assert response.status_code == 201, response.content
    from accounts.models import Contact

    lead = Contact.objects.for_workspace(workspace).get(pk=response.json()["id"])
    assert lead.email == "peter.gibbons@initech.com"
    assert lead.email_domain == "initech.com"
    assert lead.is_lead is True
    assert lead.account_id == account.pk
    assert lead.match_status == "auto"


def test_a_duplicate_email_is_a_clear_400_not_a_server_error(client_for, marketer_user, workspace):
    client = client_for(marketer_user)
    first = client.post(
        "/api/v1/contacts/", {"email": "ada@example.com"}, content_type="application/json"
    )
    second = client.post(
        "/api/v1/contacts/", {"email": "ADA@example.com"}, content_type="application/json"
    )
    assert first.status_code == 201
    assert second.status_code == 400
    assert "email" in second.json()["error"]["details"]
