"""CRM import benchmark on PostgreSQL: our pipeline vs django-import-export, rows/s and peak RSS.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/abm_import_bench .venv/bin/python bench/import_bench.py
    .venv/bin/python bench/import_bench.py --sizes 100000          # quicker
    .venv/bin/python bench/import_bench.py --no-baseline --no-write
    .venv/bin/python bench/import_bench.py --reuse                 # files and accounts kept

Each size gets a Salesforce-style Contact export (the demo generator's headers:
`Id,AccountId,FirstName,LastName,Email,Title,Department,Phone,MailingCountry,LeadSource`, with
mixed country spellings, titles and a few rejects) and an Account export for one account per
ten contacts, imported first so contacts link to them. Every measured import runs
`manage.py import_crm` in a fresh process (end to end: start-up, inspection, limit scan, parse,
validate, COPY, set-wise upsert, error report) and records wall time and the child's peak RSS.
The same file is then imported again (all rows unchanged). django-import-export (installed in
the bench environment only, not in pyproject) imports the same first 100k rows for comparison,
stopped after `--baseline-seconds` (default 180) when it has not finished: it then reports the
rows it imported by then and the rows/s that means, labelled as such (it imports row by row at
a steady rate, so that rate is what the full 100k would take).

Files are generated once into `--data-dir` (seeded: the same bytes every time). With `--reuse`,
each size's accounts stay imported in workspace `import-bench-<size>` across runs and only its
people are removed (TRUNCATE of the bench database's people when no other workspace has any,
else DELETE + VACUUM) before the measured contact imports; without it, every measurement gets
a new empty workspace and the accounts are imported (and reported) first.
Figures go to bench/RESULTS.md under "## Import" (only that section is rewritten).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import machine  # bench/machine.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/abm_import_bench"
SLUG = "import-bench"
BAR_SECONDS, BAR_RSS_MB = 30.0, 600

FIRST = [
    "Ada",
    "Bob",
    "Chen",
    "Dana",
    "Elif",
    "Femi",
    "Greta",
    "Hiro",
    "Ines",
    "José",
    "Kai",
    "Lena",
    "Mia",
    "Noor",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Okafor",
    "Müller",
    "García",
    "Nakamura",
    "Rossi",
    "Novak",
    "Smith",
    "Dubois",
]
TITLES = ["VP Marketing", "Director of Demand Generation", "Marketing Operations Manager", "CMO",
          "Head of Growth", "Sales Development Rep", "Chief Revenue Officer", "Data Engineer",
          "IT Director", "Procurement Specialist"]  # fmt: skip
DEPARTMENTS = ["Marketing", "Sales", "IT", "Finance", "Operations", ""]
COUNTRIES = ["United States", "USA", "US", "Germany", "Deutschland", "DEU", "United Kingdom", "UK", "France",
             "Netherlands", "Canada", "Australia", ""]  # fmt: skip
SOURCES = ["Web", "Webinar", "Trade Show", "Partner Referral", "Purchased List", ""]


def generate(directory: Path, contacts: int, seed: int = 7) -> tuple[Path, Path]:
    """accounts.csv (contacts/10 rows) and contacts.csv (`contacts` rows, ~0.1% invalid).

    Written once per size and seed (the same bytes every time); kept for the next run.
    """
    rnd = random.Random(seed)
    accounts = max(contacts // 10, 1)
    a_path = directory / f"accounts-{contacts}-s{seed}.csv"
    c_path = directory / f"contacts-{contacts}-s{seed}.csv"
    if a_path.exists() and c_path.exists():
        return a_path, c_path
    directory.mkdir(parents=True, exist_ok=True)
    with a_path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "Id,Name,Website,Industry,NumberOfEmployees,AnnualRevenue,BillingCity,BillingCountry\n"
        )
        for i in range(accounts):
            out.write(
                f'001B{i:011d},Company {i} Inc,https://www.company{i}.com,Software,51-200,"$1,200,000.00",Berlin,Germany\n'
            )
    partial = c_path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "Id,AccountId,FirstName,LastName,Email,Title,Department,Phone,MailingCountry,LeadSource\n"
        )
        for i in range(contacts):
            account = rnd.randrange(accounts)
            first, last = rnd.choice(FIRST), rnd.choice(LAST)
            email = (
                f"{first.lower()}.{i}@company{account}.com" if i % 1000 != 999 else "not-an-email"
            )
            out.write(
                f"003B{i:011d},001B{account:011d},{first},{last},{email},{rnd.choice(TITLES)},"
                f"{rnd.choice(DEPARTMENTS)},+1 555 {i % 10000:04d},{rnd.choice(COUNTRIES)},{rnd.choice(SOURCES)}\n"
            )
    partial.rename(c_path)  # only a complete file is ever reused
    return a_path, c_path


def child_env(db: str) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=db, SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only"))
    # Follow-up matching/scoring tasks are published, not run inline: this measures the import.
    env["CELERY_TASK_ALWAYS_EAGER"] = "0"
    env.pop("REDIS_URL", None)
    return env


TIMER = r"""
import json, resource, subprocess, sys, time
import psutil

