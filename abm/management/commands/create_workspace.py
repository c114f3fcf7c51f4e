from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from abm.services import workspace_create


class Command(BaseCommand):
    help = "Create a workspace (idempotent on SLUG) and optionally its first admin."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin", metavar="EMAIL", default=None)

    def handle(self, *args, slug: str, name: str, admin: str | None, **options):
        if slugify(slug) != slug:
            raise CommandError(f"'{slug}' is not a valid slug; try '{slugify(slug)}'.")
        workspace, created = workspace_create(slug=slug, name=name, admin_email=admin)
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} workspace {workspace.slug} ({workspace.name})")
        if admin:
            self.stdout.write(
                f"{admin} is an admin of {workspace.slug}; set a password with `manage.py changepassword {admin.lower()}`."
            )
