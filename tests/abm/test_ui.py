"""The look: formatting filters, the base layout per role, shared partials, vendored assets."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.paginator import Paginator
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from abm.templatetags import ui
from tests.factories import MembershipFactory, WorkspaceFactory

STATIC = Path(settings.BASE_DIR) / "static"
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def render(source: str, **context) -> str:
    return Template("{% load ui %}" + source).render(Context(context))


# ---------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (1_234_567, "$1.2M"),
        (950, "$950"),
        (12_345, "$12.3K"),
        (999_960, "$1M"),  # rounds up a unit instead of showing "$1000K"
        (3_400_000_000, "$3.4B"),
        (-1200, "−$1.2K"),
        (0, "$0"),
        (None, "—"),
        ("", "—"),
    ],
)
def test_money_is_compact_like_a_finance_dashboard(value, shown):
    assert ui.money(value) == shown


def test_money_uses_the_currency_symbol_or_code():
    assert ui.money(2_500_000, "EUR") == "€2.5M"
    assert ui.money(2_500_000, "CHF") == "CHF 2.5M"
    assert ui.money_full(1_234_567) == "$1,234,567"


def test_compact_numbers_and_percentages():
    assert ui.compact(18_430) == "18.4K"
    assert ui.compact(7) == "7"
    assert ui.percent(0.4236) == "42%"
    assert ui.percent(0.4236, 1) == "42.4%"
    assert ui.percent(None) == "—"
    assert ui.percent_of(3, 7) == 42
    assert ui.percent_of(5, 0) == 0
    assert ui.percent_of(12, 10) == 100


@pytest.mark.parametrize(
    ("seconds_ago", "shown"),
    [
        (10, "just now"),
        (5 * 60, "5 minutes ago"),
        (2 * 3600, "2 hours ago"),
        (30 * 3600, "yesterday"),
        (3 * 86400, "3 days ago"),
        (20 * 86400, "3 weeks ago"),
        (100 * 86400, "3 months ago"),
        (800 * 86400, "2 years ago"),
        (-3 * 86400, "in 3 days"),
    ],
)
def test_relative_time_reads_like_a_person_would_say_it(seconds_ago, shown):
    assert ui.ago(timezone.now() - dt.timedelta(seconds=seconds_ago)) == shown


def test_relative_time_of_dates_and_nonsense():
    assert ui.ago(timezone.localdate()) == "today"
    assert ui.ago(timezone.localdate() - dt.timedelta(days=1)) == "yesterday"
    assert ui.ago(None) == "—"
    html = ui.time_ago(timezone.now() - dt.timedelta(days=3))
    assert html.startswith("<time datetime=")
    assert "3 days ago" in html


def test_duration():
    assert ui.duration(45) == "45s"
    assert ui.duration(75) == "1m 15s"
    assert ui.duration(dt.timedelta(hours=2, minutes=5)) == "2h 5m"


def test_score_and_tier_badges_colour_by_band():
    assert 'class="score score-high"' in ui.score_badge(87.4)
    assert ">87<" in ui.score_badge(87.4)
    assert "score-mid" in ui.score_badge(55)
    assert "score-low" in ui.score_badge(12)
    assert "score-high" in ui.score_badge(0.8, 1)  # a 0–1 score with its scale
    assert "score-none" in ui.score_badge(None)
    assert ui.tier_badge(1) == '<span class="badge badge-tier-1">Tier 1</span>'
    assert "badge" not in ui.tier_badge(None)


def test_status_badges_pick_a_tone_from_the_word():
    assert ui.tone("failed") == "danger"
    assert ui.tone("Done") == "success"
    assert ui.tone("in-review") == "muted"
    assert (
        ui.status_badge("review", "Needs review")
        == '<span class="badge badge-warning">Needs review</span>'
    )
    assert ui.status_badge("running") == '<span class="badge badge-warning">Running</span>'
    assert ">MQA<" in ui.status_badge("mqa")


def test_delta_colours_by_whether_the_change_is_good():
    assert "delta-up delta-good" in ui.delta(0.12)
    assert "12%" in ui.delta(0.12)
    assert "delta-down delta-bad" in ui.delta(-0.04)
    assert "delta-up delta-bad" in ui.delta(0.3, inverse=True)
    assert "delta-flat" in ui.delta(0)


def test_heat_levels_span_zero_to_five():
    assert [ui.heat_level(v, 10) for v in (0, 1, 5, 10, 50)] == [0, 1, 3, 5, 5]
    assert ui.heat_level(3, 0) == 0


def test_text_from_users_is_escaped_in_badges():
    assert "<script>" not in ui.status_badge("x", "<script>alert(1)</script>")


def test_icons_render_inline_svg_and_unknown_names_render_nothing():
    assert render('{% icon "building-2" size=20 %}').startswith('<svg class="icon" width="20"')
    assert render('{% icon "no-such-icon" %}') == ""


def test_sort_header_toggles_direction_and_keeps_filters():
    request = RequestFactory().get("/accounts/", {"tier": "1", "sort": "name", "page": "3"})
    html = render('{% sort_th "name" "Account" %}', request=request)
    assert "is-sorted-asc" in html
    assert 'href="?tier=1&amp;sort=-name"' in html  # page resets when the order changes
    numeric = render('{% sort_th "priority" "Priority" num=True %}', request=request)
    assert 'class="sortable num"' in numeric
    assert "sort=-priority" in numeric


# ---------------------------------------------------------------- partials


def test_pagination_keeps_filters_and_elides_pages():
    request = RequestFactory().get("/accounts/", {"tier": "1", "page": "10"})
    page = Paginator(range(1000), 50).get_page(10)
    html = Template(
        '{% include "partials/pagination.html" with page_obj=page noun="accounts" %}'
    ).render(Context({"page": page, "request": request}))
    assert "Showing" in html
    assert "451–500" in html
    assert "1,000" in html
    assert "accounts" in html
    assert 'href="?tier=1&amp;page=11"' in html
    assert '<span class="is-current" aria-current="page">10</span>' in html
    assert "…" in html


def test_progress_partial_from_counts_value_or_nothing():
    template = Template(
        '{% include "partials/progress.html" with label="Importing" done=done total=total value=value %}'
    )
    html = template.render(Context({"done": 250, "total": 1000}))
    assert 'style="width: 25%"' in html
    assert "250 / 1,000" in html
    assert 'style="width: 60%"' in Template(
        '{% include "partials/progress.html" with value=60 %}'
    ).render(Context())
    assert 'style="width: 0%"' in Template(
        '{% include "partials/progress.html" with indeterminate=True %}'
    ).render(Context())


def test_chart_partial_ships_its_config_as_json_not_script():
    config = {"type": "bar", "data": {"labels": ["A"], "datasets": [{"label": "n", "data": [1]}]}}
    html = Template(
        '{% include "partials/chart.html" with chart_id="c1" title="T" config=config %}'
    ).render(Context({"config": config}))
    assert 'data-chart="c1-config"' in html
    assert '<script id="c1-config" type="application/json">' in html


def test_kpi_partial_shows_value_label_and_delta():
    html = Template(
        '{% load ui %}{% include "partials/kpi.html" with label="Pipeline" value=amount|money delta=0.1 hint="vs last quarter" %}'
    ).render(Context({"amount": 4_200_000}))
    assert "$4.2M" in html
    assert "Pipeline" in html
    assert "delta-good" in html
    assert "vs last quarter" in html


# ---------------------------------------------------------------- the layout, per role


def test_nav_highlights_the_current_section(client_for, admin_user):
    body = client_for(admin_user).get("/dashboards/engagement/").content.decode()
    active = re.findall(r'class="nav-item is-active" href="([^"]+)"', body)
    assert active == ["/dashboards/executive/"]
    assert 'class="is-active" href="/dashboards/engagement/"' in body


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (
            "admin",
            [
                "/queue/",
                "/accounts/",
                "/campaigns/",
                "/dashboards/executive/",
                "/imports/",
                "/matching/review/",
                "/scoring/",
                "/settings/",
            ],
            [],
        ),
        (
            "marketer",
            ["/accounts/", "/campaigns/", "/scoring/"],
            ["/queue/", "/imports/", "/matching/review/", "/settings/"],
        ),
        (
            "sdr",
            ["/queue/", "/accounts/", "/matching/review/"],
            ["/imports/", "/scoring/", "/settings/"],
        ),
        (
            "viewer",
            ["/accounts/", "/campaigns/", "/dashboards/executive/"],
            ["/queue/", "/imports/", "/matching/review/", "/scoring/", "/settings/"],
        ),
    ],
)
def test_sidebar_lists_only_the_sections_a_role_may_open(
    client_for, make_member, workspace, role, visible, hidden
):
    body = client_for(make_member(workspace, role)).get("/accounts/").content.decode()
    nav = body.split('<nav class="nav">')[1].split("</nav>")[0]
    for path in visible:
        assert f'href="{path}"' in nav, f"{role} should see {path}"
    for path in hidden:
        assert f'href="{path}"' not in nav, f"{role} should not see {path}"


def test_every_htmx_request_carries_the_csrf_token(admin_client):
    body = admin_client.get("/accounts/").content.decode()
    match = re.search(r"""<body[^>]*hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", body)
    assert match
    assert len(match.group(1)) >= 32