db_name = sys.argv[1]
cmd = sys.argv[2:]


def backends():
    out = {}
    for proc in psutil.process_iter(["name", "cmdline"]):
        try:
            title = " ".join(proc.info["cmdline"] or [])
            if title.startswith("postgres:") and f" {db_name} " in f"{title} ":
                t = proc.cpu_times()
                out[proc.pid] = t.user + t.system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return out


before = backends()  # backends of other connections to the bench database, if any
seen = {}
t = time.perf_counter()
p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
while True:
    try:
        out, err = p.communicate(timeout=0.5)
        break
    except subprocess.TimeoutExpired:
        seen.update(backends())
w = time.perf_counter() - t
seen.update(backends())
pg = sum(cpu - before.get(pid, 0.0) for pid, cpu in seen.items())
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": w, "rss": ru.ru_maxrss / 1024, "cpu": ru.ru_utime + ru.ru_stime,
                  "pg_cpu": pg, "rc": p.returncode, "out": out, "err": err[-2000:]}))
"""


@dataclass
class Measured:
    wall: float
    rss: float  # peak RSS of the child, MB
    cpu: float  # the child's user + system seconds
    # the bench database's PostgreSQL backends, seconds (sampled every 0.5 s: the sampling itself
    # cost a quarter of a core at 0.1 s)
    pg_cpu: float
    load: float  # 1-minute load average when it ended
    out: str

    def cpu_text(self) -> str:
        return f"{self.cpu:.1f} + {self.pg_cpu:.1f} s"


def timed(cmd: list[str], env: dict[str, str]) -> Measured:
    """Wall seconds, peak RSS, CPU seconds of the child and of its database backends, stdout."""
    db_name = env["DATABASE_URL"].rsplit("/", 1)[1]
    result = subprocess.run(
        [sys.executable, "-c", TIMER, db_name, *cmd],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    data = json.loads(result.stdout)
    if data["rc"] != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {data['err']}")
    return Measured(
        data["wall"], data["rss"], data["cpu"], data["pg_cpu"], os.getloadavg()[0], data["out"]
    )


def import_crm(path: Path, obj: str, env: dict[str, str]) -> tuple[Measured, dict]:
    measured = timed(
        [sys.executable, str(ROOT / "manage.py"), "import_crm", str(path), "--workspace", SLUG,
         "--object", obj],
        env,
    )  # fmt: skip
    return measured, json.loads(measured.out.strip().splitlines()[-1])


def prepare_database(db: str) -> None:
    import psycopg2

    name = db.rsplit("/", 1)[1]
    admin = psycopg2.connect(db.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    env = child_env(db)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "create_workspace", SLUG, "--name", "Import bench"],
        env=env, check=False, capture_output=True,
    )  # fmt: skip


def reset_workspace(db: str) -> None:
    """Point the next imports at a new, empty workspace.

    Deleting a million people and their accounts is slower than importing them (each deleted
    account is checked against every person's account_id), so each measurement gets a workspace
    of its own instead; drop the bench database to reclaim the space (or use `--reuse`).
    """
    global SLUG
    SLUG = f"import-bench-{int(time.time() * 1000)}"
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "create_workspace", SLUG, "--name", "Import bench"],
        env=child_env(db), check=True, capture_output=True,
    )  # fmt: skip


def _sql(db: str, statements: list[tuple[str, list]]) -> list:
    """Run statements in autocommit (VACUUM needs it); the last statement's rows, if any."""
    import psycopg2

    conn = psycopg2.connect(db)
    conn.autocommit = True
    rows: list = []
    try:
        with conn.cursor() as cur:
            for sql, params in statements:
                cur.execute(sql, params)
                rows = cur.fetchall() if cur.description else []
    finally:
        conn.close()
    return rows


def reuse_workspace(db: str, size: int, accounts: Path, env: dict[str, str]) -> str:
    """Workspace `import-bench-<size>` with its accounts imported (once) and no people.

    Returns how its accounts got there, for the results table. The people of earlier runs are
    removed so the measured import creates every person again, into a table that holds no dead
    rows (TRUNCATE when no other workspace of the bench database has people, else DELETE and
    VACUUM).
    """
    global SLUG
    SLUG = f"import-bench-{size}"
    expected = max(size // 10, 1)
    found = _sql(
        db,
        [(
            "SELECT w.id, (SELECT count(*) FROM accounts_account a WHERE a.workspace_id = w.id) "
            "FROM abm_workspace w WHERE w.slug = %s",
            [SLUG],
        )],
    )  # fmt: skip
    if found and found[0][1] == expected:
        workspace_id, how = found[0][0], "reused"
    else:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "create_workspace", SLUG, "--name", "Import bench"],
            env=env, check=False, capture_output=True,
        )  # fmt: skip
        m, counts = import_crm(accounts, "accounts", env)
        if counts["created"] + counts["unchanged"] + counts["updated"] != expected:
            raise SystemExit(f"accounts import into {SLUG} gave {counts}")
        workspace_id = _sql(db, [("SELECT id FROM abm_workspace WHERE slug = %s", [SLUG])])[0][0]
        how = f"imported in {m.wall:.1f} s"
    clear_people(db, workspace_id)
    return how


