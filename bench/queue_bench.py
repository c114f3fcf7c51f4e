"""SDR queue and claim pool at scale: page latency and claim throughput on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/abm_queue_bench \
        .venv/bin/python bench/queue_bench.py --accounts 100000 --sdrs 20

Creates (or reuses) a workspace `queue-bench` with N accounts (half assigned round robin to the
SDRs, half in the pool), 3 engagement events, 1 intent signal and 1 matched lead per 10 accounts,
then times the queue page, the pool page and `accounts_claim_next` from 8 threads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abm.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from abm.models import Membership, Workspace  # noqa: E402
from accounts.models import Account, Contact, SdrCapacity  # noqa: E402
from accounts.queue.services import accounts_claim_next  # noqa: E402
from campaigns.models import EngagementEvent  # noqa: E402


def build(n: int, sdrs: int):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    ws, created = Workspace.objects.get_or_create(
        slug="queue-bench", defaults={"name": "Queue bench"}
    )
    users = []
    for i in range(sdrs):
        user, _ = User.objects.get_or_create(
            username=f"bench-sdr{i}", defaults={"email": f"bench-sdr{i}@x.test"}
        )
        Membership.objects.get_or_create(user=user, workspace=ws, defaults={"role": "sdr"})
        # Big books on purpose: the bench measures pages and claims, not the capacity check.
        SdrCapacity.objects.update_or_create(workspace=ws, user=user, defaults={"capacity": 10**6})
        users.append(user)
    if Account.objects.for_workspace(ws).count() >= n:
        return ws, users
    rnd = random.Random(7)
    now = timezone.now()
    accounts = [
        Account(
            workspace=ws,
            name=f"Bench {i}",
            domain=f"bench{i}.test",
            country=rnd.choice(["US", "DE", "FR", "GB", "JP"]),
            industry=rnd.choice(["Software", "Retail", "Fintech"]),
            tier=rnd.choice([1, 2, 3, None]),
            priority=rnd.random() * 100,
            owner=users[i % sdrs] if i % 2 else None,
        )
        for i in range(n)
    ]
    Account.objects.bulk_create(accounts, batch_size=5000)
    ids = list(Account.objects.for_workspace(ws).values_list("pk", flat=True))
    events = [
        EngagementEvent(
            workspace=ws,
            account_id=pk,
            kind="web_visit",
            channel="web",
            occurred_at=now - dt.timedelta(days=rnd.randint(0, 30)),
            external_id=f"b-{pk}-{k}",
        )
        for pk in ids[::10]
        for k in range(3)
    ]
    EngagementEvent.objects.bulk_create(events, batch_size=5000)
    Contact.objects.bulk_create(
        [
            Contact(
                workspace=ws,
                account_id=pk,
                is_lead=True,
                email=f"lead{pk}@bench.test",
                match_status="auto",
                matched_at=now - dt.timedelta(hours=rnd.randint(1, 72)),
                lead_status="mql",
            )
            for pk in ids[::10]
        ],
        batch_size=5000,
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return ws, users


def timed(client: Client, path: str, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--sdrs", type=int, default=20)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    ws, users = build(args.accounts, args.sdrs)
    print(f"data ready in {time.perf_counter() - t0:.1f}s; load {os.getloadavg()}")
    client = Client()
    client.force_login(users[1])
    for path in [
        "/queue/",
        "/queue/pool/",
        f"/accounts/{Account.objects.for_workspace(ws).filter(owner=users[1]).values_list('pk', flat=True).first()}/",
    ]:
        client.get(path)  # warm
        ms = timed(client, path, args.runs)
        print(
            f"{path:28s} median {statistics.median(ms):7.1f} ms  max {max(ms):7.1f} ms  ({args.runs} runs)"
        )

    claimed: list[list[int]] = []
    lock = threading.Lock()

    def claim(user):
        try:
            ids = accounts_claim_next(workspace=ws, user=user, count=10)
            with lock:
                claimed.append(ids)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in users[:8]]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    flat = [pk for ids in claimed for pk in ids]
    print(
        f"8 concurrent claim_next(10): {len(flat)} claimed, {len(set(flat))} distinct, {elapsed * 1000:.0f} ms"
    )
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