def test_user_menu_shows_role_and_posts_logout(admin_client):
    body = admin_client.get("/accounts/").content.decode()
    assert '<span class="badge badge-primary">Admin</span>' in body
    logout = body.split('action="/logout/"')[0].rsplit("<form", 1)[1]
    assert 'method="post"' in logout


def test_workspace_switcher_appears_for_people_in_several_workspaces(
    client_for, admin_user, workspace
):
    client = client_for(admin_user)
    assert 'action="/workspace/switch/"' not in client.get("/accounts/").content.decode()
    second = WorkspaceFactory(slug="second", name="Second Team")
    MembershipFactory(user=admin_user, workspace=second, role="viewer")
    body = client.get("/accounts/").content.decode()
    assert 'action="/workspace/switch/"' in body
    assert f'<option value="{workspace.pk}" selected>{workspace.name}</option>' in body
    assert f'<option value="{second.pk}">Second Team</option>' in body


def test_messages_are_shown_as_flashes(client_for, admin_user, workspace):
    second = WorkspaceFactory(slug="second", name="Second Team")
    MembershipFactory(user=admin_user, workspace=second, role="admin")
    client = client_for(admin_user)
    response = client.post("/workspace/switch/", {"workspace": second.pk}, follow=True)
    body = response.content.decode()
    assert 'class="flash flash-success"' in body
    assert "Switched to Second Team." in body


