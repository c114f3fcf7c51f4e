"""SDR capacity arithmetic, pure: ARR target → pipeline, opportunities and accounts per SDR.

ARR target ÷ (12 × SDRs × AE close rate) = MRR of pipeline each SDR must source. With several
deal-size bands, each band takes a share of that pipeline and closes at its own rate, so the
blended close rate is Σ share × close rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DealBand:
    name: str
    avg_mrr: float  # average MRR of one opportunity in this band
    close_rate: float  # AE close rate, 0–1
    share: float  # share of the pipeline MRR sourced in this band, 0–1


@dataclass(frozen=True)
class BandPlan:
    band: DealBand
    pipeline_mrr: float
    won_mrr: float
    opportunities_exact: float
    opportunities: int
    accounts: int


@dataclass(frozen=True)
class CapacityPlan:
    arr_target: float
    sdr_count: int
    months: int
    account_to_opportunity_rate: float
    mrr_target: float
    won_mrr_per_sdr: float
    blended_close_rate: float
    pipeline_mrr_per_sdr: float
    bands: list[BandPlan]
    opportunities_per_sdr: int
    accounts_per_sdr: int
    opportunities_per_sdr_per_month: float
    team_pipeline_mrr: float
    team_opportunities: int
    team_accounts: int
    steps: list[str] = field(default_factory=list)


def _fmt(value: float) -> str:
    return f"{value:,.0f}"


def _pct(value: float) -> str:
    return f"{value * 100:.4g}%"


def plan_capacity(
    *,
    arr_target: float,
    sdr_count: int,
    bands: list[DealBand],
    account_to_opportunity_rate: float = 0.2,
    months: int = 12,
) -> CapacityPlan:
    """The plan plus the arithmetic, line by line, so a manager can check every number."""
    if arr_target <= 0:
        raise ValueError("The ARR target must be positive.")
    if sdr_count < 1:
        raise ValueError("At least one SDR is needed.")
    if not bands:
        raise ValueError("At least one deal-size band is needed.")
    if not 0 < account_to_opportunity_rate <= 1:
        raise ValueError("The account-to-opportunity rate must be between 0% and 100%.")
    for band in bands:
        if band.avg_mrr <= 0:
            raise ValueError(f"{band.name}: average MRR per opportunity must be positive.")
        if not 0 < band.close_rate <= 1:
            raise ValueError(f"{band.name}: close rate must be between 0% and 100%.")
        if band.share < 0:
            raise ValueError(f"{band.name}: pipeline share cannot be negative.")
    total_share = sum(b.share for b in bands)
    if abs(total_share - 1) > 0.001:
        raise ValueError(
            f"Pipeline shares must add up to 100% (they add up to {_pct(total_share)})."
        )

    mrr_target = arr_target / months
    won_per_sdr = mrr_target / sdr_count
    blended = sum(b.share * b.close_rate for b in bands)
    pipeline_per_sdr = won_per_sdr / blended

    plans = []
    for band in bands:
        pipeline = pipeline_per_sdr * band.share
        exact = pipeline / band.avg_mrr
        # Whole opportunities and accounts: 16.7 needed opportunities means 17 to source.
        opportunities = math.ceil(round(exact, 6))
        accounts = math.ceil(round(exact / account_to_opportunity_rate, 6))
        plans.append(
            BandPlan(
                band=band,
                pipeline_mrr=pipeline,
                won_mrr=pipeline * band.close_rate,
                opportunities_exact=exact,
                opportunities=opportunities,
                accounts=accounts,
            )
        )
    opportunities = sum(p.opportunities for p in plans)
    accounts = sum(p.accounts for p in plans)

    steps = [
        f"MRR to win = {_fmt(arr_target)} ARR ÷ {months} months = {_fmt(mrr_target)} MRR",
        f"Won MRR per SDR = {_fmt(mrr_target)} ÷ {sdr_count} SDRs = {_fmt(won_per_sdr)} MRR",
    ]
    if len(bands) == 1:
        steps.append(f"AE close rate = {_pct(blended)}")
    else:
        terms = " + ".join(f"{_pct(b.share)} × {_pct(b.close_rate)}" for b in bands)
        steps.append(f"Blended close rate = {terms} = {_pct(blended)}")
    steps.append(
        f"Pipeline per SDR = {_fmt(won_per_sdr)} ÷ {_pct(blended)} = {_fmt(pipeline_per_sdr)} MRR"
    )
    for p in plans:
        prefix = f"{p.band.name}: " if len(bands) > 1 else ""
        share = f"{_fmt(pipeline_per_sdr)} × {_pct(p.band.share)} = " if len(bands) > 1 else ""
        steps.append(
            f"{prefix}{share}{_fmt(p.pipeline_mrr)} MRR ÷ {_fmt(p.band.avg_mrr)} MRR per opportunity"
            f" = {p.opportunities_exact:,.1f} → {p.opportunities} opportunities"
        )
        steps.append(
            f"{prefix}{p.opportunities_exact:,.1f} opportunities ÷ "
            f"{_pct(account_to_opportunity_rate)} of worked accounts opening one"
            f" = {p.accounts} accounts"
        )
    return CapacityPlan(
        arr_target=arr_target,
        sdr_count=sdr_count,
        months=months,
        account_to_opportunity_rate=account_to_opportunity_rate,
        mrr_target=mrr_target,
        won_mrr_per_sdr=won_per_sdr,
        blended_close_rate=blended,
        pipeline_mrr_per_sdr=pipeline_per_sdr,
        bands=plans,
        opportunities_per_sdr=opportunities,
        accounts_per_sdr=accounts,
        opportunities_per_sdr_per_month=opportunities / months,
        team_pipeline_mrr=pipeline_per_sdr * sdr_count,
        team_opportunities=opportunities * sdr_count,
        team_accounts=accounts * sdr_count,
        steps=steps,
    )
