"""Dashboards benchmark: 200,000 accounts and 10,000,000 engagement events in PostgreSQL,
every dashboard page under 8 concurrent users through gunicorn; bar p95 ≤ 250 ms per page.

    .venv/bin/python bench/dash_bench.py                 # create DB, load with COPY, rebuild, drive
    .venv/bin/python bench/dash_bench.py --reuse         # keep the loaded DB, only drive the pages
    .venv/bin/python bench/dash_bench.py --accounts 20000 --events 1000000   # smaller run

Data: accounts with tiers, size bands, owners (12 SDRs) and target flags; 40 campaigns with
target lists; two contacts per account with lead statuses; opportunities on ~20% of accounts;
SDR activities; journey stage transitions; events spread over the last 365 days with a heavy-
tailed per-account activity (a few accounts engage a lot, most rarely), kinds and channels as
in campaigns/weights.py. Everything is loaded with COPY, then `rollups_rebuild` builds the
rollups (timed). The driver requests every page with a random filter combination per request
(period, tier, segment, owner, campaign), so the result cache rarely helps: the "cold" run turns
it off entirely, the "warm" run leaves it on. Figures go to bench/RESULTS.md under "## Dashboards".
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_URL = "postgres://postgres@127.0.0.1:5432/abm_dash_bench"
PORT = 8792
WORKERS = 4  # gunicorn sync workers
# campaigns last: its requests outlive the client's 30 s timeout and would queue the next page's
PAGES = ["executive", "engagement", "conversion", "deal-size", "sdr-team", "campaigns"]
REQUEST_TIMEOUT_S = 30
BAR_MS = 250


def _env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DB_URL,
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnop",
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_MANIFEST="0",
        CONN_MAX_AGE="600",
    )
    env.pop("REDIS_URL", None)
    env.update(extra or {})
    return env


def _setup_django() -> None:
    os.environ.update(_env())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abm.settings")
    import django

    django.setup()


def create_database() -> None:
    import psycopg2

    conn = psycopg2.connect("dbname=postgres user=postgres host=127.0.0.1")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS abm_dash_bench WITH (FORCE)")
        cur.execute("CREATE DATABASE abm_dash_bench")
    conn.close()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=_env(),
        check=True,
    )


# -- COPY helpers -------------------------------------------------------------------------------
COPY_CHUNK = 500_000  # rows per to_csv call: bounded memory, one COPY statement per table


def _csv(df) -> str:
    """A frame as COPY text: tab-separated, \\N for missing values, timestamps in UTC.

    COPY's text format has no quoting: a quote character that never occurs (BEL) keeps the
    csv writer from doubling the quotes in JSON values; no value holds a tab or a newline.
    """
    return df.to_csv(
        sep="\t",
        header=False,
        index=False,
        na_rep="\\N",
        date_format="%Y-%m-%d %H:%M:%S+00",
        quotechar="\x07",
    )


def _copy_df(table: str, df) -> int:
    """COPY a pandas frame (columns named as the table's) in chunks; returns the row count."""
    from django.db import connection

    sql = f"COPY {table} ({', '.join(df.columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        for lo in range(0, len(df), COPY_CHUNK):
            cursor.cursor.copy_expert(sql, io.StringIO(_csv(df.iloc[lo : lo + COPY_CHUNK])))
    return len(df)


def _copy_stream(table: str, columns: list[str], produce) -> None:
    """COPY rows that a forked child process writes as COPY text into a pipe.

    Formatting 10M rows as text costs as much CPU as PostgreSQL's parsing of them: with the
    producer in its own process, both run at once on the machine's two cores.
    """
    import multiprocessing

    from django.db import connection

    read_fd, write_fd = os.pipe()
    child = multiprocessing.get_context("fork").Process(target=produce, args=(write_fd,))
    child.start()
    os.close(write_fd)
    with os.fdopen(read_fd, "r", buffering=1 << 20) as pipe, connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", pipe)
    child.join()
    if child.exitcode:
        raise RuntimeError(f"event producer exited with {child.exitcode}")


def _next_id(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def _reset_sequence(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
        )


def _drop_secondary_indexes(table: str) -> list[str]:
    """Drop every index and unique constraint of `table` but its primary key; return the DDL."""
    from django.db import connection

    restore = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u'",
            [table],
        )
        for name, definition in cursor.fetchall():
            restore.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype = 'p')",
            [table],
        )
        for name, definition in cursor.fetchall():
            restore.append(definition)
            cursor.execute(f"DROP INDEX {name}")
    return restore


