from django.core.management.base import BaseCommand

from abm.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Create the demo workspace, its users and data, matched and scored. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, accounts: int, seed: int, **options):
        report = demo_seed(accounts=accounts, seed=seed)
        for step in report.steps:
            self.stdout.write(f"  • {step}")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo workspace '{report.workspace.slug}' is ready."))
        self.stdout.write(
            f"Log in at http://127.0.0.1:8000/login/ with password {DEMO_PASSWORD} as:"
        )
        for email, role in report.logins:
            self.stdout.write(f"  {role:<9} {email}")
