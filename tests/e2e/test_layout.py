"""The app shell in a real browser: assets load, menus, shortcuts, workspace switch, htmx with CSRF."""

import pytest

from tests.factories import MembershipFactory, WorkspaceFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _collect_errors(page):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def test_every_section_renders_with_styles_and_scripts_and_no_errors(
    live_server, login, admin_user
):
    # given an admin signed in
    page = login(admin_user)
    errors = _collect_errors(page)
    for path in [
        "/queue/",
        "/accounts/",
        "/campaigns/",
        "/dashboards/executive/",
        "/imports/",
        "/matching/review/",
        "/scoring/",
        "/settings/",
    ]:
        # when they open each section
        page.goto(f"{live_server.url}{path}")
        # then the design system and both libraries are live, and the section is highlighted
        assert (
            page.evaluate("getComputedStyle(document.querySelector('.sidebar')).position")
            == "sticky"
        )
        assert page.evaluate(
            "typeof window.htmx === 'object' && typeof window.Chart === 'function'"
        )
        assert page.locator(".nav-item.is-active").count() == 1
    assert errors == []


def test_user_menu_opens_and_logs_out(live_server, login, marketer_user):
    page = login(marketer_user)
    page.goto(f"{live_server.url}/accounts/")
    page.click(".user-button")
    assert page.locator(".menu-panel").is_visible()
    assert "Marketer" in page.inner_text(".menu-panel")
    page.keyboard.press("Escape")
    assert not page.locator(".menu-panel").is_visible()
    page.click(".user-button")
    page.click("text=Log out")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/accounts/")
    assert "/login/" in page.url


def test_g_then_a_key_jumps_to_a_section(live_server, login, sdr_user):
    page = login(sdr_user)
    page.goto(f"{live_server.url}/queue/")
    page.keyboard.press("g")
    page.keyboard.press("a")
    page.wait_for_url("**/accounts/")
    assert page.locator(".nav-item.is-active").inner_text().strip().startswith("Accounts")


def test_choosing_a_workspace_switches_to_it(live_server, login, admin_user):
    # given an admin who also belongs to a second workspace
    second = WorkspaceFactory(slug="second", name="Second Team")
    MembershipFactory(user=admin_user, workspace=second, role="viewer")
    page = login(admin_user)
    page.goto(f"{live_server.url}/accounts/")
    # when they pick it in the top bar
    page.select_option("#ws-switch", label="Second Team")
    page.wait_for_load_state("networkidle")
    # then the page says so and the menu shows their role there
    assert "Switched to Second Team." in page.inner_text(".messages")
    assert page.locator(".nav-item[href='/settings/']").count() == 0


def test_htmx_posts_carry_the_csrf_token(live_server, login, admin_user):
    second = WorkspaceFactory(slug="second", name="Second Team")
    MembershipFactory(user=admin_user, workspace=second, role="admin")
    page = login(admin_user)
    page.goto(f"{live_server.url}/accounts/")
    statuses: list[int] = []
    page.on(
        "response",
        lambda r: statuses.append(r.status) if r.url.endswith("/workspace/switch/") else None,
    )
    page.evaluate(
        """id => { const b = document.createElement('button'); b.id = 'hx';
        b.setAttribute('hx-post', '/workspace/switch/'); b.setAttribute('hx-vals', JSON.stringify({workspace: id}));
        b.setAttribute('hx-swap', 'none'); document.querySelector('.content').prepend(b); htmx.process(b); }""",
        str(second.pk),
    )
    page.click("#hx")
    page.wait_for_timeout(800)
    assert statuses == [302]  # a missing CSRF header would be a 403