def _restore_indexes(statements: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for statement in statements:
            cursor.execute(statement)


def _days_ago(now: dt.datetime, days, hours=0):
    import pandas as pd

    return (
        pd.Timestamp(now.replace(tzinfo=None))
        - pd.to_timedelta(days, unit="D")
        - (pd.to_timedelta(hours, unit="h"))
    )


def load(n_accounts: int, n_events: int, seed: int) -> dict:
    import pandas as pd
    from django.contrib.auth import get_user_model
    from django.db import connection

    from abm.models import Membership, Workspace
    from campaigns.weights import DEFAULT_EVENT_WEIGHTS, KIND_CHANNEL

    rng = np.random.default_rng(seed)
    timings = {}
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    today = now.date()
    User = get_user_model()
    ws = Workspace.objects.create(slug="bench", name="Bench Co")
    admin = User.objects.create_user(
        username="admin@bench.test",
        email="admin@bench.test",
        password="x",
        first_name="Bench",
        last_name="Admin",
    )
    Membership.objects.create(user=admin, workspace=ws, role="admin")
    sdrs = []
    for i in range(12):
        u = User.objects.create_user(
            username=f"sdr{i}@bench.test",
            email=f"sdr{i}@bench.test",
            password="x",
            first_name=f"Sdr{i}",
            last_name="Rep",
        )
        Membership.objects.create(user=u, workspace=ws, role="sdr")
        sdrs.append(u.pk)
    W = ws.pk
    ts = pd.Timestamp(now.replace(tzinfo=None))

    # accounts ------------------------------------------------------------------------------
    t = time.perf_counter()
    a0 = _next_id("accounts_account")
    ids = np.arange(a0, a0 + n_accounts)
    seq = np.arange(n_accounts).astype(str)
    tier = rng.choice([1, 2, 3, 0], size=n_accounts, p=[0.02, 0.08, 0.25, 0.65])
    employees = np.clip(rng.lognormal(5.5, 1.6, n_accounts).astype(int), 1, 400_000)
    owner = np.where(rng.random(n_accounts) < 0.35, rng.choice(sdrs, n_accounts), 0)
    is_target = (tier > 0) & (rng.random(n_accounts) < 0.5)
    industries = np.array(
        [
            "Software",
            "Financial Services",
            "Healthcare",
            "Manufacturing",
            "Retail",
            "Education",
            "Media",
            "Logistics",
        ]
    )
    stages = np.array(["target", "aware", "engaged", "mqa", "opportunity", "customer"])
    furthest = rng.choice(6, size=n_accounts, p=[0.35, 0.25, 0.18, 0.1, 0.07, 0.05])
    domain = np.char.add(np.char.add("company", seq), ".example")
    accounts = pd.DataFrame(
        {
            "id": ids,
            "workspace_id": W,
            "name": np.char.add(np.char.add("Company ", seq), " Inc"),
            "normalized_name": np.char.add("company ", seq),
            "domain": domain,
            "website": np.char.add("https://", domain),
            "industry": industries[rng.integers(0, len(industries), n_accounts)],
            "employees": employees,
            "country": "US",
            "region": "",
            "city": "",
            "phone": "",
            "technologies": "[]",
            "account_type": "",
            "is_target": np.where(is_target, "t", "f"),
            "tier": pd.array(np.where(tier > 0, tier, 0)).astype("Int64"),
            "stage": stages[furthest],
            "stage_changed_at": ts,
            "crm_source": "bench",
            "crm_id": np.char.add("A", seq),
            "owner_id": pd.array(owner).astype("Int64"),
            "created_at": ts,
            "updated_at": ts,
        }
    )
    accounts["tier"] = accounts["tier"].where(accounts["tier"] > 0)
    accounts["owner_id"] = accounts["owner_id"].where(accounts["owner_id"] > 0)
    _copy_df("accounts_account", accounts)
    timings["accounts"] = time.perf_counter() - t

    # campaigns and target lists ------------------------------------------------------------------
    t = time.perf_counter()
    c0 = _next_id("campaigns_campaign")
    n_campaigns = 40
    camp_ids = list(range(c0, c0 + n_campaigns))
    kinds = ["one_to_one", "one_to_few", "one_to_many"]
    _copy_df(
        "campaigns_campaign",
        pd.DataFrame(
            {
                "id": camp_ids,
                "workspace_id": W,
                "name": [f"Campaign {k}" for k in range(n_campaigns)],
                "kind": [kinds[k % 3] for k in range(n_campaigns)],
                "channels": '["email", "ads"]',
                "budget": [10000 + 500 * k for k in range(n_campaigns)],
                "starts": [today - dt.timedelta(days=300 - 5 * k) for k in range(n_campaigns)],
                "status": "active",
                "segment": "{}",
                "created_at": ts,
            }
        ),
    )
    targeted = ids[is_target | (rng.random(n_accounts) < 0.03)]
    pairs = pd.DataFrame(
        {"campaign_id": rng.choice(camp_ids, len(targeted)), "account_id": targeted}
    ).drop_duplicates()
    pairs.insert(0, "workspace_id", W)
    pairs["source"] = "manual"
    pairs["added_at"] = ts
    _copy_df("campaigns_campaignaccount", pairs)
    timings["campaigns"] = time.perf_counter() - t

    # contacts (two per account; some are leads with a status) ------------------------------------
    t = time.perf_counter()
    n_contacts = n_accounts * 2
    acc_of = np.repeat(ids, 2)
    cseq = np.arange(n_contacts).astype(str)
    company = np.char.add(np.char.add("company", (acc_of - a0).astype(str)), ".example")
    status = rng.choice(
        np.array(["new", "mql", "sal", "sql", "disqualified"]),
        size=n_contacts,
        p=[0.6, 0.2, 0.08, 0.07, 0.05],
    )
    contacts = pd.DataFrame(
        {
            "workspace_id": W,
            "account_id": acc_of,
            "is_lead": np.where(status != "new", "t", "f"),
            "first_name": "Pat",
            "last_name": np.char.add("Person", cseq),
            "email": np.char.add(np.char.add(np.char.add("p", cseq), "@"), company),
            "email_domain": company,
            "title": "Manager",
            "seniority": "director",
            "department": "",
            "buying_role": "",
            "lead_status": status,
            "lead_status_changed_at": _days_ago(now, rng.integers(0, 365, n_contacts)),
            "lead_source": "",
            "company_name": "",
            "website": "",
            "country": "",
            "city": "",
            "phone": "",
            "match_status": "auto",
            "crm_source": "bench",
            "crm_id": np.char.add("C", cseq),
            "crm_account_id": "",
            "created_at": ts,
            "updated_at": ts,
        }
    )
    _copy_df("accounts_contact", contacts)
    timings["contacts"] = time.perf_counter() - t

    # opportunities ------------------------------------------------------------------------------------
    t = time.perf_counter()
    opp_accounts = ids[rng.random(n_accounts) < np.where(is_target, 0.45, 0.15)]
    n_opps = len(opp_accounts)
    created = rng.integers(0, 540, n_opps)
    cycle = rng.integers(14, 200, n_opps)
    closed = (created - cycle) > 0
    won = closed & (rng.random(n_opps) < 0.3)
    amount = np.round(rng.lognormal(10.0, 0.9, n_opps), 2)
    amount = np.where(np.isin(opp_accounts, ids[is_target]), amount * 1.9, amount)
    day0 = pd.Timestamp(today)
    oseq = np.arange(n_opps)
    opps = pd.DataFrame(
        {
            "workspace_id": W,
            "account_id": opp_accounts,
            "name": np.char.add("Deal ", oseq.astype(str)),
            "amount": np.round(amount, 2),
            "currency": "USD",
            "stage": np.where(won, "Closed Won", np.where(closed, "Closed Lost", "Proposal")),
            "is_closed": np.where(closed, "t", "f"),
            "is_won": np.where(won, "t", "f"),
            "created_date": (day0 - pd.to_timedelta(created, unit="D")).strftime("%Y-%m-%d"),
            "close_date": pd.Series(
                (day0 - pd.to_timedelta(created - cycle, unit="D")).strftime("%Y-%m-%d")
            ).where(closed),
            "campaign_id": pd.Series(np.array(camp_ids)[oseq % n_campaigns], dtype="Int64").where(
                oseq % 3 == 0
            ),
            "crm_source": "bench",
            "crm_id": np.char.add("O", oseq.astype(str)),
            "created_at": ts,
            "updated_at": ts,
        }
    )
    _copy_df("accounts_opportunity", opps)
    timings["opportunities"] = time.perf_counter() - t

    # SDR activities -------------------------------------------------------------------------------------
    t = time.perf_counter()
    owned_idx = np.flatnonzero(owner > 0)
    n_act = min(300_000, len(owned_idx) * 5)
    pick = rng.choice(owned_idx, n_act)
    activities = pd.DataFrame(
        {
            "workspace_id": W,
            "account_id": ids[pick],
            "user_id": owner[pick],
            "kind": rng.choice(
                np.array(["call", "email", "meeting", "linkedin"]), n_act, p=[0.35, 0.4, 0.1, 0.15]
            ),
            "outcome": "connected",
            "at": _days_ago(now, rng.integers(0, 365, n_act)),
            "note": "",
        }
    )
    _copy_df("accounts_activity", activities)
    timings["activities"] = time.perf_counter() - t

    # journey transitions: each account climbs the ladder up to its furthest stage ------------------
    t = time.perf_counter()
    steps = furthest + 1
    acc_idx = np.repeat(np.arange(n_accounts), steps)
    step = np.arange(len(acc_idx)) - np.repeat(np.cumsum(steps) - steps, steps)
    gaps = rng.integers(3, 40, (n_accounts, 6))
    # days before now of step s: start − sum of the earlier gaps; hours: this step's gap
    earlier = np.concatenate([np.zeros((n_accounts, 1), int), np.cumsum(gaps, axis=1)[:, :-1]], 1)
    start_days = rng.integers(30, 400, n_accounts)
    back = np.maximum(start_days[acc_idx] - earlier[acc_idx, step], 0)
    transitions = pd.DataFrame(
        {
            "workspace_id": W,
            "account_id": ids[acc_idx],
            "from_stage": np.where(step > 0, stages[np.maximum(step - 1, 0)], ""),
            "to_stage": stages[step],
            "at": _days_ago(now, back, gaps[acc_idx, step]),
            "reason": "bench",
        }
    )
    n_tr = _copy_df("campaigns_stagetransition", transitions)
    timings["stage_transitions"] = time.perf_counter() - t

    # events ------------------------------------------------------------------------------------------------
    t = time.perf_counter()
    kinds_list = list(DEFAULT_EVENT_WEIGHTS)
    kind_p = np.array([0.01, 0.01, 0.01, 0.03, 0.02, 0.12, 0.1, 0.01, 0.4, 0.29])
    kind_p = kind_p / kind_p.sum()
    activity = rng.pareto(1.1, n_accounts) + 0.05
    cum = np.cumsum(activity / activity.sum())
    start_epoch = int((now - dt.timedelta(days=365)).timestamp())
    ev_cols = [
        "workspace_id",
        "account_id",
        "campaign_id",
        "kind",
        "channel",
        "weight",
        "occurred_at",
        "external_id",
        "meta",
        "created_at",
    ]
    kinds_cat = pd.CategoricalDtype(kinds_list)
    channel_names = sorted(set(KIND_CHANNEL.values()))
    channel_code = np.array([channel_names.index(KIND_CHANNEL[k]) for k in kinds_list])
    weights = np.array([DEFAULT_EVENT_WEIGHTS[k] for k in kinds_list])
    camp_arr = np.array(camp_ids)

    def produce(write_fd: int) -> None:
        """Child process: the events as COPY text, a million at a time, into the pipe."""
        crng = np.random.default_rng(seed + 1)
        with os.fdopen(write_fd, "w", buffering=1 << 20) as out:
            for lo in range(0, n_events, 1_000_000):
                n = min(1_000_000, n_events - lo)
                k = crng.choice(len(kinds_list), n, p=kind_p)
                camp = np.where(crng.random(n) < 0.4, crng.choice(camp_arr, n), 0)
                frame = pd.DataFrame(
                    {
                        "workspace_id": W,
                        "account_id": ids[
                            np.minimum(np.searchsorted(cum, crng.random(n)), n_accounts - 1)
                        ],
                        "campaign_id": pd.Series(camp, dtype="Int64").where(camp > 0),
                        "kind": pd.Categorical.from_codes(k, dtype=kinds_cat),
                        "channel": pd.Categorical.from_codes(
                            channel_code[k], categories=channel_names
                        ),
                        "weight": weights[k],
                        "occurred_at": pd.to_datetime(
                            start_epoch + crng.integers(0, 365 * 86400, n), unit="s"
                        ),
                        "external_id": np.arange(lo, lo + n),
                        "meta": "{}",
                        "created_at": ts,
                    }
                )
                frame["external_id"] = "e" + frame["external_id"].astype(str)
                out.write(_csv(frame))
                print(
                    f"  events {lo + n:,}/{n_events:,} ({time.perf_counter() - t:.0f}s)", flush=True
                )

    # Secondary indexes are built once after the load (a bulk build beats 10M inserts into them).
    dropped = _drop_secondary_indexes("campaigns_engagementevent")
    _copy_stream("campaigns_engagementevent", ev_cols, produce)
    timings["events"] = time.perf_counter() - t
    t = time.perf_counter()
    _restore_indexes(dropped)
    timings["event_indexes"] = time.perf_counter() - t
    for table in (
        "accounts_account",
        "campaigns_campaign",
        "accounts_contact",
        "accounts_opportunity",
        "campaigns_engagementevent",
    ):
        _reset_sequence(table)
    # What autovacuum would do after a load this size (it is off on the bench machines):
    # statistics, and the visibility map that lets covering indexes answer without the heap.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return {
        "workspace_id": W,
        "admin_id": admin.pk,
        "counts": {
            "accounts": n_accounts,
            "contacts": n_contacts,
            "opportunities": int(n_opps),
            "activities": int(n_act),
            "stage_transitions": n_tr,
            "campaign_targets": len(pairs),
            "events": n_events,
        },
        "load_seconds": {k: round(v, 1) for k, v in timings.items()},
    }


