import datetime as dt
import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.demo.generator import write_demo_files


class Command(BaseCommand):
    help = (
        "Write a realistic demo CRM export set (accounts, contacts, leads, opportunities, "
        "events, intent and the leads' answer key) into a folder. Same seed, same files."
    )

    # Pure file generation: no database, no URLs. Skipping the system checks keeps the process
    # from importing every app's views (hundreds of MB that the forked workers would inherit).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="folder to write the CSV files into")
        parser.add_argument("--accounts", type=int, default=1000, help="number of accounts")
        parser.add_argument("--seed", type=int, default=42, help="random seed")
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="day the data runs up to, YYYY-MM-DD (default: today, UTC)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes writing blocks of accounts (default: CPUs, at most 2); "
            "the files are the same whatever the number",
        )

    def handle(
        self,
        *args,
        out: str,
        accounts: int,
        seed: int,
        as_of: dt.date | None = None,
        workers: int | None = None,
        **options,
    ):
        if accounts < 0:
            raise CommandError("--accounts must be zero or more")
        started = time.monotonic()
        counts = write_demo_files(
            Path(out), accounts=accounts, seed=seed, as_of=as_of, workers=workers
        )
        elapsed = time.monotonic() - started
        for name, rows in counts.items():
            self.stdout.write(f"  {name:<18} {rows:>12,} rows")
        self.stdout.write(f"Wrote {sum(counts.values()):,} rows into {out} in {elapsed:.1f} s")
        self.stdout.write(json.dumps({"out": str(out), "files": counts}))
