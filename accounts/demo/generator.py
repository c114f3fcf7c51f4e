"""A realistic, deterministic CRM export set for demos, tests and benchmarks.

`write_demo_files(out_dir, accounts=N, seed=S)` writes the files DESIGN.md names (Salesforce
Data Export layouts for accounts, contacts and opportunities, a HubSpot contacts export for
leads, generic engagement events and an intent feed) plus `leads_truth.csv`, the answer key for
lead-to-account matching. Everything comes from one `random.Random(seed)`: the same seed and
the same `as_of` date give byte-identical files.

Rows are generated account by account and streamed to all files at once, so memory stays flat
whatever N is; the only thing that grows is the set of taken name/domain keys (about 100 bytes
per company) that keeps every company's name and domain unique.

Whether an account buys follows a hidden logistic model of its ICP features (`fit_logit`, plus
unobserved noise): higher fit means more opportunities, a higher win rate, more engagement and
more intent, so a scoring model trained on these files has something real to learn.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from bisect import bisect
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from itertools import accumulate
from pathlib import Path

from accounts.demo import vocab
from accounts.demo.names import NOISE_KINDS, Company, CompanyNamer, name_variant
from accounts.demo.people import People

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


# ---- ids ----------------------------------------------------------------------------------

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SF_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_B62_PAIRS = [(a + b, (a.isupper()) | (b.isupper() << 1)) for a in _B62 for b in _B62]
_SF_FIRST = 1_000_000  # Salesforce record numbers do not start at 1


def salesforce_id(prefix: str, n: int) -> str:
    """18-character id as Salesforce exports it: `001` + pod + record number + case checksum.

    The checksum suffix is the real algorithm (one letter per 5-character chunk encoding which
    characters are upper case), so the ids survive case-insensitive tools the way real ones do.
    """
    hi, rest = divmod(n + _SF_FIRST, 238_328)
    mid, lo = divmod(rest, 62)
    p1, m1 = _B62_PAIRS[hi]
    p2, m2 = _B62_PAIRS[mid]
    last = _B62[lo]
    mask = m1 | (m2 << 2) | (last.isupper() << 4)
    return f"{prefix}5g00000{p1}{p2}{last}AA{_SF_SUFFIX[mask]}"


# ---- the generator ------------------------------------------------------------------------

_COUNTRY_CUM = list(accumulate(c.weight for c in vocab.COUNTRIES))
_INDUSTRY_NAMES = tuple(vocab.INDUSTRIES)
_INDUSTRY_CUM = list(accumulate(v[0] for v in vocab.INDUSTRIES.values()))
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
_CCTLDS = ("de", "co.uk", "fr", "com", "nl", "es", "it", "com.au", "ch")
_SUBDOMAINS = ("mail", "uk", "us", "eu", "corp", "de", "emea")
_INTENT_WEEKS = 8
_SURGE_WEEKS = 3
_PARENT_POOL = 2000
_HISTORY_DAYS = 365


def write_demo_files(
    out_dir: Path, *, accounts: int, seed: int, as_of: dt.date | None = None
) -> dict[str, int]:
    """Write the demo CRM export set into `out_dir`; returns the rows written per file.

    `as_of` is the day the data runs up to (today, UTC, by default); dates are relative to it,
    everything else depends on the seed alone.
    """
    if accounts < 0:
        raise ValueError("accounts must be zero or more")
    out_dir.mkdir(parents=True, exist_ok=True)
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    with ExitStack() as stack:
        writers = {}
        for file_name, header in HEADERS.items():
            handle = stack.enter_context(
                (out_dir / file_name).open("w", newline="", encoding="utf-8", buffering=1 << 20)
            )
            writers[file_name] = _row_writer(handle)
            writers[file_name](header)
        generator = _Generator(seed=seed, as_of=as_of, writers=writers)
        for index in range(accounts):
            generator.account(index)
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
    def __init__(self, *, seed: int, as_of: dt.date, writers: dict) -> None:
        self.rng = random.Random(seed)
        self.rnd = self.rng.random
        self.namer = CompanyNamer(self.rnd)
        self.people = People(self.rnd)
        self.counts = dict.fromkeys(writers, 0)
        w = writers
        self.w_accounts, self.w_contacts = w["accounts.csv"], w["contacts.csv"]
        self.w_leads, self.w_truth = w["leads.csv"], w["leads_truth.csv"]
        self.w_opps, self.w_events = w["opportunities.csv"], w["events.csv"]
        self.w_intent = w["intent.csv"]
        # day strings, index = days before as_of (negative: the future, for open deals' close dates)
        self._future = 600
        self.days = [(as_of - dt.timedelta(days=d)).isoformat() for d in range(-self._future, 1200)]
        last_monday = as_of.weekday() or 7  # the newest full weekly observation
        self.intent_days = [self.day(last_monday + 7 * week) for week in range(_INTENT_WEEKS)]
        self.parents: list[tuple[str, Company]] = []
        self.contact_seq = self.opp_seq = 0
        self.event_seq = 1
        self.lead_id = 51_000_000 + int(self.rnd() * 1_000_000)
        self.unattributed = list(range(len(vocab.CAMPAIGNS)))
        self.enrolled = [0] * len(vocab.CAMPAIGNS)

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

    def account(self, index: int) -> None:
        rnd, pick = self.rnd, self._pick
        country = vocab.COUNTRIES[bisect(_COUNTRY_CUM, rnd() * _COUNTRY_CUM[-1])]
        industry = _INDUSTRY_NAMES[bisect(_INDUSTRY_CUM, rnd() * _INDUSTRY_CUM[-1])]
        employees = max(1, min(350_000, int(self.rng.lognormvariate(4.8, 1.7))))
        if employees >= 1000:
            employees = round(employees, -2 if employees >= 10_000 else -1)
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

        account_id = salesforce_id("001", index)
        parent_id, company = "", None
        if self.parents and rnd() < 0.03:
            parent_id, parent = pick(self.parents)
            company = self.namer.subsidiary(parent=parent, country=country)
            if company is None:
                parent_id = ""
        if company is None:
            company = self.namer.company(country=country, industry=industry)
            if employees >= 1000:
                if len(self.parents) < _PARENT_POOL:
                    self.parents.append((account_id, company))
                else:
                    self.parents[int(rnd() * _PARENT_POOL)] = (account_id, company)

        campaigns = []
        for number, spec in enumerate(vocab.CAMPAIGNS):
            if spec.industries and industry not in spec.industries:
                continue
            if spec.regions and country.region not in spec.regions:
                continue
            if self.enrolled[number] >= _CAMPAIGN_CAP[spec.kind]:
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
        self.w_accounts(
            (
                account_id,
                company.name,
                self._website(company.domain),
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
        if intent:
            self._intent(company.domain, surge)
        self._leads(company, account_id, contacts, country, latent, abm, surge, won)
        if rnd() < 0.05:
            self._unknown_company_leads()
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

    def _contacts(self, company, account_id, employees, country) -> list[tuple[str, str, str]]:
        rnd, people = self.rnd, self.people
        if employees < 50:
            n = 1 + (rnd() < 0.4)
        elif employees < 500:
            n = 2 + int(rnd() * 4)
        elif employees < 5000:
            n = 4 + int(rnd() * 7)
        else:
            n = 6 + int(rnd() * 10)
        taken, out = set(), []
        for _ in range(n):
            first, last, f_key, l_key = people.name(country.style)
            local = people.email_local(f_key, l_key)
            while local in taken:
                local += str(int(rnd() * 10))
            taken.add(local)
            email = f"{local}@{company.domain}"
            department, title = people.title()
            r = rnd()
            mailing = country.name if r < 0.85 else country.code if r < 0.9 else ""
            self.w_contacts(
                (
                    salesforce_id("003", self.contact_seq),
                    account_id,
                    first,
                    last,
                    email,
                    title,
                    department,
                    people.phone(country) if rnd() < 0.7 else "",
                    mailing,
                    self._pick(vocab.LEAD_SOURCES),
                )
            )
            self.contact_seq += 1
            out.append((first, last, email))
        self.counts["contacts.csv"] += n
        return out

    def _events(self, company, contacts, latent, campaigns, surge) -> None:
        rnd, pick = self.rnd, self._pick
        domain = company.domain
        engagement = math.exp(0.5 * latent)
        written = 0
        for number in campaigns:
            spec = vocab.CAMPAIGNS[number]
            span = spec.start_days_ago - spec.end_days_ago
            for _ in range(self._poisson(_CAMPAIGN_TOUCHES[spec.kind] * engagement)):
                channel = pick(spec.channels)
                kind = pick(vocab.CHANNEL_KINDS[channel])
                days_ago = max(1, spec.end_days_ago + int(rnd() * (span + 1)))
                self._touch(days_ago, kind, channel, contacts, domain, spec.name)
                written += 1
        organic = self._poisson(0.9 * engagement)
        recent = self._poisson(4.0 * engagement) if surge else 0
        for i in range(organic + recent):
            kind = _ORGANIC_KINDS[bisect(_ORGANIC_CUM, rnd() * _ORGANIC_CUM[-1])]
            days_ago = 1 + int(rnd() * (21 if i >= organic else _HISTORY_DAYS))
            self._touch(days_ago, kind, vocab.KIND_CHANNEL[kind], contacts, domain, "")
        self.counts["events.csv"] += written + organic + recent

    def _touch(self, days_ago, kind, channel, contacts, domain, campaign) -> None:
        rnd = self.rnd
        email = ""
        if kind in _PERSON_KINDS or rnd() < 0.4:
            email = self._pick(contacts)[2]
        shown_domain = domain if not email or rnd() < 0.3 else ""
        url = ""
        if channel in ("web", "ads") or kind == "email_click":
            url = vocab.OUR_SITE + self._pick(vocab.WEB_PAGES)
            if campaign:
                url += "?utm_campaign=" + campaign.lower().replace(" ", "-").replace(":", "")
        seconds = int(rnd() * 43_200)  # business hours, 07:00 to 19:00 UTC
        at = (
            f"{self.days[days_ago + self._future]}T{7 + seconds // 3600:02d}:"
            f"{seconds // 60 % 60:02d}:{seconds % 60:02d}+00:00"
        )
        # a bijection of the sequence number, so ids look random but never repeat
        external_id = f"evt_{(self.event_seq * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFF:012x}"
        self.event_seq += 1
        self.w_events((external_id, at, kind, channel, email, shown_domain, campaign, url))

    def _intent(self, domain: str, surge: bool) -> None:
        rnd, pick = self.rnd, self._pick
        topics = {pick(vocab.INTENT_TOPICS) for _ in range(1 + (rnd() < 0.5) + (rnd() < 0.2))}
        rows = 0
        for position, topic in enumerate(sorted(topics)):
            source = pick(vocab.INTENT_SOURCES)
            baseline = 12 + rnd() * 40
            surging = surge and (position == 0 or rnd() < 0.5)
            for week in range(_INTENT_WEEKS - 1, -1, -1):
                strength = baseline + (rnd() - 0.5) * 16
                if surging and week < _SURGE_WEEKS:
                    strength += 30 + rnd() * 25
                strength = max(0, min(100, round(strength)))
                self.w_intent((domain, topic, str(strength), self.intent_days[week], source))
                rows += 1
        self.counts["intent.csv"] += rows

    # -- leads: the matching test bed -------------------------------------------------------

    def _lead(self, first, last, email, company_name, website, country, stage, truth) -> None:
        rnd = self.rnd
        self.lead_id += 1 + int(rnd() * 4)
        title = self.people.title()[1] if rnd() < 0.8 else ""
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
            elif kind == "cctld" and not company.shares_label:
                variant = f"{company.label}.{pick(_CCTLDS)}"
                if variant != company.domain and self.namer.reserve_domain(variant):
                    email = f"{people.email_local(f_key, l_key)}@{variant}"
                    name = self._typed(company)
            elif kind == "website":
                email = self._free_mail(country.style, f_key, l_key)
                name = pick(vocab.JUNK_COMPANY_NAMES)
                website = self._short_website(company.domain)
            elif kind == "duplicate":
                first, last, email = pick(contacts)
            stage = "Customer" if won and rnd() < 0.3 else pick(vocab.LIFECYCLE_STAGES)
            self._lead(first, last, email, name, website, country, stage, account_id)

    def _unknown_company_leads(self) -> None:
        """Several people of one company that is not an account, sharing its domain."""
        rnd = self.rnd
        country = vocab.COUNTRIES[bisect(_COUNTRY_CUM, rnd() * _COUNTRY_CUM[-1])]
        industry = self._pick(_INDUSTRY_NAMES)
        company = self.namer.company(country=country, industry=industry)
        for _ in range(2 + int(rnd() * 4)):
            first, last, f_key, l_key = self.people.name(country.style)
            email = f"{self.people.email_local(f_key, l_key)}@{company.domain}"
            name = company.typed_name if rnd() < 0.7 else self._variant(company)
            self._lead(
                first, last, email, name, "", country, self._pick(vocab.LIFECYCLE_STAGES), ""
            )

    def _individual_lead(self) -> None:
        """A student or freelancer on a personal address: belongs to no account."""
        country = vocab.COUNTRIES[bisect(_COUNTRY_CUM, self.rnd() * _COUNTRY_CUM[-1])]
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