def clear_people(db: str, workspace_id: int) -> None:
    others = _sql(
        db,
        [
            (
                "SELECT EXISTS (SELECT 1 FROM accounts_contact WHERE workspace_id <> %s)",
                [workspace_id],
            )
        ],
    )[0][0]
    if others:
        _sql(
            db,
            [
                ("DELETE FROM accounts_contact WHERE workspace_id = %s", [workspace_id]),
                ("VACUUM ANALYZE accounts_contact", []),
            ],
        )
    else:
        # Tables pointing at people (activities, match candidates, …) hold bench data only.
        _sql(db, [("TRUNCATE accounts_contact CASCADE", []), ("ANALYZE accounts_contact", [])])


BASELINE = r"""
import os, sys, time, tablib, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abm.settings")
sys.path.insert(0, sys.argv[3])
django.setup()
from import_export import fields, resources
from abm.models import Workspace
from accounts.models import Contact

workspace = Workspace.objects.get(slug=sys.argv[2])

class ContactResource(resources.ModelResource):
    crm_id = fields.Field(attribute="crm_id", column_name="Id")
    crm_account_id = fields.Field(attribute="crm_account_id", column_name="AccountId")
    first_name = fields.Field(attribute="first_name", column_name="FirstName")
    last_name = fields.Field(attribute="last_name", column_name="LastName")
    email = fields.Field(attribute="email", column_name="Email")
    title = fields.Field(attribute="title", column_name="Title")
    department = fields.Field(attribute="department", column_name="Department")
    phone = fields.Field(attribute="phone", column_name="Phone")
    country = fields.Field(attribute="country", column_name="MailingCountry")
    lead_source = fields.Field(attribute="lead_source", column_name="LeadSource")

    class Meta:
        model = Contact
        import_id_fields = ["crm_id"]
        fields = ("crm_id", "crm_account_id", "first_name", "last_name", "email", "title", "department",
                  "phone", "country", "lead_source")
        skip_unchanged = True
        use_bulk = False

    def get_queryset(self):
        return Contact.objects.for_workspace(workspace)

    def before_save_instance(self, instance, row, **kwargs):
        instance.workspace = workspace
        instance.crm_source = "salesforce"
        instance.country = (instance.country or "")[:2]

with open(sys.argv[1], encoding="utf-8") as fh:
    dataset = tablib.Dataset().load(fh.read(), format="csv")
# Slices of 200 rows, each its own import_data call and transaction, until every row is in or
# the time limit has passed: the rows done and the seconds they took are what it reports.
limit, step = float(sys.argv[4]), 200
resource = ContactResource()
t = time.perf_counter()
done = new = bad = 0
while done < len(dataset) and time.perf_counter() - t < limit:
    part = tablib.Dataset(*dataset[done : done + step], headers=dataset.headers)
    result = resource.import_data(part, dry_run=False, raise_errors=False, use_transactions=True)
    done += len(part)
    new += result.totals.get("new", 0)
    bad += result.totals.get("error", 0) + result.totals.get("invalid", 0)
print(done, len(dataset), time.perf_counter() - t, new, bad)
"""


