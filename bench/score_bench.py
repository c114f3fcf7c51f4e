# ruff: noqa: S608 -- table and column names in SQL here are literals of this file, never input
"""Scoring benchmark: 1,000,000 accounts scored and written back to PostgreSQL in ≤ 30 s, and
predictive-fit AUC on demo data against the rule-based ICP score on the same data.

    .venv/bin/python bench/score_bench.py                      # load 1M accounts, score, AUC
    .venv/bin/python bench/score_bench.py --reuse              # keep the loaded workspace
    .venv/bin/python bench/score_bench.py --accounts 100000    # smaller run
    .venv/bin/python bench/score_bench.py --skip-auc

Database: --db (default postgres://postgres@127.0.0.1:5432/abm_score_bench; created and
migrated if missing, never dropped). Not `abm_bench`: bench/ingest_bench.py drops and recreates
that one, which killed a scoring run loading at the same time. The benchmark owns the
workspace `score-bench` and deletes only that workspace's rows before loading.

Data (numpy, loaded with COPY; loading is not timed): accounts with industry, size, revenue,
country/region, technologies and 2% children of a parent; 25% of accounts have two contacts
(C-level/VP, Director or Practitioner) and ~2,000,000 engagement events over the last year,
heavy-tailed per account; 5% have two intent topics observed weekly for 12 weeks (a fifth of
them surging); 20,000 trigger events. An ICP profile (5 weighted criteria) is active.

Timed: `scoring.services.score_accounts` end to end (read, score, tier caps, reasons, write
scores + reasons back, a snapshot per changed account) — a first run where every account
changes, then a rerun where almost nothing does; and `account_engagement_refresh` per event.
AUC: `demo_data` generates a CRM export whose win probability depends on industry, employees,
revenue, country and technologies; the predictive model's 5-fold cross-validated ROC AUC is
compared with the ROC AUC of the rule-based ICP score on the same won/lost accounts.
Figures go to bench/RESULTS.md under "## Scoring" (only that section is rewritten).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/abm_score_bench"
SLUG = "score-bench"
BAR_SECONDS = 30.0

INDUSTRIES = [
    "Software",
    "Financial Services",
    "Insurance",
    "Healthcare",
    "Retail",
    "Media",
    "Manufacturing",
    "Logistics",
    "Energy",
    "Education",
    "Government",
    "Construction",
]
COUNTRIES = [
    ("US", "North America", 34),
    ("GB", "EMEA", 10),
    ("DE", "EMEA", 9),
    ("FR", "EMEA", 6),
    ("CA", "North America", 4),
    ("NL", "EMEA", 3),
    ("AU", "APAC", 3),
    ("JP", "APAC", 3),
    ("IN", "APAC", 3),
    ("BR", "LATAM", 2),
    ("ES", "EMEA", 3),
    ("SE", "EMEA", 2),
]
TECHS = [
    "Salesforce",
    "HubSpot",
    "Marketo",
    "Snowflake",
    "AWS",
    "Azure",
    "SAP",
    "Oracle",
    "Zendesk",
    "Slack",
    "Tableau",
    "Zoho",
]
KINDS = [
    "email_open",
    "email_click",
    "web_visit",
    "ad_click",
    "form_fill",
    "webinar_attended",
    "meeting",
    "call",
    "event_attended",
]
KIND_P = [0.35, 0.1, 0.3, 0.1, 0.04, 0.03, 0.02, 0.04, 0.02]
CHANNEL = {
    "email_open": "email",
    "email_click": "email",
    "web_visit": "web",
    "ad_click": "ads",
    "form_fill": "web",
    "webinar_attended": "webinars",
    "meeting": "sdr_outreach",
    "call": "sdr_outreach",
    "event_attended": "events",
}
LEVELS = ["c_level_vp", "director", "practitioner"]
TOPICS = [
    "account based marketing",
    "intent data",
    "revenue operations",
    "data warehouse",
    "predictive analytics",
    "marketing automation",
]
TRIGGERS = ["funding", "acquisition", "leadership_change", "hiring"]


def _setup(db_url: str) -> None:
    os.environ.update(
        DATABASE_URL=db_url,
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmn"),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abm.settings")
    import django

    django.setup()


def ensure_database(db_url: str) -> None:
    import psycopg2

    name = db_url.rsplit("/", 1)[1]
    conn = psycopg2.connect(db_url.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    env = dict(os.environ, DATABASE_URL=db_url, DEBUG="1")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )


def _copy(table: str, columns: list[str], rows_csv: str) -> None:
    """COPY rows into `table`, filling every other NOT NULL column without a default."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s"
            " AND is_nullable = 'NO' AND column_default IS NULL AND column_name <> 'id'",
            [table],
        )
        required = cur.fetchall()
        fillers = {
            "boolean": "false",
            "jsonb": "'{}'::jsonb",
            "integer": "0",
            "smallint": "0",
            "bigint": "0",
            "double precision": "0",
            "numeric": "0",
            "timestamp with time zone": "now()",
            "date": "current_date",
        }
        extra = [(name, kind) for name, kind in required if name not in columns]
        cur.execute(f"CREATE TEMP TABLE bench_load AS SELECT * FROM {table} WITH NO DATA")
        cur.copy_expert(
            f"COPY bench_load ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)",
            io.StringIO(rows_csv),
        )
        sets = [
            f"{name} = coalesce({name}, {fillers.get(kind, chr(39) * 2)})"
            for name, kind in required
        ]
        if sets:
            cur.execute(f"UPDATE bench_load SET {', '.join(sets)}")
        cols = columns + [name for name, _ in extra]
        cur.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM bench_load"
        )
        cur.execute("DROP TABLE bench_load")


