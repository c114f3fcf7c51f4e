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
PAGES = ["executive", "engagement", "conversion", "deal-size", "campaigns", "sdr-team"]
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
def _copy(table: str, columns: list[str], lines) -> int:
    """COPY text-format lines (already tab-separated, \\N for NULL) into `table`."""
    from django.db import connection

    buf = io.StringIO()
    n = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for line in lines:
            buf.write(line)
            n += 1
            if n % 500_000 == 0:
                buf.seek(0)
                raw.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)
                buf = io.StringIO()
        buf.seek(0)
        raw.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)
    return n


def _copy_block(table: str, columns: list[str], text: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(text)
        )


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


def load(n_accounts: int, n_events: int, seed: int) -> dict:
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
    ts = now.isoformat()

    # accounts ------------------------------------------------------------------------------
    t = time.perf_counter()
    a0 = _next_id("accounts_account")
    ids = np.arange(a0, a0 + n_accounts)
    tier = rng.choice([1, 2, 3, 0], size=n_accounts, p=[0.02, 0.08, 0.25, 0.65])
    employees = np.clip(rng.lognormal(5.5, 1.6, n_accounts).astype(int), 1, 400_000)
    owner = np.where(rng.random(n_accounts) < 0.35, rng.choice(sdrs, n_accounts), 0)
    is_target = (tier > 0) & (rng.random(n_accounts) < 0.5)
    industries = [
        "Software",
        "Financial Services",
        "Healthcare",
        "Manufacturing",
        "Retail",
        "Education",
        "Media",
        "Logistics",
    ]
    ind = rng.integers(0, len(industries), n_accounts)
    stages = ["target", "aware", "engaged", "mqa", "opportunity", "customer"]
    furthest = rng.choice(6, size=n_accounts, p=[0.35, 0.25, 0.18, 0.1, 0.07, 0.05])
    cols = [
        "id",
        "workspace_id",
        "name",
        "normalized_name",
        "domain",
        "website",
        "industry",
        "employees",
        "country",
        "region",
        "city",
        "phone",
        "technologies",
        "account_type",
        "is_target",
        "tier",
        "stage",
        "stage_changed_at",
        "score_reasons",
        "crm_source",
        "crm_id",
        "created_at",
        "updated_at",
    ]
    lines = (
        f"{ids[i]}\t{W}\tCompany {i} Inc\tcompany {i}\tcompany{i}.example\thttps://company{i}.example\t{industries[ind[i]]}\t{employees[i]}\tUS\t\t\t\t[]\t\t{'t' if is_target[i] else 'f'}\t{tier[i] if tier[i] else chr(92) + 'N'}\t{stages[furthest[i]]}\t{ts}\t{{}}\tbench\tA{i}\t{ts}\t{ts}\n"
        for i in range(n_accounts)
    )
    _copy("accounts_account", cols, lines)
    with connection.cursor() as cursor:  # owners: only 35% of accounts have one
        cursor.execute(
            "UPDATE accounts_account SET owner_id = o.owner FROM unnest(%s::int[], %s::int[]) AS o(id, owner) WHERE accounts_account.id = o.id",
            [ids[owner > 0].tolist(), owner[owner > 0].tolist()],
        )
    timings["accounts"] = time.perf_counter() - t

    # campaigns and target lists ------------------------------------------------------------------
    t = time.perf_counter()
    c0 = _next_id("campaigns_campaign")
    n_campaigns = 40
    camp_ids = list(range(c0, c0 + n_campaigns))
    kinds = ["one_to_one", "one_to_few", "one_to_many"]
    _copy(
        "campaigns_campaign",
        [
            "id",
            "workspace_id",
            "name",
            "kind",
            "channels",
            "budget",
            "starts",
            "status",
            "segment",
            "created_at",
        ],
        (
            f'{cid}\t{W}\tCampaign {k}\t{kinds[k % 3]}\t["email", "ads"]\t{10000 + 500 * k}\t{today - dt.timedelta(days=300 - 5 * k)}\tactive\t{{}}\t{ts}\n'
            for k, cid in enumerate(camp_ids)
        ),
    )
    targeted = ids[is_target | (rng.random(n_accounts) < 0.03)]
    pairs = {(int(rng.choice(camp_ids)), int(a)) for a in targeted}
    _copy(
        "campaigns_campaignaccount",
        ["workspace_id", "campaign_id", "account_id", "source", "added_at"],
        (f"{W}\t{c}\t{a}\tmanual\t{ts}\n" for c, a in pairs),
    )
    timings["campaigns"] = time.perf_counter() - t

    # contacts (two per account; some are leads with a status) ------------------------------------
    t = time.perf_counter()
    n_contacts = n_accounts * 2
    acc_of = np.repeat(ids, 2)
    status = rng.choice(
        ["new", "mql", "sal", "sql", "disqualified"],
        size=n_contacts,
        p=[0.6, 0.2, 0.08, 0.07, 0.05],
    )
    changed_days = rng.integers(0, 365, n_contacts)
    ccols = [
        "workspace_id",
        "account_id",
        "is_lead",
        "first_name",
        "last_name",
        "email",
        "email_domain",
        "title",
        "seniority",
        "department",
        "buying_role",
        "lead_status",
        "lead_status_changed_at",
        "lead_source",
        "company_name",
        "website",
        "country",
        "city",
        "phone",
        "match_status",
        "crm_source",
        "crm_id",
        "crm_account_id",
        "created_at",
        "updated_at",
    ]
    _copy(
        "accounts_contact",
        ccols,
        (
            f"{W}\t{acc_of[i]}\t{'t' if status[i] != 'new' else 'f'}\tPat\tPerson{i}\tp{i}@company{(acc_of[i] - a0)}.example\tcompany{(acc_of[i] - a0)}.example\tManager\tdirector\t\t\t{status[i]}\t{(now - dt.timedelta(days=int(changed_days[i]))).isoformat()}\t\t\t\t\t\t\tauto\tbench\tC{i}\t\t{ts}\t{ts}\n"
            for i in range(n_contacts)
        ),
    )
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
    target_set = set(ids[is_target].tolist())
    amount = np.where([a in target_set for a in opp_accounts], amount * 1.9, amount)
    ocols = [
        "workspace_id",
        "account_id",
        "name",
        "amount",
        "currency",
        "stage",
        "is_closed",
        "is_won",
        "created_date",
        "close_date",
        "campaign_id",
        "crm_source",
        "crm_id",
        "created_at",
        "updated_at",
    ]
    _copy(
        "accounts_opportunity",
        ocols,
        (
            f"{W}\t{opp_accounts[i]}\tDeal {i}\t{amount[i]:.2f}\tUSD\t{'Closed Won' if won[i] else ('Closed Lost' if closed[i] else 'Proposal')}\t{'t' if closed[i] else 'f'}\t{'t' if won[i] else 'f'}\t{today - dt.timedelta(days=int(created[i]))}\t{(today - dt.timedelta(days=int(created[i] - cycle[i]))) if closed[i] else chr(92) + 'N'}\t{camp_ids[i % n_campaigns] if i % 3 == 0 else chr(92) + 'N'}\tbench\tO{i}\t{ts}\t{ts}\n"
            for i in range(n_opps)
        ),
    )
    timings["opportunities"] = time.perf_counter() - t

    # SDR activities -------------------------------------------------------------------------------------
    t = time.perf_counter()
    owned = ids[owner > 0]
    owner_of = dict(zip(ids[owner > 0].tolist(), owner[owner > 0].tolist(), strict=True))
    n_act = min(300_000, len(owned) * 5)
    act_acc = rng.choice(owned, n_act)
    act_kind = rng.choice(["call", "email", "meeting", "linkedin"], n_act, p=[0.35, 0.4, 0.1, 0.15])
    act_day = rng.integers(0, 365, n_act)
    _copy(
        "accounts_activity",
        ["workspace_id", "account_id", "user_id", "kind", "outcome", "at", "note"],
        (
            f"{W}\t{act_acc[i]}\t{owner_of[int(act_acc[i])]}\t{act_kind[i]}\tconnected\t{(now - dt.timedelta(days=int(act_day[i]))).isoformat()}\t\n"
            for i in range(n_act)
        ),
    )
    timings["activities"] = time.perf_counter() - t

    # journey transitions ---------------------------------------------------------------------------------
    t = time.perf_counter()

    def transitions():
        start_days = rng.integers(30, 400, n_accounts)
        gaps = rng.integers(3, 40, (n_accounts, 6))
        for i in range(n_accounts):
            day = int(start_days[i])
            prev = ""
            for s in range(furthest[i] + 1):
                at = now - dt.timedelta(days=max(day, 0), hours=int(gaps[i, s]))
                yield f"{W}\t{ids[i]}\t{prev}\t{stages[s]}\t{at.isoformat()}\tbench\n"
                prev = stages[s]
                day -= int(gaps[i, s])

    n_tr = _copy(
        "campaigns_stagetransition",
        ["workspace_id", "account_id", "from_stage", "to_stage", "at", "reason"],
        transitions(),
    )
    timings["stage_transitions"] = time.perf_counter() - t

    # events ------------------------------------------------------------------------------------------------
    t = time.perf_counter()
    kinds_list = list(DEFAULT_EVENT_WEIGHTS)
    kind_p = np.array([0.01, 0.01, 0.01, 0.03, 0.02, 0.12, 0.1, 0.01, 0.4, 0.29])
    kind_p = kind_p / kind_p.sum()
    activity = rng.pareto(1.1, n_accounts) + 0.05
    activity = activity / activity.sum()
    cum = np.cumsum(activity)
    start_epoch = int((now - dt.timedelta(days=365)).timestamp())
    span = 365 * 86400
    chunk = 1_000_000
    done = 0
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
    weights = np.array([DEFAULT_EVENT_WEIGHTS[k] for k in kinds_list])
    channels = np.array([KIND_CHANNEL[k] for k in kinds_list])
    kinds_arr = np.array(kinds_list)
    camp_arr = np.array(camp_ids)
    # Secondary indexes are built once after the load (a bulk build beats 10M inserts into them).
    dropped = _drop_secondary_indexes("campaigns_engagementevent")
    while done < n_events:
        n = min(chunk, n_events - done)
        acc = ids[np.minimum(np.searchsorted(cum, rng.random(n)), n_accounts - 1)]
        k = rng.choice(len(kinds_list), n, p=kind_p)
        when = start_epoch + rng.integers(0, span, n)
        camp = np.where(rng.random(n) < 0.4, rng.choice(camp_arr, n), 0)
        stamps = np.array(when, dtype="datetime64[s]").astype(str)
        camp_s = np.where(camp > 0, camp.astype(str), "\\N")
        ext = np.char.add("e", np.arange(done, done + n).astype(str))
        cols_txt = [
            np.full(n, str(W)),
            acc.astype(str),
            camp_s,
            kinds_arr[k],
            channels[k],
            weights[k].astype(str),
            np.char.add(stamps, "+00"),
            ext,
            np.full(n, "{}"),
            np.full(n, ts),
        ]
        text = (
            "\n".join("\t".join(row) for row in zip(*[c.tolist() for c in cols_txt], strict=True))
            + "\n"
        )
        _copy_block("campaigns_engagementevent", ev_cols, text)
        done += n
        print(f"  events {done:,}/{n_events:,} ({time.perf_counter() - t:.0f}s)", flush=True)
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
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
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