def baseline(
    path: Path, rows: int, env: dict[str, str], directory: Path, seconds: float
) -> Measured | None:
    """django-import-export on the first `rows` rows of `path`, stopped after `seconds`."""
    try:
        import import_export  # noqa: F401
    except ImportError:
        return None
    head = directory / f"contacts-baseline-{rows}.csv"
    with path.open(encoding="utf-8") as src, head.open("w", encoding="utf-8") as out:
        for i, line in enumerate(src):
            if i > rows:
                break
            out.write(line)
    script = directory / "baseline.py"
    script.write_text(BASELINE)
    return timed([sys.executable, str(script), str(head), SLUG, str(ROOT), str(seconds)], env)


def row(what: str, rows: int, m: Measured, counts: dict, bar: str = "") -> str:
    c = counts
    return (
        f"| {what} | {m.wall:.1f} s | {rows / m.wall:,.0f} | {m.rss:.0f} MB | {m.cpu_text()} | "
        f"{c.get('created', 0):,} / {c.get('updated', 0):,} / {c.get('unchanged', 0):,} / "
        f"{c.get('rejected', 0):,} | {m.load:.1f} | {bar} |"
    )


def write_results(text: str) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    start = current.find("\n## Import\n")
    if start == -1:
        updated = current.rstrip("\n") + "\n\n" + text
    else:
        end = current.find("\n## ", start + 1)
        updated = current[: start + 1] + text + (current[end:] if end != -1 else "")
    path.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--baseline-rows", type=int, default=100_000)
    parser.add_argument(
        "--baseline-seconds",
        type=float,
        default=180.0,
        help="stop django-import-export after this long and report the rows/s it reached",
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep each size's accounts imported across runs; only people are removed",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "abm-import-bench"
    )
    args = parser.parse_args()
    db = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not db.startswith("postgres"):
        raise SystemExit("The import benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    env = child_env(db)
    prepare_database(db)
    load_before = os.getloadavg()
    lines = []
    comparison = ""
    ours_by_size: dict[int, Measured] = {}
    directory = args.data_dir

    def fresh(size: int) -> tuple[Path, str]:
        """The size's contact file, and a workspace holding its accounts and no people."""
        accounts, contacts = generate(directory, size)
        if args.reuse:
            return contacts, f"accounts {reuse_workspace(db, size, accounts, env)}"
        reset_workspace(db)
        a_m, a_counts = import_crm(accounts, "accounts", env)
        lines.append(row(f"{a_counts['rows']:,} accounts", a_counts["rows"], a_m, a_counts))
        print(lines[-1], flush=True)
        return contacts, ""

    for size in args.sizes:
        contacts, note = fresh(size)
        m, counts = import_crm(contacts, "contacts", env)
        ours_by_size[size] = m
        ok = m.wall <= BAR_SECONDS and m.rss <= BAR_RSS_MB
        bar = ("**meets**" if ok else "**MISSES**") if size >= 1_000_000 else ""
        what = f"{size:,} contacts" + (f" ({note})" if note else "")
        lines.append(row(what, size, m, counts, bar))
        print(lines[-1], flush=True)
        again_m, again = import_crm(contacts, "contacts", env)
        lines.append(row(f"same {size:,} contacts again", size, again_m, again))
        print(lines[-1], flush=True)
    if not args.no_baseline:
        size = args.baseline_rows
        if size not in ours_by_size:
            contacts, _ = fresh(size)
            ours_by_size[size], _ = import_crm(contacts, "contacts", env)
        ours = ours_by_size[size]
        contacts, _ = fresh(size)
        base = baseline(contacts, size, env, directory, args.baseline_seconds)
        if base:
            b_rows, b_total, b_seconds = (float(v) for v in base.out.split()[:3])
            b_rows, b_total = int(b_rows), int(b_total)
            if b_rows < b_total:
                label = (
                    f"django-import-export, **stopped after {b_seconds:.0f} s** with {b_rows:,} of "
                    f"{b_total:,} rows in; at that rate all {b_total:,} take ~{b_total / b_rows * b_seconds:,.0f} s"
                )
            else:
                label = "django-import-export"
            comparison = "\n".join(
                [
                    "| importer | rows | wall | rows/s | peak RSS | CPU (process + PostgreSQL) | load (1 min) |",
                    "| --- | --- | --- | --- | --- | --- | --- |",
                    f"| ours (`import_crm`) | {size:,} | {ours.wall:.1f} s | {size / ours.wall:,.0f} | "
                    f"{ours.rss:.0f} MB | {ours.cpu_text()} | {ours.load:.1f} |",
                    f"| {label} | {b_rows:,} | {base.wall:.1f} s | {b_rows / b_seconds:,.0f} | "
                    f"{base.rss:.0f} MB | {base.cpu_text()} | {base.load:.1f} |",
                ]
            )
            print(comparison, flush=True)
    if not args.reuse:
        reset_workspace(db)
    load_after = os.getloadavg()
    speed = machine.calibrate(db)
    print(machine.describe(speed), flush=True)
    if args.no_write:
        return
    cpu = os.cpu_count()
    text = "\n".join(
        [
            "## Import",
            "",
            f"Run `.venv/bin/python bench/import_bench.py{' --reuse' if args.reuse else ''}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
            f"PostgreSQL ({db.rsplit('/', 1)[1]}), {cpu} CPU cores shared with other engineers' work; "
            f"load average (1/5/15 min) before {load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f}, "
            f"after {load_after[0]:.2f} / {load_after[1]:.2f} / {load_after[2]:.2f}. "
            "Each import is `manage.py import_crm` in a fresh process, end to end (start-up, inspection, "
            "limit scan, parse, validate, COPY, set-wise upsert, undo log, error report); contacts link "
            "to accounts imported first. CPU is the import process's user + system seconds and the bench "
            "database's PostgreSQL backends' (sampled every 0.5 s). "
            f"Bar: 1,000,000 contacts ≤ {BAR_SECONDS:.0f} s with peak RSS ≤ {BAR_RSS_MB} MB. "
            f"{machine.describe(speed).capitalize()}.",
            "",
            "| import | wall | rows/s | peak RSS | CPU (process + PostgreSQL) | created / updated / unchanged / rejected | load (1 min) | bar |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
            *lines,
            "",
        ]
    )
    if comparison:
        text += (
            "\nSide by side, the same rows, same run (django-import-export's rows/s counts its "
            "import loop only, not its start-up or reading the file; ours is end to end):\n\n"
            + comparison
            + "\n"
        )
    write_results(text)


if __name__ == "__main__":
    main()
