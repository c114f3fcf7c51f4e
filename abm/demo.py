"""Everything `make demo` does before serving, as one idempotent service."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from abm.models import Role, Workspace
from abm.services import membership_set, user_get_or_create, workspace_create

log = logging.getLogger(__name__)

DEMO_SLUG = "demo"
DEMO_PASSWORD = "beacon-demo-2026"  # noqa: S105 - printed for the local demo on purpose
DEMO_USERS = [
    ("admin@demo.beacon.test", "Avery", "Admin", Role.ADMIN),
    ("marketer@demo.beacon.test", "Morgan", "Marketer", Role.MARKETER),
    ("sdr1@demo.beacon.test", "Sam", "Rivera", Role.SDR),
    ("sdr2@demo.beacon.test", "Dana", "Okafor", Role.SDR),
    ("viewer@demo.beacon.test", "Vic", "Viewer", Role.VIEWER),
]
# Order matters: accounts before the people and deals that point at them.
DEMO_FILES = ["accounts", "contacts", "leads", "opportunities", "events", "intent"]


@dataclass
class DemoReport:
    workspace: Workspace
    logins: list[tuple[str, str]]
    imports: dict[str, dict] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)


def _optional(path: str) -> Callable | None:
    """A later feature's service, or None while that feature has not landed."""
    module_name, func = path.rsplit(".", 1)
    try:
        module = import_module(module_name)
    except ModuleNotFoundError:
        return None
    return getattr(module, func, None)


def demo_seed(*, accounts: int = 2000, seed: int = 42, data_dir: Path | None = None) -> DemoReport:
    workspace, _ = workspace_create(slug=DEMO_SLUG, name="Beacon Demo")
    logins = []
    for email, first, last, role in DEMO_USERS:
        user = user_get_or_create(
            email=email, first_name=first, last_name=last, password=DEMO_PASSWORD
        )
        membership_set(user=user, workspace=workspace, role=role)
        logins.append((email, role))
    report = DemoReport(workspace=workspace, logins=logins)

    data_dir = data_dir or Path(settings.MEDIA_ROOT) / "demo-data" / f"{accounts}-{seed}"
    data_dir.mkdir(parents=True, exist_ok=True)
    call_command("demo_data", out=str(data_dir), accounts=accounts, seed=seed, stdout=StringIO())
    report.steps.append(f"generated demo CRM export for {accounts} accounts in {data_dir}")

    for kind in DEMO_FILES:
        out = StringIO()
        call_command(
            "import_crm",
            str(data_dir / f"{kind}.csv"),
            workspace=DEMO_SLUG,
            object=kind,
            stdout=out,
        )
        report.imports[kind] = json.loads(out.getvalue().strip().splitlines()[-1])
    report.steps.append(
        "imported " + ", ".join(f"{k}: {v['rows']} rows" for k, v in report.imports.items())
    )

    for label, path, kwargs in (
        ("assigned accounts to SDRs", "accounts.queue.services.accounts_assign", {}),
        ("matched leads to accounts", "matching.services.match_contacts_to_accounts", {}),
        ("scored accounts", "scoring.services.score_accounts", {}),
        ("computed account journeys", "campaigns.services.journey_recompute", {}),
        ("rebuilt dashboard rollups", "dashboards.services.rollups_rebuild", {}),
    ):
        func = _optional(path)
        if func is None:
            report.steps.append(f"skipped: {label} ({path} not available yet)")
            continue
        func(workspace=workspace, **kwargs)
        report.steps.append(label)
    return report
