"""Every page a user can reach by following links, checked for every role and from another
workspace.

The per-area tests name the pages their authors thought of; this one finds pages by crawling a
seeded demo workspace as its admin (links, CSV exports, error reports, API detail pages), so a
new view is covered the day it is linked. For each page found:

- the view declares who may open it (`allowed_roles`), and each role gets 200 when allowed and
  403 when not;
- the admin of another workspace never gets a 200 for a page naming an object of this one: the
  object ids of workspace A are 404 there (pages without ids show B's own, empty data);
- nothing answers with a server error.
"""

from __future__ import annotations

import re
from collections import defaultdict
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from abm.models import Membership, Workspace
from tests.factories import MembershipFactory, UserFactory

START_PAGES = [
    "/queue/",
    "/queue/pool/",
    "/accounts/",
    "/matching/review/",
    "/imports/",
    "/campaigns/",
    "/scoring/",
    "/dashboards/executive/",
    "/dashboards/engagement/",
    "/dashboards/conversion/",
    "/dashboards/deal-size/",
    "/dashboards/campaigns/",
    "/dashboards/sdr-team/",
    "/settings/",
]
# Addresses that are not pages of a workspace: sign-in/out, static files, the API's own docs.
NOT_PAGES = ("/login/", "/logout/", "/static/", "/media/", "/admin/", "/api/docs", "/api/schema")
PER_ROUTE = 3  # URLs kept per route pattern: enough to vary ids and query strings, not thousands
MAX_PAGES = 400
HREF = re.compile(r"""(?:href|hx-get)="([^"#]+)\"""")
NUMERIC_SEGMENT = re.compile(r"/\d+(/|$)")


def _allowed_roles(path: str) -> frozenset[str] | None:
    match = resolve(urlsplit(path).path)
    view = match.func
    cls = getattr(view, "view_class", None) or getattr(view, "cls", None)
    roles = getattr(view, "allowed_roles", None) or getattr(cls, "allowed_roles", None)
    return frozenset(roles) if roles is not None else None


def _route(path: str) -> str:
    try:
        return resolve(urlsplit(path).path).route
    except Resolver404:
        return ""


def _crawl(client: Client) -> tuple[dict[str, int], list[str]]:
    """BFS over same-site links from the navigation pages: {url: status}, server errors."""
    seen: dict[str, int] = {}
    per_route: dict[str, int] = defaultdict(int)
    queue = list(START_PAGES)
    errors: list[str] = []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code >= 500:
            errors.append(f"{url} → {response.status_code}")
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or "html" not in content_type:
            continue
        for raw in HREF.findall(response.content.decode()):
            link = urldefrag(raw.replace("&amp;", "&"))[0]
            if not link.startswith("/") or link.startswith("//") or link.startswith(NOT_PAGES):
                continue
            route = _route(link)
            if not route or link in seen or link in queue or per_route[route] >= PER_ROUTE:
                continue
            per_route[route] += 1
            queue.append(link)
    return seen, errors


@pytest.fixture
def demo(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", accounts=60, seed=5, stdout=StringIO())
    workspace = Workspace.objects.get(slug="demo")
    members = {
        role: Membership.objects.filter(workspace=workspace, role=role).first().user
        for role in ("admin", "marketer", "sdr", "viewer")
    }
    other = Workspace.objects.create(slug="rival", name="Rival Inc")
    rival_admin = UserFactory(email="admin@rival.example")
    MembershipFactory(user=rival_admin, workspace=other, role="admin")
    return workspace, members, rival_admin


def test_every_reachable_page_answers_each_role_as_declared_and_hides_from_other_workspaces(
    demo,
):
    _workspace, members, rival_admin = demo
    admin = Client()
    admin.force_login(members["admin"])
    pages, errors = _crawl(admin)
    ok_pages = [url for url, status in pages.items() if status == 200]

    # The crawl really reached the depths of the product, not just the navigation.
    routes = {_route(url) for url in ok_pages}
    assert len(ok_pages) >= 40, sorted(pages)
    for expected in ("accounts/<int:pk>/", "campaigns/<int:pk>/", "imports/<int:pk>/"):
        assert any(r.endswith(expected) for r in routes), (expected, sorted(routes))
    assert not errors, errors

    undeclared = sorted({_route(url) for url in ok_pages if _allowed_roles(url) is None})
    assert not undeclared, f"views without allowed_roles: {undeclared}"

    wrong: list[str] = []
    for role, user in members.items():
        client = Client()
        client.force_login(user)
        for url in ok_pages:
            allowed = role in _allowed_roles(url)
            status = client.get(url).status_code
            if status >= 500 or (allowed and status != 200) or (not allowed and status != 403):
                wrong.append(f"{role} {url} → {status} (allowed: {allowed})")
    assert not wrong, "\n".join(wrong)

    rival = Client()
    rival.force_login(rival_admin)
    leaks: list[str] = []
    for url in ok_pages:
        status = rival.get(url).status_code
        names_an_object = bool(NUMERIC_SEGMENT.search(urlsplit(url).path))
        if status >= 500 or (names_an_object and status != 404):
            leaks.append(f"{url} → {status}")
    assert not leaks, "another workspace's admin reached:\n" + "\n".join(leaks)


def test_every_api_object_of_one_workspace_is_404_to_another(demo):
    """Walks the OpenAPI document: for every collection, the first object the demo admin sees
    is fetched by the rival workspace's admin through its detail address."""
    _workspace, members, rival_admin = demo
    admin, rival = Client(), Client()
    admin.force_login(members["admin"])
    rival.force_login(rival_admin)
    paths = admin.get("/api/schema/", {"format": "json"}).json()["paths"]
    checked, leaks = [], []
    for path, operations in paths.items():
        if not path.endswith("/{id}/") or "get" not in operations:
            continue
        collection = path.removesuffix("{id}/")
        listing = admin.get(collection)
        if listing.status_code != 200:
            listing = admin.get(collection.rstrip("/"))
        assert listing.status_code == 200, (collection, listing.status_code)
        results = listing.json().get("results", [])
        if not results:
            continue
        url = path.replace("{id}", str(results[0]["id"]))
        assert admin.get(url).status_code == 200, url
        checked.append(url)
        status = rival.get(url).status_code
        if status != 404:
            leaks.append(f"{url} → {status}")
    assert len(checked) >= 6, checked
    assert not leaks, leaks