def rebuild(workspace_id: int) -> dict:
    """Time `rollups_rebuild` (wall, this process's CPU, the database's CPU, load average)."""
    from abm.models import Workspace
    from dashboards.services import rollups_rebuild

    load_before = _loadavg()
    t, cpu, db = time.perf_counter(), time.process_time(), _db_cpu_seconds()
    counts = rollups_rebuild(workspace=Workspace.objects.get(pk=workspace_id))
    result = {
        "rebuild_seconds": round(time.perf_counter() - t, 1),
        "rebuild_cpu": round(time.process_time() - cpu, 1),
        "rebuild_db_cpu": round(_db_cpu_seconds() - db, 1),
        "rebuild_load": [load_before, _loadavg()],
        "rollups": {k: v for k, v in counts.items() if isinstance(v, int)},
        "rollup_seconds": counts.get("seconds", {}),
    }
    print(f"  rollups_rebuild {json.dumps(result)}", flush=True)
    return result


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _db_cpu_seconds() -> float:
    """CPU seconds (user + system) so far of the PostgreSQL processes serving the bench database.

    Backends that have exited are not counted: measure while the connections are open (the
    bench's gunicorn keeps them with CONN_MAX_AGE).
    """
    import psutil

    total = 0.0
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "postgres" and "abm_dash_bench" in " ".join(
            proc.info["cmdline"] or ()
        ):
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
    return total


