"""Content Security Policy: every page sends one, and no page holds script the policy would block.

The browser tests (tests/browser.py) also fail on any CSP violation chromium reports; these
tests catch the same mistakes without a browser, on every page the navigation links to.
"""

import re

import pytest

from tests.factories import (
    AccountFactory,
    CampaignFactory,
    ContactFactory,
    EngagementEventFactory,
    OpportunityFactory,
)

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
NONCE_ATTR = re.compile(r"""\bnonce=["']([^"']*)["']""", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[a-zA-Z][^<>]*\son[a-z]+\s*=", re.IGNORECASE)
NAV_LINK = re.compile(r"""<a\b[^>]*\bhref="(/[^"#?]*)\"""")
# Not executed by browsers, so outside script-src (Django's json_script writes these).
DATA_BLOCK = re.compile(r"""\btype=["']application/(?:ld\+)?json["']""", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']} has no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def script_problems(html: str, nonce: str | None) -> list[str]:
    """Inline scripts without the response's nonce, and inline event handlers."""
    problems = []
    for attrs in SCRIPT_TAG.findall(html):
        if "src=" in attrs or DATA_BLOCK.search(attrs):
            continue
        found = NONCE_ATTR.search(attrs)
        if found is None or found.group(1) != nonce:
            problems.append(f"inline <script{attrs}> without this response's nonce")
    problems += [f"inline handler: {m.group(0)[:120]}" for m in INLINE_HANDLER.finditer(html)]
    if "javascript:" in html:
        problems.append("a javascript: URL")
    return problems


def header_nonce(directives: dict[str, list[str]]) -> str | None:
    nonces = [v for v in directives.get("script-src", []) if v.startswith("'nonce-")]
    return nonces[0][len("'nonce-") : -1] if nonces else None


@pytest.fixture
def demo_pages(workspace, admin_user):
    """A small workspace with one of everything, and the pages an admin reaches from it."""
    account = AccountFactory(workspace=workspace, name="Initech", domain="initech.com")
    ContactFactory(workspace=workspace, account=account)
    campaign = CampaignFactory(workspace=workspace)
    OpportunityFactory(workspace=workspace, account=account)
    EngagementEventFactory(workspace=workspace, account=account, campaign=campaign)
    return [f"/accounts/{account.pk}/", f"/campaigns/{campaign.pk}/"]


def test_the_policy_allows_scripts_only_from_this_site_with_the_nonce(admin_client):
    # when
    response = admin_client.get("/accounts/")
    # then
    directives = policy(response)
    assert response.status_code == 200
    nonce = header_nonce(directives)
    assert nonce
    assert directives["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["style-src"] == ["'self'"]
    assert directives["style-src-elem"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    # the page's own scripts carry the nonce the header names
    assert f'nonce="{nonce}"' in response.content.decode()


def test_each_response_gets_a_fresh_nonce(admin_client):
    first = header_nonce(policy(admin_client.get("/accounts/")))
    second = header_nonce(policy(admin_client.get("/accounts/")))
    assert first != second


def test_no_page_reached_from_the_navigation_holds_script_the_policy_blocks(
    admin_client, demo_pages
):
    # given every page the navigation links to, plus an account and a campaign page
    home = admin_client.get("/", follow=True)
    linked = set(NAV_LINK.findall(home.content.decode())) - {"/", "/logout/"}
    paths = sorted(linked | set(demo_pages))
    assert {"/queue/", "/accounts/", "/dashboards/executive/", "/settings/"} <= set(paths)
    assert len(paths) >= 12
    failures = {}
    for path in paths:
        # when
        response = admin_client.get(path)
        # then
        assert response.status_code == 200, path
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        problems = script_problems(response.content.decode(), header_nonce(policy(response)))
        if problems:
            failures[path] = problems
    assert failures == {}


def test_the_login_page_and_the_api_docs_carry_a_policy_too(client, db):
    login = client.get("/login/")
    assert script_problems(login.content.decode(), header_nonce(policy(login))) == []
    # the API docs serve Swagger UI from this site's static files: no CDN anywhere
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert not re.search(r"""(src|href)=["']?https?://""", page)
    assert all("http" not in value for values in policy(docs).values() for value in values)
    assert script_problems(page, header_nonce(policy(docs))) == []


def test_the_checker_finds_what_it_looks_for():
    # an inline script without the nonce, with the wrong one, and an inline handler are caught
    assert script_problems("<script>alert(1)</script>", "abc")
    assert script_problems('<script nonce="xyz">alert(1)</script>', "abc")
    assert script_problems('<form onsubmit="return confirm(1)">', "abc")
    # the page's own script with the nonce, an external script and a JSON data block are not
    assert script_problems('<script nonce="abc">go()</script>', "abc") == []
    assert script_problems('<script src="/static/js/app.js"></script>', "abc") == []
    assert script_problems('<script id="c" type="application/json">{}</script>', "abc") == []
