"""A marketer reads every dashboard in a real browser and narrows them with the filter bar.

The data is the dashboards' own hand-computed set (tests/dashboards/conftest.py): period
2026-01-01 … 2026-03-31, win rate 60% over all accounts, 50% for tier 1.
"""

import pytest

from tests.dashboards.conftest import _no_result_cache, dataset  # noqa: F401 - fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DASHBOARDS = ["Executive", "Engagement", "Conversion", "Deal size", "Campaigns", "SDR team"]


def kpi(page, label: str) -> str:
    card = page.locator(".kpi", has=page.locator(".kpi-label", has_text=label))
    return card.locator(".kpi-value").inner_text()


def test_a_marketer_opens_each_dashboard_and_changes_a_filter(
    live_server,
    login,
    make_member,
    dataset,  # noqa: F811
):
    marketer = make_member(dataset.ws, "marketer")
    page = login(marketer)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # when the marketer opens the dashboards and sets the quarter in the filter bar
    page.locator(".sidebar").get_by_role("link", name="Dashboards").click()
    page.wait_for_url("**/dashboards/executive/")
    page.fill("input[name=from]", "2026-01-01")
    page.fill("input[name=to]", "2026-03-31")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/dashboards/executive/?*from=2026-01-01*")
    # then the executive figures for that quarter show
    assert kpi(page, "Win rate") == "60%"
    assert kpi(page, "Pipeline from target accounts") == "$150K"

    # when they open each dashboard from the tabs
    for title in DASHBOARDS:
        page.locator("nav.tabs").get_by_role("link", name=title, exact=True).click()
        page.wait_for_load_state("networkidle")
        # then it renders for the same quarter, with its charts drawn
        assert page.inner_text(".page-title") == title
        assert "from=2026-01-01" in page.url
        assert "1 Jan 2026 – 31 Mar 2026" in page.inner_text(".dash-period")
        drawn = page.evaluate(
            "[...document.querySelectorAll('canvas')].every(c => Chart.getChart(c) !== undefined)"
        )
        assert drawn, title
        page.screenshot(path=str(_artifact(f"dashboard-{title}.png")), full_page=True)

    # when, back on the executive page, they narrow it to tier 1 accounts
    page.locator("nav.tabs").get_by_role("link", name="Executive", exact=True).click()
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=tier]", "1")
    page.wait_for_url("**tier=1*")
    # then the figures are recomputed for tier 1 only, and the filter stays chosen
    assert kpi(page, "Win rate") == "50%"
    assert page.locator("select[name=tier]").input_value() == "1"
    # and the other dashboards keep the filter in their links
    href = page.locator("nav.tabs").get_by_role("link", name="Engagement").get_attribute("href")
    assert "tier=1" in href
    assert errors == []


def _artifact(name: str):
    from tests.browser import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