def _tree_cpu_seconds(pid: int) -> float:
    import psutil

    root = psutil.Process(pid)
    total = 0.0
    for proc in (root, *root.children(recursive=True)):
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def session_cookie(admin_id: int, workspace_id: int) -> str:
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from abm.selectors import SESSION_KEY as WS_KEY

    user = get_user_model().objects.get(pk=admin_id)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[WS_KEY] = workspace_id
    store.create()
    return store.session_key


def random_query(rng: random.Random, owners: list[int], campaigns: list[int]) -> str:
    today = dt.datetime.now(dt.UTC).date()
    days = rng.choice([30, 90, 90, 180, 365])
    end = today - dt.timedelta(days=rng.choice([0, 0, 0, 7, 30, 60]))
    params = {"from": (end - dt.timedelta(days=days - 1)).isoformat(), "to": end.isoformat()}
    if rng.random() < 0.35:
        params["tier"] = rng.choice(["1", "2", "3", "none"])
    if rng.random() < 0.3:
        params["segment"] = rng.choice(["enterprise", "mid_market", "smb"])
    if rng.random() < 0.15 and owners:
        params["owner"] = str(rng.choice(owners))
    if rng.random() < 0.1 and campaigns:
        params["campaign"] = str(rng.choice(campaigns))
    return "&".join(f"{k}={v}" for k, v in params.items())


