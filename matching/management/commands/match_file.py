"""`match_file --accounts A.csv --leads L.csv --out OUT.csv`: match two CSV files, no database.

A.csv: id,name,domains,website,country,phone,city (`domains` may hold several, `;`-separated).
L.csv: id,first_name,last_name,email,company,website,country,phone,city.
OUT.csv: lead_id,account_id,confidence,decision,reason — one row per lead.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from matching.engine import MatchParams
from matching.engine.files import InputError, match_files


class Command(BaseCommand):
    help = "Match leads to accounts from two CSV files and write one decision per lead."
    requires_system_checks = []  # runs where no database was ever migrated

    def add_arguments(self, parser):
        parser.add_argument("--accounts", required=True)
        parser.add_argument("--leads", required=True)
        parser.add_argument("--out", required=True)
        parser.add_argument("--auto-threshold", type=float, default=MatchParams.auto_threshold)
        parser.add_argument("--review-threshold", type=float, default=MatchParams.review_threshold)

    def handle(self, *args, accounts, leads, out, auto_threshold, review_threshold, **options):
        if not 0 <= review_threshold <= auto_threshold <= 1:
            raise CommandError("Thresholds must satisfy 0 ≤ review ≤ auto ≤ 1.")
        params = MatchParams(auto_threshold=auto_threshold, review_threshold=review_threshold)
        try:
            result = match_files(
                accounts_path=accounts, leads_path=leads, out_path=out, params=params
            )
        except (InputError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        counts = result.decisions["decision"].value_counts().to_dict()
        summary = {"leads": len(result.decisions), "out": out}
        summary.update({k: int(counts.get(k, 0)) for k in ("auto", "review", "none")})
        self.stdout.write(json.dumps(summary))
