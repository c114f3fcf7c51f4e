"""Assignment rules: territory, industry, tier, round robin, capacity caps, idempotent runs."""

import pytest

from accounts.models import Account, AssignmentRule, SdrCapacity
from accounts.queue.services import accounts_assign, assignment_rule_save
from accounts.queue.territory import next_in_rotation, rule_covers, zone_of
from tests.accounts.queue_factories import member
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _owners(workspace):
    return dict(Account.objects.for_workspace(workspace).values_list("name", "owner_id"))


def test_without_rules_accounts_go_round_robin_by_priority(workspace):
    # given two SDRs and four unassigned accounts
    alice, bob = member(workspace, "sdr"), member(workspace, "sdr")
    for name, priority in [("P90", 90), ("P80", 80), ("P70", 70), ("P60", 60)]:
        AccountFactory(workspace=workspace, name=name, priority=priority, owner=None)
    # when
    result = accounts_assign(workspace=workspace)
    # then they alternate, highest priority first, and a visible catch-all rule was created
    owners = _owners(workspace)
    assert [owners[n] for n in ("P90", "P80", "P70", "P60")] == [alice.pk, bob.pk, alice.pk, bob.pk]
    assert result["assigned"] == 4
    assert result["left_in_pool"] == 0
    assert AssignmentRule.objects.for_workspace(workspace).get().assigned_count == 4


def test_round_robin_resumes_where_the_last_run_stopped(workspace):
    alice, bob = member(workspace, "sdr"), member(workspace, "sdr")
    AccountFactory(workspace=workspace, name="first", owner=None)
    accounts_assign(workspace=workspace)
    AccountFactory(workspace=workspace, name="second", owner=None)
    accounts_assign(workspace=workspace)
    owners = _owners(workspace)
    assert (owners["first"], owners["second"]) == (alice.pk, bob.pk)


def test_territory_and_industry_rules_route_accounts_to_their_sdrs(workspace):
    # given an EMEA SDR, a fintech SDR in North America, and a catch-all
    emea, fintech, anyone = (
        member(workspace, "sdr"),
        member(workspace, "sdr"),
        member(workspace, "sdr"),
    )
    assignment_rule_save(
        workspace=workspace, name="EMEA", position=10, regions=["EMEA"], sdr_ids_=[emea.pk]
    )
    assignment_rule_save(
        workspace=workspace,
        name="NA fintech",
        position=20,
        countries=["us", "CA"],
        industries=["Fintech"],
        sdr_ids_=[fintech.pk],
    )
    assignment_rule_save(workspace=workspace, name="Rest", position=99, sdr_ids_=[anyone.pk])
    AccountFactory(workspace=workspace, name="Berlin bank", country="DE", industry="Fintech")
    AccountFactory(workspace=workspace, name="NY bank", country="US", industry="Fintech")
    AccountFactory(workspace=workspace, name="NY shop", country="US", industry="Retail")
    AccountFactory(workspace=workspace, name="Tokyo bank", country="JP", industry="Fintech")
    # when
    accounts_assign(workspace=workspace)
    # then
    owners = _owners(workspace)
    assert owners["Berlin bank"] == emea.pk
    assert owners["NY bank"] == fintech.pk
    assert owners["NY shop"] == anyone.pk
    assert owners["Tokyo bank"] == anyone.pk


def test_state_regions_and_tier_limits_narrow_a_rule(workspace):
    west = member(workspace, "sdr")
    assignment_rule_save(
        workspace=workspace, name="West T1", regions=["CA", "WA"], min_tier=1, sdr_ids_=[west.pk]
    )
    AccountFactory(workspace=workspace, name="SF tier 1", country="US", region="CA", tier=1)
    AccountFactory(workspace=workspace, name="SF tier 2", country="US", region="CA", tier=2)
    AccountFactory(workspace=workspace, name="NY tier 1", country="US", region="NY", tier=1)
    accounts_assign(workspace=workspace)
    owners = _owners(workspace)
    assert owners == {"SF tier 1": west.pk, "SF tier 2": None, "NY tier 1": None}


def test_capacity_cap_stops_assignment_and_overflows_to_the_next_sdr(workspace):
    # given Alice has room for one more, Bob for three
    alice, bob = member(workspace, "sdr"), member(workspace, "sdr")
    SdrCapacity.objects.create(workspace=workspace, user=alice, capacity=2)
    SdrCapacity.objects.create(workspace=workspace, user=bob, capacity=3)
    AccountFactory(workspace=workspace, owner=alice)
    for i in range(6):
        AccountFactory(workspace=workspace, name=f"A{i}", priority=100 - i, owner=None)
    # when
    result = accounts_assign(workspace=workspace)
    # then nobody goes past their cap and the rest stays in the pool, lowest priority last
    assert Account.objects.filter(owner=alice).count() == 2
    assert Account.objects.filter(owner=bob).count() == 3
    assert result["assigned"] == 4
    assert result["left_in_pool"] == 2
    assert set(Account.objects.filter(owner__isnull=True).values_list("name", flat=True)) == {
        "A4",
        "A5",
    }