def drive(
    cookie: str,
    *,
    users: int,
    per_user: int,
    owners: list[int],
    campaigns: list[int],
    seed: int,
    server_pid: int,
) -> dict:
    results = {}
    for page in PAGES:
        load_before = _loadavg()
        app_cpu, db_cpu = _tree_cpu_seconds(server_pid), _db_cpu_seconds()
        latencies: list[float] = []
        errors = []
        lock = threading.Lock()

        def worker(
            idx: int,
            page: str = page,
            latencies: list = latencies,
            errors: list = errors,
            lock=lock,
        ) -> None:
            rng = random.Random(seed * 1000 + idx)
            for _ in range(per_user):
                url = f"http://127.0.0.1:{PORT}/dashboards/{page}/?{random_query(rng, owners, campaigns)}"
                req = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})  # noqa: S310
                t = time.perf_counter()
                try:
                    with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_S) as resp:  # noqa: S310
                        resp.read()
                        ok = resp.status == 200
                except Exception as exc:  # noqa: BLE001 — a failed request is a result
                    ok = False
                    errors.append(str(exc)[:200])
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    latencies.append(ms)
                    if not ok and not errors:
                        errors.append("non-200")

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(users)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
        _drain()
        latencies.sort()
        results[page] = {
            "requests": len(latencies),
            "errors": len(errors),
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 1),
            "max_ms": round(latencies[-1], 1),
            "rps": round(len(latencies) / wall, 1),
            "first_error": errors[0] if errors else "",
            "load": [load_before, _loadavg()],
            # CPU per request: what a page costs, whatever else the shared machine is doing
            "app_cpu_ms": round((_tree_cpu_seconds(server_pid) - app_cpu) / len(latencies) * 1000),
            "db_cpu_ms": round((_db_cpu_seconds() - db_cpu) / len(latencies) * 1000),
        }
        print(f"  {page:11s} {results[page]}", flush=True)
    return results