def rebuild(workspace_id: int) -> tuple[float, dict]:
    from abm.models import Workspace
    from dashboards.services import rollups_rebuild

    t = time.perf_counter()
    counts = rollups_rebuild(workspace=Workspace.objects.get(pk=workspace_id))
    return time.perf_counter() - t, counts


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
    cookie: str, *, users: int, per_user: int, owners: list[int], campaigns: list[int], seed: int
) -> dict:
    results = {}
    for page in PAGES:
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
                    with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
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

        # warm-up: one request per page so worker imports and connections are not measured
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(users)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
        latencies.sort()
        results[page] = {
            "requests": len(latencies),
            "errors": len(errors),
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 1),
            "max_ms": round(latencies[-1], 1),
            "rps": round(len(latencies) / wall, 1),
            "first_error": errors[0] if errors else "",
        }
        print(f"  {page:11s} {results[page]}", flush=True)
    return results


def serve(cache_seconds: int) -> subprocess.Popen:
    proc = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "abm.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "4",
            "--threads",
            "1",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_env({"DASHBOARD_CACHE_SECONDS": str(cache_seconds)}),
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
    for page in PAGES:
        for _ in range(4):
            req = urllib.request.Request(
                f"http://127.0.0.1:{PORT}/dashboards/{page}/",
                headers={"Cookie": f"sessionid={cookie}"},
            )  # noqa: S310
            urllib.request.urlopen(req, timeout=60).read()  # noqa: S310


