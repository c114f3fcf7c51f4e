"""`python manage.py train_fit_model --workspace SLUG [--activate]` — train a predictive model."""

import json

from django.core.management.base import BaseCommand, CommandError

from abm.models import Workspace
from scoring.services import NotEnoughOutcomes, fit_model_activate, fit_model_train


class Command(BaseCommand):
    help = "Train a predictive fit model on closed won/lost accounts and print its metrics."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="workspace slug")
        parser.add_argument("--activate", action="store_true",
                            help="make the new model the active one")  # fmt: skip

    def handle(self, *args, workspace: str, activate: bool, **options):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"no workspace with the slug {workspace!r}")
        try:
            model = fit_model_train(workspace=ws)
        except NotEnoughOutcomes as exc:
            raise CommandError(f"cannot train: the model {exc}") from exc
        if activate:
            fit_model_activate(model=model)
        m = model.metrics
        self.stdout.write(json.dumps({
            "model": model.pk, "name": model.name, "active": activate, "cv_auc": m["cv_auc"],
            "won": m["won"], "lost": m["lost"], "top_decile_lift": m["lift"][0]["lift"],
            "top_features": [f["text"] for f in m["top_features"][:5]],
        }))  # fmt: skip
