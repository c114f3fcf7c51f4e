"""A realistic, deterministic CRM export set for demos, tests and benchmarks.

`write_demo_files(out_dir, accounts=N, seed=S)` writes the files DESIGN.md names (Salesforce
Data Export layouts for accounts, contacts and opportunities, a HubSpot contacts export for
leads, generic engagement events and an intent feed) plus `leads_truth.csv`, the answer key for
lead-to-account matching. Everything is drawn from `random.Random` streams derived from the
seed: the same seed and the same `as_of` date give byte-identical files.

How it scales: company names and domains come from one sequence (`identities.py`), because
they must be unique across the whole set; everything else about an account is drawn per block
of accounts from that block's own stream and streamed straight to part files, which are joined
in block order. Blocks can therefore be written by several processes without changing the
output, and memory stays flat whatever N is; only the set of taken name/domain keys (about 100
bytes per company) grows.

Whether an account buys follows a hidden logistic model of its ICP features (`fit_logit`, plus
unobserved noise): higher fit means more opportunities, a higher win rate, more engagement and
more intent, so a scoring model trained on these files has something real to learn.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import multiprocessing
import os
import random
import shutil
import tempfile
from bisect import bisect
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from accounts.demo import vocab
from accounts.demo.identities import COUNTRY_CUM, AccountSeed, Identities, salesforce_id
from accounts.demo.names import NOISE_KINDS, Company, name_variant
from accounts.demo.people import People

__all__ = ["HEADERS", "canonical_country", "fit_logit", "salesforce_id", "write_demo_files"]

HEADERS: dict[str, tuple[str, ...]] = {
    "accounts.csv": (
        "Id",
        "Name",
        "Website",
        "Industry",
        "NumberOfEmployees",
        "AnnualRevenue",
        "BillingCity",
        "BillingCountry",
        "Phone",
        "ParentId",
        "Type",
        "Technologies__c",
        "Tier__c",
    ),
    "contacts.csv": (
        "Id",
        "AccountId",
        "FirstName",
        "LastName",
        "Email",
        "Title",
        "Department",
        "Phone",
        "MailingCountry",
        "LeadSource",
    ),
    "leads.csv": (
        "Record ID",
        "First Name",
        "Last Name",
        "Email",
        "Job Title",
        "Company Name",
        "Website URL",
        "Country/Region",
        "Phone Number",
        "Lifecycle Stage",
        "Lead Status",
        "Create Date",
    ),
    "opportunities.csv": (
        "Id",
        "AccountId",
        "Name",
        "StageName",
        "Amount",
        "CurrencyIsoCode",
        "IsClosed",
        "IsWon",
        "CreatedDate",
        "CloseDate",
        "CampaignName",
    ),
    "events.csv": (
        "external_id",
        "occurred_at",
        "kind",
        "channel",
        "email",
        "account_domain",
        "campaign",
        "url",
    ),
    "intent.csv": ("domain", "topic", "strength", "observed_at", "source"),
    "leads_truth.csv": ("lead_id", "account_id"),
}

# ---- the hidden ICP model ------------------------------------------------------------------

_TECH_FIT = {name: weight for name, _, weight in vocab.TECHNOLOGIES}
_FIT_CENTRE = 0.55  # keeps the average account near log-odds 0


def canonical_country(value: str) -> vocab.Country | None:
    """`Germany`, `DE` or `de` → the Germany record; None when unknown or empty."""
    return vocab.COUNTRY_BY_KEY.get(value.strip().casefold())


def fit_logit(
    *,
    industry: str,
    employees: int | None,
    annual_revenue: float | None,
    country: str,
    technologies: Iterable[str],
) -> float:
    """The observable part of an account's propensity to buy (log-odds, centred near 0).

    The generator adds unobserved noise on top, so a model can approach but never reach it.
    """
    spec = vocab.INDUSTRIES.get(industry)
    score = spec[1] if spec else vocab.MISSING_INDUSTRY_FIT
    if employees is None:
        score -= 0.3
    elif employees < 50:
        score -= 1.2
    elif employees < 200:
        score -= 0.2
    elif employees < 2000:
        score += 0.9
    elif employees < 10000:
        score += 1.1
    else:
        score += 0.6
    if annual_revenue is not None:
        if annual_revenue < 5e6:
            score -= 0.4
        elif annual_revenue >= 1e9:
            score += 0.5
        elif annual_revenue >= 5e7:
            score += 0.35
    known = canonical_country(country)
    score += vocab.COUNTRY_FIT.get(known.code, -0.2) if known else -0.2
    score += min(1.5, sum(_TECH_FIT.get(t, 0.0) for t in technologies))
    return score - _FIT_CENTRE


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# ---- the generator ------------------------------------------------------------------------

_LEAD_KINDS = ("clean", "variant", "freemail", "junk", "subdomain", "cctld", "website", "duplicate")
_LEAD_KIND_CUM = list(accumulate((30, 24, 18, 8, 4, 6, 4, 6)))
_NOISE_CUM = list(accumulate((30, 25, 10, 10, 15, 10)))  # typo legal order the case accents
_ORGANIC_KINDS = (
    "web_visit",
    "email_open",
    "email_click",
    "form_fill",
    "ad_click",
    "webinar_attended",
    "call",
    "meeting",
    "event_attended",
)
_ORGANIC_CUM = list(accumulate((45, 20, 5, 5, 10, 3, 7, 3, 2)))
_PERSON_KINDS = frozenset(
    {
        "email_open",
        "email_click",
        "form_fill",
        "event_attended",
        "webinar_attended",
        "meeting",
        "call",
        "direct_mail",
    }
)
_CAMPAIGN_TOUCHES = {"one_to_one": 10.0, "one_to_few": 4.0, "one_to_many": 2.0}
# 1:1 programmes are a handful of accounts and 1:few ones a few hundred, whatever N is
_CAMPAIGN_CAP = {"one_to_one": 50, "one_to_few": 1000, "one_to_many": 10**12}
_SUBDOMAINS = ("mail", "uk", "us", "eu", "corp", "de", "emea")
_UTM = {
    c.name: "?utm_campaign=" + c.name.lower().replace(" ", "-").replace(":", "")
    for c in vocab.CAMPAIGNS
}
_INTENT_WEEKS = 8


def _csv_field(value: str) -> str:
    """One field exactly as csv.writer (minimal quoting) writes it."""
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


_CSV_TITLE = {
    title: _csv_field(title) for levels in vocab.TITLES.values() for ts in levels for title in ts
}

_SURGE_WEEKS = 3
BLOCK_SIZE = 10_000  # accounts per independently seeded block; part of the output format
_HISTORY_DAYS = 365


def write_demo_files(
    out_dir: Path,
    *,
    accounts: int,
    seed: int,
    as_of: dt.date | None = None,
    workers: int | None = None,
    block_size: int = BLOCK_SIZE,
) -> dict[str, int]:
    """Write the demo CRM export set into `out_dir`; returns the rows written per file.

    `as_of` is the day the data runs up to (today, UTC, by default); dates are relative to it,
    everything else depends on the seed alone. Blocks of `block_size` accounts are written by
    up to `workers` processes (default: one per CPU, at most 2) into part files that are then
    joined in order, so the files are the same whatever the number of workers.
    """
    if accounts < 0:
        raise ValueError("accounts must be zero or more")
    out_dir.mkdir(parents=True, exist_ok=True)
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    blocks = [
        (number, start, min(start + block_size, accounts))
        for number, start in enumerate(range(0, accounts, block_size))
    ]
    workers = max(1, min(workers or min(2, os.cpu_count() or 1), len(blocks) or 1))
    identities = Identities(seed)
    counts = dict.fromkeys(HEADERS, 0)

    with ExitStack() as stack:
        finals = {}
        for file_name, header in HEADERS.items():
            handle = stack.enter_context((out_dir / file_name).open("wb"))
            handle.write((",".join(header) + "\n").encode())
            finals[file_name] = handle
        parts = Path(
            stack.enter_context(tempfile.TemporaryDirectory(dir=out_dir, prefix=".parts-"))
        )

        def task(number: int, start: int, stop: int) -> _BlockTask:
            # the identities of a block are drawn here, in order, before it is handed out
            seeds = [identities.account(index) for index in range(start, stop)]
            return _BlockTask(number, start, seeds, seed, as_of, accounts, parts)

        def join(done: dict[str, int], number: int) -> None:
            for file_name, rows in done.items():
                counts[file_name] += rows
                part = parts / f"{number:06d}.{file_name}"
                with part.open("rb") as source:
                    shutil.copyfileobj(source, finals[file_name], 1 << 20)
                part.unlink()

        if workers == 1:
            for number, start, stop in blocks:
                join(_write_block(task(number, start, stop)), number)
        else:
            context = multiprocessing.get_context(
                "fork" if "fork" in multiprocessing.get_all_start_methods() else None
            )
            with context.Pool(workers) as pool:
                in_flight: deque = deque()
                for number, start, stop in blocks:
                    in_flight.append(
                        (number, pool.apply_async(_write_block, (task(number, start, stop),)))
                    )
                    # at most one block waits beyond those being written: memory stays flat
                    while len(in_flight) > workers:
                        done_number, result = in_flight.popleft()
                        join(result.get(), done_number)
                while in_flight:
                    done_number, result = in_flight.popleft()
                    join(result.get(), done_number)
    return counts


@dataclass
class _BlockTask:
    number: int
    first_index: int
    seeds: list[AccountSeed]
    seed: int
    as_of: dt.date
    total_accounts: int
    parts: Path


def _write_block(task: _BlockTask) -> dict[str, int]:
    """Write one block's rows into its part files; runs in a worker process."""
    with ExitStack() as stack:
        writers = {}
        for file_name in HEADERS:
            path = task.parts / f"{task.number:06d}.{file_name}"
            handle = stack.enter_context(
                path.open("w", newline="", encoding="utf-8", buffering=1 << 20)
            )
            writers[file_name] = (_row_writer(handle), handle.write)
        generator = _Generator(task, writers)
        for account in task.seeds:
            generator.account(account)
        return generator.counts


