"""The claim pool: first come, first served, never two owners, capacity respected."""

import threading

import pytest
from django.db import close_old_connections, connection

from accounts.models import Account, SdrCapacity, SlaClock
from accounts.queue import services
from accounts.queue.services import QueueError, account_claim, accounts_claim_next
from tests.accounts.queue_factories import member
from tests.conftest import requires_postgres
from tests.factories import AccountFactory, WorkspaceFactory


@pytest.mark.django_db
def test_claiming_moves_a_pool_account_into_my_queue(client_for, workspace, sdr_user):
    # given
    account = AccountFactory(workspace=workspace, owner=None, name="Up for grabs")
    client = client_for(sdr_user)
    # when
    response = client.post(f"/queue/claim/{account.pk}/")
    # then
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.owner == sdr_user
    assert account.claimed_at is not None
    assert [r["account"].name for r in client.get("/queue/").context["rows"]] == ["Up for grabs"]
    assert client.get("/queue/pool/").context["rows"] == []


@pytest.mark.django_db
def test_the_second_claim_on_the_same_account_loses(workspace, sdr_user):
    # given
    rival = member(workspace, "sdr")
    account = AccountFactory(workspace=workspace, owner=None)
    # when
    first = account_claim(workspace=workspace, user=sdr_user, account_id=account.pk)
    second = account_claim(workspace=workspace, user=rival, account_id=account.pk)
    # then
    account.refresh_from_db()
    assert (first, second) == (True, False)
    assert account.owner == sdr_user


@pytest.mark.django_db
def test_conditional_update_path_never_overwrites_an_owner(workspace, sdr_user, monkeypatch):
    # given the SQLite path (a conditional UPDATE … WHERE owner IS NULL), on any database
    monkeypatch.setattr(services, "_skip_locked", lambda: False)
    rival = member(workspace, "sdr")
    accounts = [AccountFactory(workspace=workspace, owner=None, priority=p) for p in (90, 80, 70)]
    # when
    assert account_claim(workspace=workspace, user=rival, account_id=accounts[0].pk) is True
    lost = account_claim(workspace=workspace, user=sdr_user, account_id=accounts[0].pk)
    mine = accounts_claim_next(workspace=workspace, user=sdr_user, count=5)
    # then
    assert lost is False
    assert mine == [accounts[1].pk, accounts[2].pk]
    assert Account.objects.get(pk=accounts[0].pk).owner == rival


@pytest.mark.django_db
def test_claim_next_takes_the_highest_priority_matching_accounts(workspace, sdr_user):
    AccountFactory(workspace=workspace, owner=None, priority=10, country="US")
    top_de = AccountFactory(workspace=workspace, owner=None, priority=95, country="DE")
    AccountFactory(workspace=workspace, owner=None, priority=99, country="US")
    next_de = AccountFactory(workspace=workspace, owner=None, priority=50, country="DE")
    ids = accounts_claim_next(
        workspace=workspace, user=sdr_user, count=2, filters={"country": "DE"}
    )
    assert ids == [top_de.pk, next_de.pk]


@pytest.mark.django_db
def test_claims_stop_at_the_sdrs_capacity(client_for, workspace, sdr_user):
    # given an SDR with room for two accounts who already owns one
    SdrCapacity.objects.create(workspace=workspace, user=sdr_user, capacity=2)
    AccountFactory(workspace=workspace, owner=sdr_user)
    pool = [AccountFactory(workspace=workspace, owner=None, priority=p) for p in (90, 80, 70)]
    # when
    ids = accounts_claim_next(workspace=workspace, user=sdr_user, count=5)
    # then only one more fits, and the next claim says why it is refused
    assert ids == [pool[0].pk]
    with pytest.raises(QueueError, match="capacity"):
        account_claim(workspace=workspace, user=sdr_user, account_id=pool[1].pk)
    response = client_for(sdr_user).post(f"/queue/claim/{pool[1].pk}/", follow=True)
    assert "capacity" in response.content.decode()


@pytest.mark.django_db
def test_claiming_hands_open_sla_clocks_to_the_new_owner(workspace, sdr_user):
    from django.utils import timezone

    account = AccountFactory(workspace=workspace, owner=None)
    now = timezone.now()
    clock = SlaClock.objects.create(
        workspace=workspace, account=account, kind="mqa", started_at=now, due_at=now
    )
    account_claim(workspace=workspace, user=sdr_user, account_id=account.pk)
    clock.refresh_from_db()
    assert clock.owner == sdr_user


@pytest.mark.django_db
def test_release_puts_my_account_back_and_only_mine(client_for, workspace, sdr_user):
    rival = member(workspace, "sdr")
    mine = AccountFactory(workspace=workspace, owner=sdr_user)
    theirs = AccountFactory(workspace=workspace, owner=rival)
    client = client_for(sdr_user)
    client.post(f"/queue/release/{mine.pk}/")
    client.post(f"/queue/release/{theirs.pk}/")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.owner is None
    assert theirs.owner == rival


def _race(workers, target):
    barrier = threading.Barrier(len(workers))
    results, errors = {}, []

    def run(key, kwargs):
        try:
            barrier.wait(timeout=10)
            results[key] = target(**kwargs)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=w) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    close_old_connections()
    assert errors == []
    return results


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_of_one_account_give_exactly_one_owner():
    # given eight SDRs racing for the same account, many times over
    workspace = WorkspaceFactory(slug="race")
    sdrs = [member(workspace, "sdr") for _ in range(8)]
    for _ in range(10):
        account = AccountFactory(workspace=workspace, owner=None)
        # when
        results = _race(
            [(s.pk, {"workspace": workspace, "user": s, "account_id": account.pk}) for s in sdrs],
            account_claim,
        )
        # then
        winners = [uid for uid, won in results.items() if won]
        account.refresh_from_db()
        assert len(winners) == 1
        assert account.owner_id == winners[0]


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_claim_next_never_hands_out_an_account_twice():
    # given a pool of 60 and six SDRs each claiming ten at the same moment
    workspace = WorkspaceFactory(slug="race-next")
    sdrs = [member(workspace, "sdr") for _ in range(6)]
    for i in range(60):
        AccountFactory(workspace=workspace, owner=None, priority=float(i))
    # when
    results = _race(
        [(s.pk, {"workspace": workspace, "user": s, "count": 10}) for s in sdrs],
        accounts_claim_next,
    )
    # then every claimed id is unique, and each SDR owns exactly what they were told
    claimed = [pk for ids in results.values() for pk in ids]
    assert len(claimed) == len(set(claimed))
    for s in sdrs:
        owned = set(Account.objects.filter(owner=s).values_list("pk", flat=True))
        assert owned == set(results[s.pk])
    assert Account.objects.filter(workspace=workspace, owner__isnull=False).count() == len(claimed)
