"""`match_leads --workspace SLUG`: re-match every undecided lead of a workspace, in this process."""

import json

from django.core.management.base import BaseCommand, CommandError

from abm.models import Workspace
from matching.services import match_contacts_to_accounts


class Command(BaseCommand):
    help = "Match the workspace's leads to its accounts (decisions people made are kept)."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="workspace slug")

    def handle(self, *args, workspace, **options):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug “{workspace}”.")
        run = match_contacts_to_accounts(workspace=ws)
        self.stdout.write(
            json.dumps(
                {
                    "run": run.pk,
                    "status": run.status,
                    "leads": run.progress.get("total", 0),
                    **{k: run.counts.get(k, 0) for k in ("auto", "review", "none")},
                    "suggested_accounts": len(run.suggestions),
                }
            )
        )
