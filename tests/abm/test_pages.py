"""Every navigation page: 200 for roles that may see it, 403 for the others, login for anonymous."""

import pytest

from abm.permissions import SECTION_ROLES

NAV_PAGES = {
    "/queue/": "queue",
    "/accounts/": "accounts",
    "/matching/review/": "matching",
    "/imports/": "imports",
    "/campaigns/": "campaigns",
    "/scoring/": "scoring",
    "/dashboards/executive/": "dashboards",
    "/dashboards/engagement/": "dashboards",
    "/dashboards/conversion/": "dashboards",
    "/dashboards/deal-size/": "dashboards",
    "/dashboards/campaigns/": "dashboards",
    "/dashboards/sdr-team/": "dashboards",
    "/settings/": "settings",
}
ROLES = ["admin", "marketer", "sdr", "viewer"]


@pytest.mark.parametrize("path", NAV_PAGES)
def test_anonymous_visitor_is_sent_to_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", NAV_PAGES)
def test_each_role_sees_exactly_its_pages(client_for, make_member, workspace, role, path):
    # given a member with this role
    user = make_member(workspace, role)
    # when
    response = client_for(user).get(path)
    # then
    expected = 200 if role in SECTION_ROLES[NAV_PAGES[path]] else 403
    assert response.status_code == expected, f"{role} on {path}"


def test_unknown_dashboard_is_404(admin_client):
    assert admin_client.get("/dashboards/no-such-board/").status_code == 404


def test_home_sends_an_sdr_to_the_queue_and_others_to_the_executive_dashboard(
    client_for, sdr_user, marketer_user
):
    assert client_for(sdr_user).get("/")["Location"] == "/queue/"
    assert client_for(marketer_user).get("/")["Location"] == "/dashboards/executive/"


def test_login_page_renders_and_logs_in(client, admin_user):
    assert client.get("/login/").status_code == 200
    response = client.post(
        "/login/", {"username": admin_user.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get("/accounts/").status_code == 200


def test_navigation_shows_only_permitted_sections(client_for, viewer_user):
    body = client_for(viewer_user).get("/accounts/").content.decode()
    assert 'href="/accounts/"' in body
    assert 'href="/settings/"' not in body
    assert 'href="/imports/"' not in body


def test_admin_changes_thresholds_and_they_stick(admin_client, workspace):
    response = admin_client.post(
        "/settings/thresholds/",
        {
            "match_auto_threshold": "0.95",
            "match_review_threshold": "0.6",
            "sla_hours": "12",
        },
    )
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.setting("match_auto_threshold") == 0.95
    assert workspace.setting("sla_hours") == 12
    # tiers are configured in one place only, on the scoring settings page
    page = admin_client.get("/settings/").content.decode()
    assert "tier1_cap" not in page
    assert 'href="/scoring/settings/"' in page


def test_thresholds_refuse_review_above_auto(admin_client, workspace):
    admin_client.post(
        "/settings/thresholds/",
        {
            "match_auto_threshold": "0.5",
            "match_review_threshold": "0.9",
            "sla_hours": "12",
        },
    )
    workspace.refresh_from_db()
    assert workspace.setting("match_auto_threshold") == 0.9  # unchanged default


def test_api_token_is_shown_once_and_authenticates(admin_client, workspace):
    admin_client.post("/settings/tokens/", {"name": "Website events"})
    page = admin_client.get("/settings/").content.decode()
    raw = page.split('<pre class="code">')[1].split("</pre>")[0].strip()
    assert raw.startswith("bk_")
    assert raw not in admin_client.get("/settings/").content.decode()
    from django.test import Client

    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/accounts/").status_code == 200
    assert Client(HTTP_AUTHORIZATION="Bearer bk_wrong").get("/api/v1/accounts/").status_code == 401


def test_create_workspace_command_is_idempotent(db):
    from io import StringIO

    from django.core.management import call_command

    from abm.models import Membership, Workspace

    for _ in range(2):
        call_command(
            "create_workspace",
            "initech",
            name="Initech",
            admin="Boss@Initech.test",
            stdout=StringIO(),
        )
    assert Workspace.objects.filter(slug="initech").count() == 1
    assert Membership.objects.get(workspace__slug="initech").role == "admin"


def test_repeated_wrong_passwords_lock_only_that_username_from_that_address(
    client, admin_user, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(
            "/login/",
            {"username": admin_user.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
        )
    locked = client.post(
        "/login/",
        {"username": admin_user.username, "password": "correct-horse-battery"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert locked.status_code == 429
    # the victim signing in from another address is not locked out
    from django.test import Client

    elsewhere = Client(REMOTE_ADDR="10.0.0.2").post(
        "/login/", {"username": admin_user.username, "password": "correct-horse-battery"}
    )
    assert elsewhere.status_code == 302


def test_oversized_api_body_is_413_in_the_api_error_shape(admin_client, settings):
    settings.API_MAX_BODY_BYTES = 1000
    response = admin_client.post(
        "/api/v1/accounts/", data="x" * 5000, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_api_errors_share_one_shape(client, db):
    response = client.get("/api/v1/accounts/")
    assert response.status_code in (401, 403)
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_a_malformed_session_cookie_is_ignored_not_a_server_error(client, db):
    client.cookies["sessionid"] = "abc\x00def"
    response = client.get("/accounts/")
    assert response.status_code == 302  # treated as anonymous, sent to login
