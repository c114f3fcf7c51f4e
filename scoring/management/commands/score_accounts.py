"""`python manage.py score_accounts --workspace SLUG` — score every account now."""

import json

from django.core.management.base import BaseCommand, CommandError

from abm.models import Workspace
from scoring.models import ScoringRun
from scoring.services import score_accounts


class Command(BaseCommand):
    help = "Score a workspace's accounts (fit, intent, engagement, priority, tier) and write them back."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="workspace slug")
        parser.add_argument("--account", type=int, action="append", dest="accounts",
                            help="score only this account id (repeatable)")  # fmt: skip

    def handle(self, *args, workspace: str, accounts: list[int] | None, **options):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"no workspace with the slug {workspace!r}")
        run = score_accounts(workspace=ws, account_ids=accounts, trigger=ScoringRun.Trigger.COMMAND)
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(json.dumps({"run": run.pk, "status": run.status, "seconds": round(seconds, 2),
                                      **run.counts}))  # fmt: skip