def _csv(columns: list) -> str:
    import pandas as pd

    return pd.DataFrame(dict(enumerate(columns))).to_csv(index=False, header=False)


def load(n: int, seed: int) -> dict:
    """Load the bench workspace; returns counts."""
    from django.db import connection, transaction

    from abm.models import Workspace
    from scoring.engine.rules import DEFAULT_CRITERIA
    from scoring.models import IcpProfile

    rng = np.random.default_rng(seed)
    ws, _ = Workspace.objects.get_or_create(slug=SLUG, defaults={"name": "Scoring bench"})
    with connection.cursor() as cur:
        for table in (
            "scoring_scoresnapshot",
            "scoring_scoringrun",
            "scoring_intentsignal",
            "scoring_triggerevent",
            "campaigns_stagetransition",
            "campaigns_engagementevent",
            "accounts_contact",
            "scoring_icpprofileversion",
            "scoring_icpprofile",
            "scoring_scoringsettings",
            "scoring_fitmodel",
            "scoring_reasonset",
        ):
            cur.execute(f"DELETE FROM {table} WHERE workspace_id = %s", [ws.pk])
        cur.execute("UPDATE accounts_account SET parent_id = NULL WHERE workspace_id = %s", [ws.pk])
        cur.execute("DELETE FROM accounts_account WHERE workspace_id = %s", [ws.pk])
    now = time.time()
    t0 = time.perf_counter()
    with transaction.atomic():
        ind = rng.choice(len(INDUSTRIES), n)
        cidx = rng.choice(
            len(COUNTRIES),
            n,
            p=np.array([c[2] for c in COUNTRIES]) / 100 / sum(c[2] / 100 for c in COUNTRIES),
        )
        employees = np.clip(rng.lognormal(5.5, 1.6, n).round(), 1, 300_000).astype(int)
        revenue = (employees * rng.lognormal(12, 0.6, n)).round(-3)
        techmask = rng.random((n, len(TECHS))) < np.array(
            [0.35, 0.22, 0.1, 0.12, 0.4, 0.3, 0.18, 0.15, 0.12, 0.3, 0.14, 0.05]
        )
        tech_json = [
            '["' + '","'.join(t for t, m in zip(TECHS, row, strict=True) if m) + '"]'
            if row.any()
            else "[]"
            for row in techmask
        ]
        missing = rng.random(n) < 0.05
        emp_col = np.where(missing, "", employees.astype(str))
        idx = np.arange(n)
        _copy(
            "accounts_account",
            [
                "workspace_id",
                "name",
                "domain",
                "industry",
                "employees",
                "annual_revenue",
                "country",
                "region",
                "technologies",
                "stage",
                "account_type",
                "created_at",
                "updated_at",
            ],
            _csv(
                [
                    np.full(n, ws.pk),
                    [f"Bench {i}" for i in idx],
                    [f"bench{i}.example" for i in idx],
                    np.array(INDUSTRIES)[ind],
                    emp_col,
                    revenue,
                    np.array([c[0] for c in COUNTRIES])[cidx],
                    np.array([c[1] for c in COUNTRIES])[cidx],
                    tech_json,
                    np.where(rng.random(n) < 0.03, "customer", "target"),
                    "",
                    "now",
                    "now",
                ]
            ),
        )
        with connection.cursor() as cur:
            cur.execute(
                "SELECT id FROM accounts_account WHERE workspace_id = %s ORDER BY id", [ws.pk]
            )
            ids = np.array([r[0] for r in cur.fetchall()], dtype=np.int64)
            children = rng.choice(n, n // 50, replace=False)
            parents = rng.choice(n, n // 50)
            ok = children != parents
            cur.execute("CREATE TEMP TABLE bench_parent (id bigint, parent bigint)")
            cur.copy_expert(
                "COPY bench_parent FROM STDIN WITH (FORMAT csv)",
                io.StringIO(_csv([ids[children[ok]], ids[parents[ok]]])),
            )
            cur.execute(
                "UPDATE accounts_account a SET parent_id = p.parent FROM bench_parent p WHERE a.id = p.id"
            )
            cur.execute("DROP TABLE bench_parent")
        engaged = rng.choice(n, n // 4, replace=False)
        m = len(engaged)
        _copy(
            "accounts_contact",
            [
                "workspace_id",
                "account_id",
                "first_name",
                "last_name",
                "email",
                "email_domain",
                "seniority",
                "created_at",
                "updated_at",
            ],
            _csv(
                [
                    np.full(2 * m, ws.pk),
                    np.repeat(ids[engaged], 2),
                    "Pat",
                    [f"P{i}" for i in range(2 * m)],
                    [f"p{i}@bench.example" for i in range(2 * m)],
                    "bench.example",
                    rng.choice(LEVELS, 2 * m),
                    "now",
                    "now",
                ]
            ),
        )
        with connection.cursor() as cur:
            cur.execute(
                "SELECT account_id, id FROM accounts_contact WHERE workspace_id = %s ORDER BY account_id, id",
                [ws.pk],
            )
            pairs = np.array(cur.fetchall(), dtype=np.int64)
        contact_of = pairs[:, 1].reshape(-1, 2)  # two per engaged account, ordered by account id
        engaged_sorted = pairs[::2, 0]
        e = 2_000_000 * n // 1_000_000
        activity = rng.pareto(1.5, len(engaged_sorted)) + 0.1
        who = rng.choice(len(engaged_sorted), e, p=activity / activity.sum())
        age = rng.exponential(90, e).clip(0, 364)
        contact = np.where(rng.random(e) < 0.6, contact_of[who, rng.integers(0, 2, e)], -1)
        kinds = rng.choice(KINDS, e, p=KIND_P)
        stamps = (np.datetime64(int(now), "s") - (age * 86400).astype("timedelta64[s]")).astype(str)
        _copy(
            "campaigns_engagementevent",
            [
                "workspace_id",
                "account_id",
                "contact_id",
                "kind",
                "channel",
                "weight",
                "occurred_at",
                "external_id",
                "meta",
                "created_at",
            ],
            _csv(
                [
                    np.full(e, ws.pk),
                    engaged_sorted[who],
                    np.where(contact < 0, "", contact.astype(str)),
                    kinds,
                    [CHANNEL[k] for k in kinds],
                    1.0,
                    [s + "+00:00" for s in stamps],
                    [f"sb{i}" for i in range(e)],
                    "{}",
                    "now",
                ]
            ),
        )
        intent_accounts = rng.choice(n, n // 20, replace=False)
        k = len(intent_accounts)
        acc = np.repeat(ids[intent_accounts], 24)
        topic = np.tile(np.repeat(rng.choice(TOPICS, 2, replace=False), 12), k)
        week = np.tile(np.arange(12), 2 * k)
        surge = np.repeat(rng.random(k) < 0.2, 24) & (week < 2)
        strength = np.clip(rng.normal(30, 8, 24 * k) + surge * 35, 0, 100).round()
        obs = (
            np.datetime64(int(now), "s") - (week * 7 * 86400 + 3600).astype("timedelta64[s]")
        ).astype(str)
        _copy(
            "scoring_intentsignal",
            ["workspace_id", "account_id", "topic", "strength", "observed_at", "source"],
            _csv(
                [
                    np.full(24 * k, ws.pk),
                    acc,
                    topic,
                    strength,
                    [s + "+00:00" for s in obs],
                    "Bombora",
                ]
            ),
        )
        t = 20_000 * n // 1_000_000
        tage = rng.uniform(0, 120, t)
        tst = (np.datetime64(int(now), "s") - (tage * 86400).astype("timedelta64[s]")).astype(str)
        _copy(
            "scoring_triggerevent",
            ["workspace_id", "account_id", "kind", "occurred_at", "detail", "source"],
            _csv(
                [
                    np.full(t, ws.pk),
                    ids[rng.choice(n, t)],
                    rng.choice(TRIGGERS, t),
                    [s + "+00:00" for s in tst],
                    "",
                    "bench",
                ]
            ),
        )
        # Straight through the ORM: the service would queue a (here eager) re-score on commit,
        # and the timed first run must start from unscored accounts.
        IcpProfile.objects.create(
            workspace=ws, name="Bench ICP", criteria=DEFAULT_CRITERIA, is_active=True
        )
    with connection.cursor() as cur:
        for table in (
            "accounts_account",
            "accounts_contact",
            "campaigns_engagementevent",
            "scoring_intentsignal",
            "scoring_triggerevent",
        ):
            cur.execute(f"ANALYZE {table}")
    return {
        "accounts": n,
        "contacts": 2 * m,
        "events": e,
        "intent_signals": 24 * k,
        "triggers": t,
        "load_seconds": round(time.perf_counter() - t0, 1),
    }


def load_avg() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def reset_scores() -> float:
    """--reuse: put the loaded workspace back to "never scored" (not timed), so the first run
    is a real first run: every account changes and gets a snapshot."""
    from django.db import connection

    from abm.models import Workspace

    ws = Workspace.objects.get(slug=SLUG)
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for table in (
            "scoring_scoresnapshot",
            "scoring_scoringrun",
            "campaigns_stagetransition",
            "scoring_reasonset",
        ):
            cur.execute(f"DELETE FROM {table} WHERE workspace_id = %s", [ws.pk])
        cur.execute(
            "UPDATE accounts_account SET fit_score = NULL, predictive_fit = NULL,"
            " intent_score = NULL, engagement_score = NULL, priority = NULL, tier = NULL,"
            " health_score = NULL, reason_set_id = NULL, scored_at = NULL,"
            # MQA rows are earlier runs' work (scoring once promoted target accounts itself)
            " stage = CASE WHEN stage = 'mqa' THEN 'target' ELSE stage END"
            " WHERE workspace_id = %s AND scored_at IS NOT NULL",
            [ws.pk],
        )
        # Repacked as a fresh load leaves it: every page at the table's fillfactor, no dead
        # rows from the last run (the first run's UPDATEs are measured on a loaded table).
        cur.execute("VACUUM FULL ANALYZE accounts_account")
        cur.execute("VACUUM FULL ANALYZE accounts_accounttier")
        # The rows the last run left and the DELETEs above removed: autovacuum would have
        # reclaimed them by the next nightly run (it is off on the bench machines).
        for table in ("scoring_reasonset", "scoring_scoresnapshot", "campaigns_stagetransition"):
            cur.execute(f"VACUUM ANALYZE {table}")
    return round(time.perf_counter() - t0, 1)


class BackendCpu:
    """CPU seconds (user + system) spent by this database's PostgreSQL backends while the block
    runs: a thread samples /proc/<pid>/stat of every backend on the bench database every 0.2 s
    (a backend that ends between samples loses at most its last 0.2 s). Other engineers use
    other databases, so their work is not counted."""

    def __init__(self, db_name: str) -> None:
        self.db_name, self.seen, self.start = db_name, {}, {}
        self.stop = False

    def _sample(self, cur) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.db_name])
        for (pid,) in cur.fetchall():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, IndexError):
                continue
            used = (int(fields[11]) + int(fields[12])) / tick
            self.start.setdefault(pid, used)
            self.seen[pid] = used

    def __enter__(self):
        import threading

        import psycopg2

        conn = psycopg2.connect(os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres")
        conn.autocommit = True

        def loop():
            with conn.cursor() as cur:
                while not self.stop:
                    self._sample(cur)
                    time.sleep(0.2)
            conn.close()

        with conn.cursor() as cur:
            self._sample(cur)
        self.thread = threading.Thread(target=loop, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop = True
        self.thread.join()

    @property
    def seconds(self) -> float:
        return round(sum(self.seen[p] - self.start[p] for p in self.seen), 1)


def time_scoring(reps_refresh: int = 50) -> dict:
    from django.db import connection

    from abm.models import Workspace
    from scoring import services

    ws = Workspace.objects.get(slug=SLUG)
    out = {}
    for label in ("first_run", "rerun"):
        before = load_avg()
        cpu0 = time.process_time()
        with BackendCpu(connection.settings_dict["NAME"]) as backends:
            t0 = time.perf_counter()
            run = services.score_accounts(workspace=ws, trigger="command")
            seconds = time.perf_counter() - t0
        out[label] = {
            "seconds": round(seconds, 2),
            "cpu_seconds": round(time.process_time() - cpu0, 1),
            "postgres_cpu_seconds": backends.seconds,
            "stages": run.counts.get("seconds", {}),
            "load_before": before,
            "load_after": load_avg(),
            **{
                k: run.counts[k]
                for k in (
                    "accounts",
                    "changed",
                    "written",
                    "tier_1",
                    "tier_2",
                    "tier_3",
                    "mqa",
                    "churn_risk",
                )
            },
        }
        print(label, json.dumps(out[label]), flush=True)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM scoring_scoresnapshot WHERE workspace_id = %s", [ws.pk])
        out["snapshots"] = cur.fetchone()[0]
        cur.execute(
            "SELECT DISTINCT account_id FROM campaigns_engagementevent WHERE workspace_id = %s LIMIT %s",
            [ws.pk, reps_refresh],
        )
        sample = [r[0] for r in cur.fetchall()]
    t0 = time.perf_counter()
    for account_id in sample:
        services.account_engagement_refresh(workspace=ws, account_id=account_id)
    out["refresh_ms"] = round(1000 * (time.perf_counter() - t0) / max(1, len(sample)), 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def auc_comparison(accounts: int, seed: int) -> dict:
    """Predictive CV AUC vs rule-based ICP AUC on demo data (CSV files, no database)."""
    import pandas as pd

    from accounts.demo import vocab
    from scoring.engine import predictive, rules
    from scoring.engine.frames import as_lists

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "demo_data",
                "--out",
                tmp,
                "--accounts",
                str(accounts),
                "--seed",
                str(seed),
            ],
            cwd=ROOT,
            check=True,
            env=dict(os.environ, DEBUG="1"),
            capture_output=True,
        )
        acc = pd.read_csv(Path(tmp) / "accounts.csv", dtype=str, keep_default_na=False)
        opp = pd.read_csv(Path(tmp) / "opportunities.csv", dtype=str, keep_default_na=False)
    closed = opp[opp["IsClosed"] == "true"]
    won = closed.groupby("AccountId")["IsWon"].apply(lambda s: (s == "true").any())
    country = acc["BillingCountry"].str.casefold().map(lambda c: vocab.COUNTRY_BY_KEY.get(c))
    frame = pd.DataFrame(
        {
            "id": acc["Id"],
            "industry": acc["Industry"],
            "employees": pd.to_numeric(acc["NumberOfEmployees"], errors="coerce"),
            "annual_revenue": pd.to_numeric(acc["AnnualRevenue"], errors="coerce"),
            "country": country.map(lambda c: c.code if c else ""),
            "region": country.map(lambda c: c.region if c else ""),
            "technologies": as_lists(acc["Technologies__c"]),
            "has_parent": acc["ParentId"] != "",
        }
    )
    labelled = frame[frame["id"].isin(won.index)].reset_index(drop=True)
    y = won.loc[labelled["id"]].to_numpy(bool)
    t0 = time.perf_counter()
    model = predictive.train(labelled, y, seed=seed)
    train_s = time.perf_counter() - t0
    rule = rules.evaluate(labelled, rules.validate(rules.DEFAULT_CRITERIA)).score
    from accounts.demo.generator import fit_logit

    oracle = [
        fit_logit(
            industry=r.industry,
            employees=None if np.isnan(r.employees) else r.employees,
            annual_revenue=None if np.isnan(r.annual_revenue) else r.annual_revenue,
            country=r.country,
            technologies=r.technologies,
        )
        for r in labelled.itertuples()
    ]
    rule_lift = predictive.lift_by_decile(y, rule)
    return {
        "demo_accounts": accounts,
        "labelled": int(len(y)),
        "won": int(y.sum()),
        "lost": int((~y).sum()),
        "predictive_cv_auc": model.metrics["cv_auc"],
        "predictive_top_decile_lift": model.metrics["lift"][0]["lift"],
        "rule_auc": predictive.auc(y, rule),
        "oracle_auc": predictive.auc(y, np.array(oracle)),
        "rule_top_decile_lift": rule_lift[0]["lift"],
        "train_seconds": round(train_s, 1),
        "top_features": [f["text"] for f in model.metrics["top_features"][:5]],
    }


def write_results(text: str) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    current = path.read_text() if path.exists() else "# Benchmark results\n"
    start = current.find("\n## Scoring")
    if start == -1:
        current = current.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    else:
        end = current.find("\n## ", start + 1)
        tail = current[end:] if end != -1 else "\n"
        current = current[:start] + "\n" + text.rstrip("\n") + "\n" + tail
    path.write_text(current)


def report(data: dict, timing: dict | None, aucs: dict | None, args) -> str:
    lines = [
        "## Scoring",
        "",
        f"`bench/score_bench.py` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}); "
        f"PostgreSQL at {args.db.rsplit('@', 1)[-1]}, 2 shared CPU cores, other engineers' jobs "
        "running (load averages below). Bar: 1,000,000 accounts scored and written back in ≤ 30 s.",
    ]
    if data:
        lines += [
            "",
            f"Data: {data['accounts']:,} accounts, {data['contacts']:,} contacts, "
            f"{data['events']:,} engagement events (last 365 days), {data['intent_signals']:,} "
            f"intent signals, {data['triggers']:,} trigger events; active ICP with 5 criteria "
            f"(loaded with COPY in {data['load_seconds']} s, not timed).",
        ]
    if timing:
        first, rerun = timing["first_run"], timing["rerun"]
        verdict = "meets" if first["seconds"] <= BAR_SECONDS else "misses"
        lines += [
            "",
            "| run | accounts | changed → written + snapshot | wall s | CPU s: bench process"
            " + PostgreSQL | stages (wall s) | load avg before → after |",
            "| --- | ---: | ---: | ---: | ---: | --- | --- |",
        ]
        for name, r in (
            ("first run (every account changes)", first),
            ("rerun (nothing new)", rerun),
        ):
            stages = ", ".join(f"{k} {v}" for k, v in r.get("stages", {}).items())
            lines.append(
                f"| {name} | {r['accounts']:,} | {r['changed']:,} | **{r['seconds']}** | "
                f"{r.get('cpu_seconds', '—')} + {r.get('postgres_cpu_seconds', '—')} | {stages} | "
                f"{r['load_before']} → {r['load_after']} |"
            )
        lines += [
            "",
            f"The first run {verdict} the 30 s bar. Tiers after it: {first['tier_1']:,} / "
            f"{first['tier_2']:,} / {first['tier_3']:,} (top 5 % capped at 50, next 20 %), "
            f"{first['mqa']:,} MQA (the journey's stage), "
            f"{first['churn_risk']:,} customers at churn risk; {timing['snapshots']:,} snapshots "
            f"in total. Incremental `account_engagement_refresh` after an event: "
            f"{timing['refresh_ms']} ms per account. Peak RSS {timing['peak_rss_mb']} MB.",
        ]
    if aucs:
        lines += ["", *auc_lines(aucs)]
    return "\n".join(lines) + "\n"


AUC_HEADING = "Predictive fit vs rule-based ICP"


def auc_lines(aucs: dict) -> list[str]:
    return [
        f"{AUC_HEADING} on demo data (`demo_data --accounts {aucs['demo_accounts']:,}`; "
        f"{aucs['labelled']:,} accounts with closed deals: {aucs['won']:,} won, "
        f"{aucs['lost']:,} lost):",
        "",
        "| score | ROC AUC | top-decile lift |",
        "| --- | ---: | ---: |",
        f"| predictive (5-fold cross-validated, out-of-fold) | **{aucs['predictive_cv_auc']}** | "
        f"{aucs['predictive_top_decile_lift']}× |",
        f"| rule-based ICP (default profile, no training) | {aucs['rule_auc']} | "
        f"{aucs['rule_top_decile_lift']}× |",
        f"| the generator's own observable log-odds (`fit_logit`, the ceiling) | {aucs.get('oracle_auc', '—')} | |",
        "",
        f"Training with cross-validation took {aucs['train_seconds']} s. Strongest features: "
        + "; ".join(aucs["top_features"])
        + ".",
    ]


def refresh_auc_paragraph(aucs: dict) -> None:
    """Rewrite only the AUC paragraph of the Scoring section (after a model change)."""
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text()
    start = text.find("\n## Scoring")
    at = text.find(AUC_HEADING, start)
    if start == -1 or at == -1:
        raise SystemExit("no Scoring section with an AUC paragraph in bench/RESULTS.md yet")
    end = text.find("\n## ", at)
    tail = text[end:] if end != -1 else "\n"
    path.write_text(text[:at] + "\n".join(auc_lines(aucs)).rstrip("\n") + "\n" + tail)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded workspace")
    parser.add_argument("--skip-auc", action="store_true")
    parser.add_argument("--auc-accounts", type=int, default=20_000)
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    parser.add_argument(
        "--auc-only",
        action="store_true",
        help="recompute the AUC comparison and rewrite only that paragraph",
    )
    args = parser.parse_args()
    if args.auc_only:
        os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmn")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abm.settings")
        import django

        django.setup()
        aucs = auc_comparison(args.auc_accounts, args.seed)
        print("auc", json.dumps(aucs), flush=True)
        refresh_auc_paragraph(aucs)
        return
    ensure_database(args.db)
    _setup(args.db)
    data = {}
    if not args.reuse:
        data = load(args.accounts, args.seed)
        print("loaded", json.dumps(data), flush=True)
    else:
        print("reset scores in", reset_scores(), "s (not timed)", flush=True)
    timing = time_scoring()
    aucs = None if args.skip_auc else auc_comparison(args.auc_accounts, args.seed)
    if aucs:
        print("auc", json.dumps(aucs), flush=True)
    text = report(data, timing, aucs, args)
    print(text)
    if not args.no_write:
        write_results(text)


if __name__ == "__main__":
    main()