def test_placeholder_hides_a_call_to_action_the_role_cannot_follow(
    client_for, make_member, workspace, settings
):
    settings.ROOT_URLCONF = "tests.abm.placeholder_urls"
    viewer_page = client_for(make_member(workspace, "viewer")).get("/coming-soon/").content.decode()
    assert "Not built yet" in viewer_page
    assert 'href="/imports/"' not in viewer_page
    admin_page = client_for(make_member(workspace, "admin")).get("/coming-soon/").content.decode()
    assert 'class="btn btn-primary" href="/imports/"' in admin_page


def test_login_page_is_a_centred_card_without_the_app_shell(client, db):
    body = client.get("/login/").content.decode()
    assert 'class="auth-card"' in body
    assert 'class="sidebar"' not in body
    assert 'autocomplete="current-password"' in body


def test_login_error_is_shown(client, admin_user):
    body = client.post(
        "/login/", {"username": admin_user.username, "password": "wrong"}
    ).content.decode()
    assert "callout-danger" in body


def test_forbidden_page_explains_the_role(client_for, viewer_user):
    response = client_for(viewer_user).get("/settings/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Your role doesn" in body
    assert "<strong>Viewer</strong>" in body


def test_not_found_page_uses_the_layout(admin_client, settings):
    settings.DEBUG = False
    response = admin_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We can" in response.content.decode()
    assert 'class="sidebar"' in response.content.decode()


def test_server_error_page_renders_without_any_request_context():
    html = Template((TEMPLATES / "500.html").read_text()).render(Context())
    assert "Something went wrong" in html


# ---------------------------------------------------------------- assets


def test_vendored_assets_are_present_and_documented():
    readme = (STATIC / "vendor" / "README.md").read_text()
    for name in ("htmx.min.js", "chart.umd.js", "modern-normalize.css"):
        assert (STATIC / "vendor" / name).stat().st_size > 1000
        assert name in readme
    assert "sourceMappingURL" not in (STATIC / "vendor" / "chart.umd.js").read_text()


def test_no_template_loads_anything_from_the_internet():
    offenders = [
        str(path)
        for path in TEMPLATES.rglob("*.html")
        if re.search(r"""(src|href)=["']https?://""", path.read_text())
    ]
    assert offenders == []


def test_every_class_the_shared_templates_use_is_styled():
    css = (STATIC / "css" / "app.css").read_text()
    used: set[str] = set()
    for path in [
        TEMPLATES / "base.html",
        *TEMPLATES.glob("partials/*.html"),
        TEMPLATES / "placeholder.html",
    ]:
        for attr in re.findall(r'class="([^"{}]*)"', path.read_text()):
            used.update(attr.split())
    unstyled = sorted(c for c in used if not re.search(rf"\.{re.escape(c)}(?![\w-])", css))
    assert unstyled == []