def _row_writer(handle) -> Callable[[Sequence[str]], None]:
    """csv.writer's output (minimal quoting, LF), about five times faster for plain rows.

    Rows are joined directly; the few that hold a comma, quote or line break go through the
    csv module so they are quoted exactly as it would.
    """
    write = handle.write
    quoted = csv.writer(handle, lineterminator="\n").writerow

    def writerow(row: Sequence[str]) -> None:
        line = ",".join(row)
        if line.count(",") != len(row) - 1 or '"' in line or "\n" in line or "\r" in line:
            quoted(row)
        else:
            write(line + "\n")

    return writerow


class _Generator:
    """Everything about the accounts of one block, from the block's own random stream."""

    def __init__(self, task: _BlockTask, writers: dict) -> None:
        self.rng = random.Random(f"{task.seed}:{task.number}")
        self.rnd = self.rng.random
        self.people = People(self.rnd)
        self.counts = dict.fromkeys(writers, 0)
        w = writers
        self.w_accounts, self.w_contacts = w["accounts.csv"][0], w["contacts.csv"][0]
        self.w_leads, self.w_truth = w["leads.csv"][0], w["leads_truth.csv"][0]
        self.w_opps = w["opportunities.csv"][0]
        self.raw_events, self.raw_intent = w["events.csv"][1], w["intent.csv"][1]
        self.raw_contacts = w["contacts.csv"][1]
        # day strings, index = days before as_of (negative: the future, for open deals' close dates)
        as_of = task.as_of
        self._future = 600
        self.days = [(as_of - dt.timedelta(days=d)).isoformat() for d in range(-self._future, 1200)]
        last_monday = as_of.weekday() or 7  # the newest full weekly observation
        self.intent_days = [self.day(last_monday + 7 * week) for week in range(_INTENT_WEEKS)]
        # Id ranges per block, so blocks written apart never collide: an account has at most
        # 15 contacts and 3 deals; lead ids advance by 1-4 per lead, about 2 per account.
        first = task.first_index
        self.contact_seq, self.opp_seq = first * 16, first * 3
        self.event_seq = (task.number << 32) + 1
        self.lead_id = 51_000_000 + first * 40
        self.lead_id_limit = 51_000_000 + (first + len(task.seeds)) * 40
        self.unattributed = list(range(len(vocab.CAMPAIGNS)))
        self.enrolled = [0] * len(vocab.CAMPAIGNS)
        share = len(task.seeds) / max(1, task.total_accounts)
        self.caps = {kind: max(1, round(cap * share)) for kind, cap in _CAMPAIGN_CAP.items()}

    def day(self, days_ago: int) -> str:
        return self.days[days_ago + self._future]

    def _pick(self, seq):
        return seq[int(self.rnd() * len(seq))]

    def _poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        if lam > 30:
            return max(0, round(self.rng.gauss(lam, math.sqrt(lam))))
        limit, k, p = math.exp(-lam), 0, self.rnd()
        while p > limit:
            k += 1
            p *= self.rnd()
        return k

    # -- one account and everything that hangs off it --------------------------------------

    def account(self, seed: AccountSeed) -> None:
        rnd, pick = self.rnd, self._pick
        country, industry, employees = seed.country, seed.industry, seed.employees
        company, account_id, parent_id = seed.company, seed.account_id, seed.parent_id
        revenue = employees * vocab.INDUSTRIES[industry][2] * self.rng.lognormvariate(0, 0.5)
        revenue = round(revenue, -5 if revenue >= 1e7 else -3)
        size = 0.35 + 0.22 * math.log10(employees + 1)
        techs = (
            []
            if rnd() < 0.08
            else [name for name, common, _ in vocab.TECHNOLOGIES if rnd() < common * size]
        )
        shown_industry = "" if rnd() < 0.03 else industry
        shown_employees = None if rnd() < 0.03 else employees
        shown_revenue = None if rnd() < 0.06 else revenue
        fit = fit_logit(
            industry=industry,
            employees=employees,
            annual_revenue=revenue,
            country=country.name,
            technologies=techs,
        )
        latent = fit + self.rng.gauss(0, 0.6)

        campaigns = []
        for number, spec in enumerate(vocab.CAMPAIGNS):
            if spec.industries and industry not in spec.industries:
                continue
            if spec.regions and country.region not in spec.regions:
                continue
            if self.enrolled[number] >= self.caps[spec.kind]:
                continue
            if rnd() < spec.rate * 2 * _sigmoid(1.6 * latent - 1.0):
                campaigns.append(number)
                self.enrolled[number] += 1
        abm = bool(campaigns)
        surge = intent = False
        if rnd() < 0.12 + 0.1 * _sigmoid(latent):
            intent = True
            surge = rnd() < 0.05 + 0.15 * _sigmoid(latent - 0.5)

        opps = self._opportunities(
            company, account_id, employees, latent, abm, campaigns, country, industry
        )
        won = any(o[7] == "true" for o in opps)
        account_type = "Customer" if won else "Partner" if rnd() < 0.02 else "Prospect"
        tier = ""
        if rnd() < 0.06:
            tier = "Tier 1" if latent > 1.5 else "Tier 2" if latent > 0.4 else "Tier 3"
        shown_country = country.code if rnd() < 0.04 else country.name
        website = self._website(company.domain)
        self.w_accounts(
            (
                account_id,
                company.name,
                website,
                shown_industry,
                "" if shown_employees is None else str(shown_employees),
                "" if shown_revenue is None else str(int(shown_revenue)),
                pick(country.cities),
                shown_country,
                self.people.phone(country) if rnd() < 0.85 else "",
                parent_id,
                account_type,
                ";".join(techs),
                tier,
            )
        )
        self.counts["accounts.csv"] += 1
        for row in opps:
            self.w_opps(row)
        self.counts["opportunities.csv"] += len(opps)

        contacts = self._contacts(company, account_id, employees, country)
        self._events(company, contacts, latent, campaigns, surge)
        if intent and website:  # feeds key on the domain; without a website the CRM has none
            self._intent(company.domain, surge)
        self._leads(company, account_id, contacts, country, latent, abm, surge, won)
        if seed.unknown is not None:
            self._unknown_company_leads(*seed.unknown)
        if rnd() < 0.05:
            self._individual_lead()

    def _website(self, domain: str) -> str:
        r = self.rnd()
        if r < 0.72:
            return f"https://www.{domain}"
        if r < 0.82:
            return f"https://{domain}"
        if r < 0.88:
            return f"http://www.{domain}"
        if r < 0.95:
            return f"www.{domain}"
        return ""

    def _opportunities(
        self, company, account_id, employees, latent, abm, campaigns, country, industry
    ) -> list[tuple]:
        rnd = self.rnd
        if rnd() >= _sigmoid(-2.0 + 0.7 * latent + 0.7 * abm):
            return []
        currency = country.currency
        fx = vocab.FX_FROM_USD.get(currency, 1.0)
        p_won = _sigmoid(-1.3 + 0.8 * latent + 0.3 * abm)
        short = " ".join(company.words)
        rows = []
        for _ in range(1 + (rnd() < 0.3) + (rnd() < 0.1)):
            campaign = None
            if campaigns and rnd() < 0.75:
                campaign = vocab.CAMPAIGNS[self._pick(campaigns)]
            elif rnd() < 0.12:
                # influenced without being targeted; every campaign gets some pipeline early on
                fitting = [
                    n
                    for n, spec in enumerate(vocab.CAMPAIGNS)
                    if not spec.industries or industry in spec.industries
                ]
                pending = [n for n in self.unattributed if n in fitting] or self.unattributed
                number = pending[0] if pending else self._pick(fitting)
                campaign = vocab.CAMPAIGNS[number]
                campaigns.append(number)  # its touches show up in the events too
            if campaign is not None:
                if vocab.CAMPAIGNS.index(campaign) in self.unattributed:
                    self.unattributed.remove(vocab.CAMPAIGNS.index(campaign))
                span = campaign.start_days_ago - campaign.end_days_ago + 60
                created = max(5, campaign.start_days_ago - int(rnd() * span))
            else:
                created = 5 + int(rnd() * 540)
            cycle = int(25 + rnd() * 60 + 70 * rnd() * math.log10(employees + 1))
            close = created - cycle
            amount = 12_000 * employees**0.33 * self.rng.lognormvariate(0, 0.45)
            amount *= (1.9 if campaign is not None or abm else 1.0) * fx
            amount = round(amount / 50) * 50
            if close >= 1:
                won = rnd() < p_won
                stage, closed, is_won = ("Closed Won" if won else "Closed Lost"), "true", won
            else:
                progress = (created - 0) / max(cycle, 1)
                stage = vocab.OPEN_STAGES[min(5, int(progress * 6))]
                closed, is_won = "false", False
            created_at = (
                f"{self.day(created)}T{8 + int(rnd() * 10):02d}:"
                f"{int(rnd() * 60):02d}:{int(rnd() * 60):02d}.000Z"
            )
            rows.append(
                (
                    salesforce_id("006", self.opp_seq),
                    account_id,
                    f"{short} - {self._pick(vocab.OPPORTUNITY_PRODUCTS)}",
                    stage,
                    f"{amount:.2f}",
                    currency if fx != 1.0 else "USD",
                    closed,
                    "true" if is_won else "false",
                    created_at,
                    self.day(close),
                    campaign.name if campaign else "",
                )
            )
            self.opp_seq += 1
        return rows

    def _contacts(self, company, account_id, employees, country) -> list[tuple[str, str, str, str]]:
        rnd, people = self.rnd, self.people
        if employees < 50:
            n = 1 + (rnd() < 0.4)
        elif employees < 500:
            n = 2 + int(rnd() * 4)
        elif employees < 5000:
            n = 4 + int(rnd() * 7)
        else:
            n = 6 + int(rnd() * 10)
        out = []
        write, phone, domain = self.raw_contacts, people.phone, company.domain
        sources, n_sources = vocab.LEAD_SOURCES, len(vocab.LEAD_SOURCES)
        seq = self.contact_seq
        # Written as text: only titles can hold a comma, and they come pre-quoted (_CSV_TITLE).
        for first, last, local, department, title in people.staff(country.style, n):
            email = f"{local}@{domain}"
            r = rnd()
            mailing = country.name if r < 0.85 else country.code if r < 0.9 else ""
            write(
                f"{salesforce_id('003', seq)},{account_id},{first},{last},{email},"
                f"{_CSV_TITLE[title]},{department},{phone(country) if rnd() < 0.7 else ''},"
                f"{mailing},{sources[int(rnd() * n_sources)]}\n"
            )
            seq += 1
            out.append((first, last, email, title))
        self.contact_seq = seq
        self.counts["contacts.csv"] += n
        return out

    def _events(self, company, contacts, latent, campaigns, surge) -> None:
        rnd, pick, poisson = self.rnd, self._pick, self._poisson
        engagement = math.exp(0.5 * latent)
        touches = []  # (days ago, kind, channel, campaign name)
        for number in campaigns:
            spec = vocab.CAMPAIGNS[number]
            span = spec.start_days_ago - spec.end_days_ago + 1
            for _ in range(poisson(_CAMPAIGN_TOUCHES[spec.kind] * engagement)):
                channel = pick(spec.channels)
                days_ago = max(1, spec.end_days_ago + int(rnd() * span))
                touches.append((days_ago, pick(vocab.CHANNEL_KINDS[channel]), channel, spec))
        organic = poisson(0.9 * engagement)
        recent = poisson(4.0 * engagement) if surge else 0
        for i in range(organic + recent):
            kind = _ORGANIC_KINDS[bisect(_ORGANIC_CUM, rnd() * _ORGANIC_CUM[-1])]
            days_ago = 1 + int(rnd() * (21 if i >= organic else _HISTORY_DAYS))
            touches.append((days_ago, kind, vocab.KIND_CHANNEL[kind], None))

        # Event rows are written as text: none of their fields can hold a comma or a quote.
        write, days, future = self.raw_events, self.days, self._future
        domain, n_contacts = company.domain, len(contacts)
        pages, n_pages = vocab.WEB_PAGES, len(vocab.WEB_PAGES)
        seq = self.event_seq
        for days_ago, kind, channel, spec in touches:
            email = ""
            if kind in _PERSON_KINDS or rnd() < 0.4:
                email = contacts[int(rnd() * n_contacts)][2]
            shown_domain = domain if not email or rnd() < 0.3 else ""
            url = ""
            if channel in ("web", "ads") or kind == "email_click":
                url = vocab.OUR_SITE + pages[int(rnd() * n_pages)]
                if spec is not None:
                    url += _UTM[spec.name]
            seconds = int(rnd() * 43_200)  # business hours, 07:00 to 19:00 UTC
            # ids: a bijection of the sequence number, so they look random but never repeat
            write(
                f"evt_{(seq * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFF:012x},"
                f"{days[days_ago + future]}T{7 + seconds // 3600:02d}:{seconds // 60 % 60:02d}:"
                f"{seconds % 60:02d}+00:00,{kind},{channel},{email},{shown_domain},"
                f"{spec.name if spec is not None else ''},{url}\n"
            )
            seq += 1
        self.event_seq = seq
        self.counts["events.csv"] += len(touches)

    def _intent(self, domain: str, surge: bool) -> None:
        rnd, pick = self.rnd, self._pick
        topics = {pick(vocab.INTENT_TOPICS) for _ in range(1 + (rnd() < 0.5) + (rnd() < 0.2))}
        rows, write = 0, self.raw_intent
        for position, topic in enumerate(sorted(topics)):
            source = pick(vocab.INTENT_SOURCES)
            baseline = 12 + rnd() * 40
            surging = surge and (position == 0 or rnd() < 0.5)
            for week in range(_INTENT_WEEKS - 1, -1, -1):
                strength = baseline + (rnd() - 0.5) * 16
                if surging and week < _SURGE_WEEKS:
                    strength += 30 + rnd() * 25
                strength = max(0, min(100, round(strength)))
                write(f"{domain},{topic},{strength},{self.intent_days[week]},{source}\n")
                rows += 1
        self.counts["intent.csv"] += rows

    # -- leads: the matching test bed -------------------------------------------------------

    def _lead(
        self, first, last, email, company_name, website, country, stage, truth, title=None
    ) -> None:
        rnd = self.rnd
        self.lead_id += 1 + int(rnd() * 4)
        if self.lead_id >= self.lead_id_limit:  # never seen: ~2 ids per account of 40 reserved
            raise RuntimeError("lead ids of a block ran into the next block's range")
        drawn = self.people.title()[1] if rnd() < 0.8 else ""
        title = drawn if title is None else title
        r = rnd()
        shown_country = (
            "" if country is None or r < 0.2 else (country.code if r < 0.3 else country.name)
        )
        phone = self.people.phone(country) if country is not None and rnd() < 0.4 else ""
        created = (
            f"{self.day(1 + int(rnd() * 540))} {8 + int(rnd() * 10):02d}:{int(rnd() * 60):02d}"
        )
        lead_id = str(self.lead_id)
        self.w_leads(
            (
                lead_id,
                first,
                last,
                email,
                title,
                company_name,
                website,
                shown_country,
                phone,
                stage,
                self._pick(vocab.LEAD_STATUSES),
                created,
            )
        )
        self.w_truth((lead_id, truth))
        self.counts["leads.csv"] += 1
        self.counts["leads_truth.csv"] += 1

    def _free_mail(self, style: str, first: str, last: str) -> str:
        domains = vocab.FREE_MAIL_BY_STYLE.get(style, vocab.FREE_MAIL_BY_STYLE["en"])
        return f"{self.people.free_local(first, last)}@{self._pick(domains)}"

    def _typed(self, company: Company) -> str:
        if self.rnd() < 0.5:
            return company.typed_name
        return self._variant(company)

    def _variant(self, company: Company) -> str:
        kind = NOISE_KINDS[bisect(_NOISE_CUM, self.rnd() * _NOISE_CUM[-1])]
        return name_variant(company, kind, self.rnd)

    def _short_website(self, domain: str) -> str:
        return self._pick((domain, f"www.{domain}", f"https://{domain}/", f"http://www.{domain}"))

    def _leads(self, company, account_id, contacts, country, latent, abm, surge, won) -> None:
        rnd, pick, people = self.rnd, self._pick, self.people
        lam = 0.3 * math.exp(0.4 * latent) * (1.5 if abm else 1.0) + (0.6 if surge else 0.0)
        contact_titles = {email: title for _first, _last, email, title in contacts}
        for _ in range(self._poisson(lam)):
            kind = _LEAD_KINDS[bisect(_LEAD_KIND_CUM, rnd() * _LEAD_KIND_CUM[-1])]
            first, last, f_key, l_key = people.name(country.style)
            email = f"{people.email_local(f_key, l_key)}@{company.domain}"
            name = company.typed_name if rnd() < 0.6 else " ".join(company.words)
            website = self._short_website(company.domain) if rnd() < 0.2 else ""
            if kind == "variant":
                name = self._variant(company)
            elif kind == "freemail":
                email = self._free_mail(country.style, f_key, l_key)
                name = self._typed(company)
                website = self._short_website(company.domain) if rnd() < 0.3 else ""
            elif kind == "junk":
                name = pick(vocab.JUNK_COMPANY_NAMES)
            elif kind == "subdomain":
                email = f"{people.email_local(f_key, l_key)}@{pick(_SUBDOMAINS)}.{company.domain}"
                name = name if rnd() < 0.5 else ""
            elif kind == "cctld" and company.alt_domain:
                email = f"{people.email_local(f_key, l_key)}@{company.alt_domain}"
                name = self._typed(company)
            elif kind == "website":
                email = self._free_mail(country.style, f_key, l_key)
                name = pick(vocab.JUNK_COMPANY_NAMES)
                website = self._short_website(company.domain)
            elif kind == "duplicate":
                first, last, email, _title = pick(contacts)
            # The same person in both CRMs keeps one job title, so importing contacts and
            # leads in either order settles instead of flipping the title back and forth.
            title = contact_titles.get(email)
            stage = "Customer" if won and rnd() < 0.3 else pick(vocab.LIFECYCLE_STAGES)
            self._lead(first, last, email, name, website, country, stage, account_id, title)

    def _unknown_company_leads(self, country: vocab.Country, company: Company) -> None:
        """Several people of one company that is not an account, sharing its domain."""
        rnd = self.rnd
        for _ in range(2 + int(rnd() * 4)):
            first, last, f_key, l_key = self.people.name(country.style)
            email = f"{self.people.email_local(f_key, l_key)}@{company.domain}"
            name = company.typed_name if rnd() < 0.7 else self._variant(company)
            self._lead(
                first, last, email, name, "", country, self._pick(vocab.LIFECYCLE_STAGES), ""
            )

    def _individual_lead(self) -> None:
        """A student or freelancer on a personal address: belongs to no account."""
        country = vocab.COUNTRIES[bisect(COUNTRY_CUM, self.rnd() * COUNTRY_CUM[-1])]
        first, last, f_key, l_key = self.people.name(country.style)
        self._lead(
            first,
            last,
            self._free_mail(country.style, f_key, l_key),
            self._pick(vocab.JUNK_COMPANY_NAMES),
            "",
            country,
            "Subscriber",
            "",
        )