def _drain(limit_s: float = 60) -> None:
    """Wait until no query of the bench database is running, so a page's leftovers (requests
    the client timed out on) are not charged to the next page."""
    import psycopg2

    conn = psycopg2.connect("dbname=abm_dash_bench user=postgres host=127.0.0.1")
    conn.autocommit = True
    deadline = time.monotonic() + limit_s
    try:
        with conn.cursor() as cur:
            while time.monotonic() < deadline:
                cur.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = 'abm_dash_bench' "
                    "AND state = 'active' AND pid <> pg_backend_pid()"
                )
                if cur.fetchone()[0] == 0:
                    return
                time.sleep(0.5)
    finally:
        conn.close()


def serve(cache_seconds: int) -> subprocess.Popen:
    proc = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "abm.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(WORKERS),
            "--threads",
            "1",
            "--timeout",
            str(REQUEST_TIMEOUT_S + 5),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        start_new_session=True,
        # A request the client gave up on stops in the database too (libpq reads PGOPTIONS).
        env=_env(
            {
                "DASHBOARD_CACHE_SECONDS": str(cache_seconds),
                "PGOPTIONS": f"-c statement_timeout={REQUEST_TIMEOUT_S * 1000}",
            }
        ),
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/login/", timeout=2).read()  # noqa: S310
            return proc
        except Exception:  # noqa: BLE001
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def warm(cookie: str) -> None:
    """Every worker imports its code, opens its connection and loads what it keeps between
    requests (the funnels' fact columns, once per rollup version) before anything is measured:
    concurrent requests, so that each of the workers gets some."""

    def one(page: str) -> None:
        req = urllib.request.Request(
            f"http://127.0.0.1:{PORT}/dashboards/{page}/",
            headers={"Cookie": f"sessionid={cookie}"},
        )  # noqa: S310
        try:
            urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_S).read()  # noqa: S310
        except Exception:  # noqa: BLE001 — a page too slow to warm is measured as it is
            return

    for page in PAGES:
        for _ in range(2):
            threads = [threading.Thread(target=one, args=(page,)) for _ in range(WORKERS * 2)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
    _drain()


def write_results(report: dict) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    c = report["counts"]
    load = report.get("load_seconds", {})
    rollup_s = report.get("rollup_seconds", {})
    lines = [
        "## Dashboards",
        "",
        f"Run {report['when']} by `bench/dash_bench.py` on PostgreSQL 15, 2 cores shared with "
        f"other engineers' work. Data: {c['accounts']:,} accounts, {c['events']:,} engagement "
        f"events"
        + (
            f", {c['contacts']:,} contacts, {c['opportunities']:,} opportunities, "
            f"{c['activities']:,} activities, {c['stage_transitions']:,} stage transitions, "
            f"{c['campaign_targets']:,} campaign targets (40 campaigns, 12 SDRs)"
            if "contacts" in c
            else ""
        )
        + ".",
        "",
    ]
    if load:
        lines += [
            f"**Load** (COPY from pandas-generated text; the events streamed by a forked producer "
            f"process): {sum(load.values()):.0f} s wall — "
            + ", ".join(f"{k} {v:.0f} s" for k, v in load.items())
            + f". CPU: loader {report.get('load_cpu', 0):.0f} s (plus its event producer), "
            f"PostgreSQL {report.get('load_db_cpu', 0):.0f} s. Load average before / after: "
            f"{report.get('load_load', ['?', '?'])[0]} / {report.get('load_load', ['?', '?'])[1]}.",
            "",
        ]
    lines += [
        f"**`rollups_rebuild`**: {report['rebuild_seconds']:.0f} s wall "
        f"({', '.join(f'{k} {v:.0f} s' for k, v in rollup_s.items())}); CPU: Python "
        f"{report.get('rebuild_cpu', 0):.0f} s, PostgreSQL {report.get('rebuild_db_cpu', 0):.0f} s; "
        f"load average before / after {report.get('rebuild_load', ['?', '?'])[0]} / "
        f"{report.get('rebuild_load', ['?', '?'])[1]}. Rows: "
        + ", ".join(f"{k} {v:,}" for k, v in report["rollups"].items())
        + ".",
        "",
        f"**Pages**: gunicorn, 4 sync workers; {report['users']} concurrent users per page, "
        f"{report['per_user']} requests each, every request with a random filter combination "
        "(period 30–365 days ending today or up to 60 days ago, tier, segment, owner, campaign). "
        f"Bar: p95 ≤ {BAR_MS} ms per page. CPU ms per request: gunicorn workers (app) and the "
        "PostgreSQL backends (db), measured from /proc around each page's run; with 8 users on 2 "
        "cores a request waits for about four others' CPU, so p95 tracks 4 × (app + db) "
        "when the machine is otherwise idle.",
        "",
    ]
    for label, key in (
        ("Result cache off (every request computed)", "cold"),
        ("Result cache on (default, 300 s)", "warm"),
    ):
        if key not in report:
            continue
        lines += [
            f"*{label}*",
            "",
            "| page | requests | errors | p50 ms | p95 ms | max ms | req/s | app CPU ms/req "
            "| db CPU ms/req | load avg before → after | bar |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        ]
        for page, r in report[key].items():
            # gunicorn kills a worker after its timeout: its CPU (and its backend's) is lost
            cpu = {
                k: (r[k] if r[k] >= 0 else "n/a (workers killed)")
                for k in ("app_cpu_ms", "db_cpu_ms")
            }
            lines.append(
                f"| {page} | {r['requests']} | {r['errors']} | {r['p50_ms']} | {r['p95_ms']} | "
                f"{r['max_ms']} | {r['rps']} | {cpu['app_cpu_ms']} | {cpu['db_cpu_ms']} | "
                f"{r['load'][0][0]} → {r['load'][1][0]} | "
                f"{'met' if r['p95_ms'] <= BAR_MS and not r['errors'] else 'MISSED'} |"
            )
        lines.append("")
    section = "\n".join(lines)
    if "## Dashboards" in text:
        start = text.index("## Dashboards")
        rest = text[start + len("## Dashboards") :]
        nxt = rest.find("\n## ")
        text = text[:start] + section.rstrip("\n") + "\n\n" + (rest[nxt + 1 :] if nxt >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--per-user", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database")
    parser.add_argument(
        "--rebuild", action="store_true", help="with --reuse: rebuild the rollups first"
    )
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--pages",
        help="comma-separated subset of the pages to drive (default: all); with --no-write",
    )
    parser.add_argument(
        "--cache", choices=("off", "on", "both"), default="both", help="result cache runs"
    )
    parser.add_argument(
        "--load-only", action="store_true", help="stop after the load and the rollup rebuild"
    )
    parser.add_argument(
        "--write-from", type=Path, help="only rewrite RESULTS.md from a saved report (JSON)"
    )
    args = parser.parse_args()
    if args.pages:
        wanted = args.pages.split(",")
        unknown = set(wanted) - set(PAGES)
        if unknown:
            parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
        PAGES[:] = [p for p in PAGES if p in wanted]
    if args.write_from:
        write_results(json.loads(args.write_from.read_text()))
        return

    state_file = Path(tempfile.gettempdir()) / "dash_bench_state.json"
    if not args.reuse:
        print("creating database abm_dash_bench", flush=True)
        create_database()
    else:  # the loaded data stays; new rollup tables or columns still need their migrations
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=_env(),
            check=True,
        )
    _setup_django()
    if args.reuse:
        from abm.models import Membership

        state = json.loads(state_file.read_text()) if state_file.exists() else {}
        if not state:  # loaded by an earlier run that stopped before the rollups were built
            admin = Membership.objects.get(workspace__slug="bench", role="admin")
            state = {"workspace_id": admin.workspace_id, "admin_id": admin.user_id}
            state["counts"] = {"accounts": args.accounts, "events": args.events}
        if args.rebuild or "rollups" not in state:
            state.update(rebuild(state["workspace_id"]))
            state_file.write_text(json.dumps(state))
    else:
        print(
            f"loading {args.accounts:,} accounts and {args.events:,} events with COPY", flush=True
        )
        load_before = _loadavg()
        cpu, db = time.process_time(), _db_cpu_seconds()
        state = load(args.accounts, args.events, args.seed)
        state["load_cpu"] = round(time.process_time() - cpu, 1)
        state["load_db_cpu"] = round(_db_cpu_seconds() - db, 1)
        state["load_load"] = [load_before, _loadavg()]
        print(f"  load seconds {state['load_seconds']}", flush=True)
        state.update(rebuild(state["workspace_id"]))
        state_file.write_text(json.dumps(state))
    if args.load_only:
        return
    from abm.models import Membership
    from campaigns.models import Campaign

    owners = list(
        Membership.objects.filter(workspace_id=state["workspace_id"], role="sdr").values_list(
            "user_id", flat=True
        )
    )
    campaigns = list(
        Campaign.objects.filter(workspace_id=state["workspace_id"]).values_list("pk", flat=True)
    )
    cookie = session_cookie(state["admin_id"], state["workspace_id"])
    from django.db import connections

    connections.close_all()
    report = {
        **state,
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "users": args.users,
        "per_user": args.per_user,
        "load_before": os.getloadavg(),
    }
    runs = {"off": (("cold", 0),), "on": (("warm", 300),), "both": (("cold", 0), ("warm", 300))}
    for key, cache_seconds in runs[args.cache]:
        print(f"driving pages, result cache {'off' if not cache_seconds else 'on'}", flush=True)
        proc = serve(cache_seconds)
        try:
            warm(cookie)
            report[key] = drive(
                cookie,
                users=args.users,
                per_user=args.per_user,
                owners=owners,
                campaigns=campaigns,
                seed=args.seed,
                server_pid=proc.pid,
            )
            report[key + "_load"] = tuple(round(x, 2) for x in os.getloadavg())
        finally:  # the whole process group: workers stuck in a request keep the port
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        report_file = Path(tempfile.gettempdir()) / "dash_bench_report.json"
        report_file.write_text(json.dumps(report, indent=1))  # kept even if a later run fails
    report["load_before"] = tuple(round(x, 2) for x in report["load_before"])
    report_file = Path(tempfile.gettempdir()) / "dash_bench_report.json"
    report_file.write_text(json.dumps(report, indent=1))  # `--write-from` turns it into RESULTS
    if not args.no_write:
        write_results(report)
    print(json.dumps({k: report[k] for k in ("cold", "warm") if k in report}, indent=1))


if __name__ == "__main__":
    main()
