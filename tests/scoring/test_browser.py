"""The ICP editor in a real browser: the live preview redraws as rules change."""

import os

import pytest

from scoring import services
from tests.factories import AccountFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.e2e,
]


def test_the_icp_editor_previews_tiers_live_and_saves_a_version(
    live_server,
    login,
    page,
    marketer_user,
    workspace,
):
    # given
    for industry in ("Software", "Software", "Retail"):
        AccountFactory(workspace=workspace, industry=industry, employees=800)
    profile = services.icp_profile_create(
        workspace=workspace, name="Core ICP",
        criteria=[{"field": "industry", "op": "in", "values": ["Software"], "weight": 1}],
    )  # fmt: skip
    services.score_accounts(workspace=workspace)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(marketer_user)
    # when
    page.goto(f"{live_server.url}/scoring/profiles/{profile.pk}/")
    page.wait_for_selector("#icp-preview canvas")
    page.fill("input[name='c-0-values']", "Software, Retail")
    # every account now meets the only rule, so the preview's average fit becomes 100
    # (a locator wait, not wait_for_function: that evaluates a string, which the CSP forbids)
    page.locator("#icp-preview", has_text="average fit 100.0").wait_for()
    preview = page.inner_text("#icp-preview")
    if os.environ.get("SCORING_SHOTS"):
        page.screenshot(path=os.environ["SCORING_SHOTS"] + "/icp-editor.png", full_page=True)
    page.click("button:has-text('Save as version 2')")
    page.wait_for_load_state("networkidle")
    # then
    assert "Across 3 accounts, average fit 100.0" in preview
    assert "Saved version 2" in page.inner_text("body")
    assert errors == []
    page.goto(f"{live_server.url}/scoring/")
    page.wait_for_selector("canvas#priority-histogram")