def write_results(report: dict) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    c = report["counts"]
    lines = [
        "## Dashboards",
        "",
        f"Run {report['when']} by `bench/dash_bench.py` on PostgreSQL 15 (2 shared cores). Data: "
        f"{c['accounts']:,} accounts, {c['events']:,} engagement events, {c['contacts']:,} contacts, "
        f"{c['opportunities']:,} opportunities, {c['activities']:,} activities, "
        f"{c['stage_transitions']:,} stage transitions, {c['campaign_targets']:,} campaign targets "
        f"(40 campaigns, 12 SDRs). Loaded with COPY in {sum(report['load_seconds'].values()):.0f} s "
        f"({', '.join(f'{k} {v:.0f}s' for k, v in report['load_seconds'].items())}); "
        f"`rollups_rebuild` took {report['rebuild_seconds']:.0f} s "
        f"({', '.join(f'{k} {v:,}' for k, v in report['rollups'].items() if isinstance(v, int))} rows).",
        "",
        f"gunicorn, 4 sync workers on port {PORT}; {report['users']} concurrent users per page, "
        f"{report['per_user']} requests each, every request with a random filter combination "
        "(period 30–365 days ending today or up to 60 days ago, tier, segment, owner, campaign). "
        f"Bar: p95 ≤ {BAR_MS} ms per page. Load average before the runs: {report['load_before']}.",
        "",
    ]
    for label, key in (
        ("Result cache off (every request computed)", "cold"),
        ("Result cache on (default, 300 s)", "warm"),
    ):
        if key not in report:
            continue
        lines += [
            f"**{label}** — load after: {report[key + '_load']}",
            "",
            "| page | requests | errors | p50 ms | p95 ms | max ms | req/s | bar |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for page, r in report[key].items():
            lines.append(
                f"| {page} | {r['requests']} | {r['errors']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} | {r['rps']} | "
                f"{'met' if r['p95_ms'] <= BAR_MS and not r['errors'] else 'MISSED'} |"
            )
        lines.append("")
    section = "\n".join(lines)
    if "## Dashboards" in text:
        start = text.index("## Dashboards")
        rest = text[start + len("## Dashboards") :]
        nxt = rest.find("\n## ")
        text = text[:start] + section + (rest[nxt + 1 :] if nxt >= 0 else "")
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
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    state_file = Path(tempfile.gettempdir()) / "dash_bench_state.json"
    if not args.reuse:
        print("creating database abm_dash_bench", flush=True)
        create_database()
    _setup_django()
    if args.reuse and state_file.exists():
        state = json.loads(state_file.read_text())
    elif args.reuse:  # data loaded by an earlier run that stopped before the rollups were built
        from abm.models import Membership

        admin = Membership.objects.get(workspace__slug="bench", role="admin")
        state = {"workspace_id": admin.workspace_id, "admin_id": admin.user_id}
        state["counts"] = {"accounts": args.accounts, "events": args.events}
        seconds, counts = rebuild(state["workspace_id"])
        state["rebuild_seconds"] = round(seconds, 1)
        state["rollups"] = {k: v for k, v in counts.items() if k != "has"}
        state_file.write_text(json.dumps(state))
    else:
        print(
            f"loading {args.accounts:,} accounts and {args.events:,} events with COPY", flush=True
        )
        state = load(args.accounts, args.events, args.seed)
        print(f"  load seconds {state['load_seconds']}", flush=True)
        seconds, counts = rebuild(state["workspace_id"])
        state["rebuild_seconds"] = round(seconds, 1)
        state["rollups"] = {k: v for k, v in counts.items() if k != "has"}
        print(f"  rollups_rebuild {seconds:.1f}s {state['rollups']}", flush=True)
        state_file.write_text(json.dumps(state))
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
    for key, cache_seconds in (("cold", 0), ("warm", 300)):
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
            )
            report[key + "_load"] = tuple(round(x, 2) for x in os.getloadavg())
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    report["load_before"] = tuple(round(x, 2) for x in report["load_before"])
    if not args.no_write:
        write_results(report)
    print(json.dumps({k: report[k] for k in ("cold", "warm")}, indent=1))


if __name__ == "__main__":
    main()