def test_paused_sdrs_get_nothing_and_owned_accounts_never_move(workspace):
    alice, bob = member(workspace, "sdr"), member(workspace, "sdr")
    SdrCapacity.objects.create(
        workspace=workspace, user=bob, capacity=100, accepts_assignments=False
    )
    kept = AccountFactory(workspace=workspace, owner=bob, name="Bob's")
    AccountFactory(workspace=workspace, owner=None, name="New")
    accounts_assign(workspace=workspace)
    second = accounts_assign(workspace=workspace)
    assert _owners(workspace) == {"Bob's": bob.pk, "New": alice.pk}
    assert second["assigned"] == 0
    kept.refresh_from_db()
    assert kept.owner == bob


def test_only_listed_accounts_are_assigned_when_ids_are_given(workspace):
    sdr = member(workspace, "sdr")
    chosen = AccountFactory(workspace=workspace, owner=None)
    AccountFactory(workspace=workspace, owner=None)
    result = accounts_assign(workspace=workspace, account_ids=[chosen.pk])
    assert result["assigned"] == 1
    assert Account.objects.get(owner=sdr) == chosen


def test_no_sdrs_means_nothing_is_assigned(workspace, admin_user):
    AccountFactory(workspace=workspace, owner=None)
    assert accounts_assign(workspace=workspace) == {"assigned": 0, "by_sdr": {}, "left_in_pool": 1}


def test_assignment_never_crosses_workspaces(workspace, other_workspace):
    member(workspace, "sdr")
    foreign = AccountFactory(workspace=other_workspace, owner=None)
    accounts_assign(workspace=workspace)
    foreign.refresh_from_db()
    assert foreign.owner is None


def test_rule_covers_is_pure_and_case_insensitive():
    base = {
        "countries": [],
        "regions": [],
        "industries": [],
        "min_tier": None,
        "account_country": "FR",
        "account_region": "",
        "account_industry": "Software",
        "account_tier": None,
    }
    assert rule_covers(**base)
    assert rule_covers(**base | {"regions": ["emea"]})
    assert not rule_covers(**base | {"regions": ["APAC"]})
    assert rule_covers(**base | {"industries": ["software"]})
    assert not rule_covers(**base | {"min_tier": 2})
    assert zone_of("br") == "LATAM"


def test_next_in_rotation_wraps_and_skips_full_sdrs():
    assert next_in_rotation([1, 2, 3], None, lambda uid: True) == 1
    assert next_in_rotation([1, 2, 3], 3, lambda uid: True) == 1
    assert next_in_rotation([1, 2, 3], 1, lambda uid: uid != 2) == 3
    assert next_in_rotation([1, 2], 1, lambda uid: False) is None


def test_admin_edits_rules_and_runs_assignment_from_the_page(
    client_for, workspace, admin_user, sdr_user
):
    client = client_for(admin_user)
    response = client.post(
        "/queue/rules/",
        {
            "name": "DACH",
            "position": 5,
            "countries": "DE, AT, CH",
            "regions": "",
            "industries": "",
            "min_tier": "",
            "sdrs": [sdr_user.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    rule = AssignmentRule.objects.get(name="DACH")
    assert rule.countries == ["AT", "CH", "DE"]
    assert list(rule.sdrs.all()) == [sdr_user]
    AccountFactory(workspace=workspace, country="AT", owner=None)
    client.post("/queue/rules/run/")
    assert Account.objects.get().owner == sdr_user
    assert "DACH" in client.get("/queue/rules/").content.decode()


def test_rules_and_team_pages_are_admin_only(client_for, sdr_user, admin_user):
    assert client_for(sdr_user).get("/queue/rules/").status_code == 403
    assert client_for(sdr_user).get("/queue/team/").status_code == 403
    assert client_for(sdr_user).post("/queue/rules/run/").status_code == 403
    assert client_for(admin_user).get("/queue/team/").status_code == 200


def test_another_workspaces_rule_is_404(client_for, admin_user, other_workspace):
    rule = AssignmentRule.objects.create(workspace=other_workspace, name="Theirs")
    assert client_for(admin_user).get(f"/queue/rules/{rule.pk}/").status_code == 404
    assert client_for(admin_user).post(f"/queue/rules/{rule.pk}/delete/").status_code == 404
