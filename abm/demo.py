"""Everything `make demo` does before serving, as one idempotent service."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from abm.models import Role, Workspace
from abm.services import membership_set, user_get_or_create, workspace_create
from accounts.queue.services import accounts_assign
from campaigns.models import Campaign, EngagementEvent
from campaigns.services import campaign_targets_from_engagement, campaign_update, journey_recompute
from dashboards.services import rollups_rebuild
from matching.services import match_contacts_to_accounts
from scoring.engine.predictive import NotEnoughOutcomes
from scoring.engine.rules import DEFAULT_CRITERIA
from scoring.models import FitModel, IcpProfile
from scoring.services import fit_model_activate, fit_model_train, icp_profile_create, score_accounts

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

    _demo_campaigns_fill_in(workspace=workspace, seed=seed)
    report.steps.append("filled in campaign kinds, budgets, dates and target lists")

    # Later stages read what earlier ones wrote: matches before scoring (engagement breadth
    # counts matched leads), scores before assignment (SDRs start with the best accounts) and
    # before journeys (MQA needs fit).
    match_contacts_to_accounts(workspace=workspace)
    report.steps.append("matched leads to accounts")
    report.steps.append(_demo_scoring_setup(workspace=workspace))
    score_accounts(workspace=workspace)
    report.steps.append("scored accounts")
    accounts_assign(workspace=workspace)
    report.steps.append("assigned accounts to SDRs")
    journey_recompute(workspace=workspace)
    report.steps.append("computed account journeys")
    rollups_rebuild(workspace=workspace)
    report.steps.append("rebuilt dashboard rollups")
    return report


def _demo_campaigns_fill_in(*, workspace: Workspace, seed: int) -> None:
    """The CRM export names campaigns but carries no plan for them: give each a kind, channels,
    budget and dates (from its touches) and its target list, as a marketer would have set up."""
    import random

    from django.db.models import Max, Min

    rng = random.Random(seed)
    for campaign in Campaign.objects.for_workspace(workspace).order_by("name"):
        name = campaign.name.lower()
        if "1:1" in name or "strategic" in name:
            kind, budget = Campaign.Kind.ONE_TO_ONE, rng.randrange(80, 150) * 1000
        elif any(word in name for word in ("dinner", "roadshow", "summit", "webinar")):
            kind, budget = Campaign.Kind.ONE_TO_FEW, rng.randrange(30, 80) * 1000
        else:
            kind, budget = Campaign.Kind.ONE_TO_MANY, rng.randrange(40, 120) * 1000
        touches = EngagementEvent.objects.for_workspace(workspace).filter(campaign=campaign)
        span = touches.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
        channels = sorted(set(touches.exclude(channel="").values_list("channel", flat=True)))
        ends = campaign.ends or (span["last"].date() if span["last"] else None)
        # A play whose last touch is over a month old has finished; the rest are still running.
        finished = ends is not None and ends < timezone.localdate() - dt.timedelta(days=30)
        campaign_update(
            campaign=campaign,
            kind=campaign.kind if campaign.budget else kind,
            budget=campaign.budget or budget,
            channels=campaign.channels or channels,
            starts=campaign.starts or (span["first"].date() if span["first"] else None),
            ends=ends,
            status=Campaign.Status.COMPLETED if finished else Campaign.Status.ACTIVE,
        )
        campaign_targets_from_engagement(campaign=campaign)


def _demo_scoring_setup(*, workspace: Workspace) -> str:
    """A starter ICP profile and, when the deals allow it, an active predictive model."""
    admin = workspace.memberships.filter(role=Role.ADMIN).first()
    user = admin.user if admin else None
    if not IcpProfile.objects.for_workspace(workspace).exists():
        icp_profile_create(
            workspace=workspace,
            name="Mid-market and enterprise data buyers",
            criteria=DEFAULT_CRITERIA,
            description="Starter profile: industries, size, revenue, region and the data stack we integrate with.",
            user=user,
        )
    if FitModel.objects.for_workspace(workspace).exists():
        return "kept the existing ICP profile and fit model"
    try:
        model = fit_model_train(workspace=workspace, user=user)
    except NotEnoughOutcomes as exc:
        return f"created the starter ICP profile; no fit model: {exc}"
    fit_model_activate(model=model)
    auc = model.metrics.get("cv_auc") or model.metrics.get("auc")
    return f"created the starter ICP profile and trained a fit model (CV ROC AUC {auc})"
