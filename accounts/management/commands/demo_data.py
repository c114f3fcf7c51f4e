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

    def handle(self, *args, out: str, accounts: int, seed: int, as_of: dt.date | None, **options):
        if accounts < 0:
            raise CommandError("--accounts must be zero or more")
        started = time.monotonic()
        counts = write_demo_files(Path(out), accounts=accounts, seed=seed, as_of=as_of)
        elapsed = time.monotonic() - started
        for name, rows in counts.items():
            self.stdout.write(f"  {name:<18} {rows:>12,} rows")
        self.stdout.write(f"Wrote {sum(counts.values()):,} rows into {out} in {elapsed:.1f} s")
        self.stdout.write(json.dumps({"out": str(out), "files": counts}))
