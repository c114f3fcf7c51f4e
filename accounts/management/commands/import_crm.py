"""`import_crm FILE --workspace SLUG --object …`: the import service from the command line.

The last line of stdout is one JSON object {"rows", "created", "updated", "unchanged",
"rejected", "error_report"}; exit 0 when the file was processed (even with rejected rows),
non-zero with a one-line reason when it could not be read at all.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from abm.models import Workspace
from accounts.import_services import import_job_create, import_run, mapping_from_file
from accounts.importing.columns import OBJECTS
from accounts.importing.errors import ImportRefused
from accounts.models import ImportJob


class Command(BaseCommand):
    help = "Import a CRM export (CSV, .xlsx or .zip) into a workspace."
    # The checks load every URLconf (and scoring's scikit-learn): seconds and 100+ MB an import
    # does not need. `manage.py check` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--workspace", required=True, help="workspace slug")
        parser.add_argument("--object", required=True, choices=OBJECTS)
        parser.add_argument(
            "--source", default="auto", choices=["auto", "salesforce", "hubspot", "generic"]
        )
        parser.add_argument("--mapping", default=None, help='JSON file: {"Header": "field", …}')

    def handle(self, *args, file, workspace, object, source, mapping, **options):  # noqa: A002
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug “{workspace}”.")
        try:
            columns = mapping_from_file(mapping) if mapping else None
            job = import_job_create(
                workspace=ws, kind=object, path=file, source=source, mapping=columns
            )
        except ImportRefused as exc:
            raise CommandError(str(exc).replace("\n", " ")) from exc
        job = import_run(job=job)
        if job.status != ImportJob.Status.DONE:
            raise CommandError(
                job.error_message.replace("\n", " ") or f"The import ended as {job.status}."
            )
        counts = job.counts
        result = {
            k: counts.get(k, 0) for k in ("rows", "created", "updated", "unchanged", "rejected")
        }
        result["error_report"] = job.error_report.path if job.error_report else None
        self.stdout.write(json.dumps(result))
