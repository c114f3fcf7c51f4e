"""The demo CRM export set: layouts importers recognise, integrity, determinism, and signal.

The generator is pure Python, so most tests call it directly; one runs the management command.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter, defaultdict
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.demo import vocab
from accounts.demo.generator import fit_logit, write_demo_files

AS_OF = dt.date(2026, 11, 23)
EXPECTED_HEADERS = {
    "accounts.csv": "Id,Name,Website,Industry,NumberOfEmployees,AnnualRevenue,BillingCity,"
    "BillingCountry,Phone,ParentId,Type,Technologies__c,Tier__c",
    "contacts.csv": "Id,AccountId,FirstName,LastName,Email,Title,Department,Phone,MailingCountry,"
    "LeadSource",
    "leads.csv": "Record ID,First Name,Last Name,Email,Job Title,Company Name,Website URL,"
    "Country/Region,Phone Number,Lifecycle Stage,Lead Status,Create Date",
    "opportunities.csv": "Id,AccountId,Name,StageName,Amount,CurrencyIsoCode,IsClosed,IsWon,"
    "CreatedDate,CloseDate,CampaignName",
    "events.csv": "external_id,occurred_at,kind,channel,email,account_domain,campaign,url",
    "intent.csv": "domain,topic,strength,observed_at,source",
    "leads_truth.csv": "lead_id,account_id",
}
FREE_MAIL = {
    "gmail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "gmx.de",
    "web.de",
    "qq.com",
    "163.com",
    "outlook.com",
    "hotmail.com",
    "orange.fr",
    "yahoo.co.jp",
    "libero.it",
    "icloud.com",
}
JUNK = {
    "",
    "n/a",
    "-",
    "self",
    "student",
    "none",
    ".",
    "na",
    "unknown",
    "private",
    "test",
    "self-employed",
}
_LEGAL_WORDS = {
    word.strip(".,()").casefold()
    for form in (*vocab.LEGAL_VARIANTS, *(v for vs in vocab.LEGAL_VARIANTS.values() for v in vs))
    for word in form.replace(",", " ").split()
} - {""}


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower()


def _core(name: str) -> str:
    """Name without legal-form words at its end, case-folded."""
    words = name.replace(",", " ").split()
    while words and words[-1].strip(".,()").casefold() in _LEGAL_WORDS:
        words.pop()
    return " ".join(words).casefold()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo-2000")
    # four blocks over two worker processes, so every check below also covers the seams
    write_demo_files(folder, accounts=2000, seed=11, as_of=AS_OF, workers=2, block_size=500)
    return folder


@pytest.fixture(scope="module")
def data(demo):
    return {name.removesuffix(".csv"): _read(demo, name) for name in EXPECTED_HEADERS}


@pytest.fixture(scope="module")
def account_domains(data) -> dict[str, str]:
    """Account id → its corporate domain, as its contacts' addresses show it."""
    by_account: dict[str, Counter] = defaultdict(Counter)
    for contact in data["contacts"]:
        by_account[contact["AccountId"]][_domain(contact["Email"])] += 1
    return {account: counts.most_common(1)[0][0] for account, counts in by_account.items()}


def test_every_file_has_the_exact_header_importers_recognise(demo):
    # when the files are read back
    # then each starts with its CRM's exact header line and nothing else is written
    assert sorted(p.name for p in demo.iterdir()) == sorted(EXPECTED_HEADERS)
    for name, header in EXPECTED_HEADERS.items():
        with (demo / name).open(encoding="utf-8") as handle:
            assert handle.readline().rstrip("\n") == header, name


def test_files_are_exactly_what_the_csv_module_writes(demo):
    # given rows written as text for speed, then parsed and written again with csv.writer
    for name in EXPECTED_HEADERS:
        original = (demo / name).read_text(encoding="utf-8")
        again = io.StringIO()
        writer = csv.writer(again, lineterminator="\n")
        width = len(EXPECTED_HEADERS[name].split(","))
        for row in csv.reader(io.StringIO(original, newline="")):
            assert len(row) == width, (name, row)
            writer.writerow(row)
        # then quoting, separators and line ends are the same byte for byte
        assert again.getvalue() == original, name


def test_row_counts_grow_with_the_number_of_accounts(tmp_path):
    # given two sizes
    small = write_demo_files(tmp_path / "s", accounts=200, seed=5, as_of=AS_OF)
    large = write_demo_files(tmp_path / "l", accounts=400, seed=5, as_of=AS_OF)
    # then accounts are exact, everything else is proportional
    assert small["accounts.csv"] == 200
    assert large["accounts.csv"] == 400
    assert 2 * 200 <= small["contacts.csv"] <= 6 * 200
    assert 0.3 * 200 <= small["leads.csv"] <= 1.5 * 200
    assert small["leads_truth.csv"] == small["leads.csv"]
    for name in ("contacts.csv", "leads.csv", "opportunities.csv", "events.csv", "intent.csv"):
        assert small[name] > 0
        assert 1.5 <= large[name] / small[name] <= 2.6, name
    # and the counts returned are the rows on disk
    with (tmp_path / "s" / "contacts.csv").open(encoding="utf-8") as handle:
        assert sum(1 for _ in csv.reader(handle)) - 1 == small["contacts.csv"]


def test_every_reference_points_to_an_existing_account(data):
    ids = [a["Id"] for a in data["accounts"]]
    position = {account_id: i for i, account_id in enumerate(ids)}
    assert len(position) == len(ids)
    for contact in data["contacts"]:
        assert contact["AccountId"] in position
    for opportunity in data["opportunities"]:
        assert opportunity["AccountId"] in position
    parents = [a for a in data["accounts"] if a["ParentId"]]
    assert 0.01 * len(ids) <= len(parents) <= 0.06 * len(ids)
    for child in parents:  # subsidiaries point to an earlier account
        assert position[child["ParentId"]] < position[child["Id"]]
    # the answer key has one row per lead, pointing to an account or to nobody
    assert [t["lead_id"] for t in data["leads_truth"]] == [r["Record ID"] for r in data["leads"]]
    assert all(t["account_id"] in position or t["account_id"] == "" for t in data["leads_truth"])
    assert len({r["Record ID"] for r in data["leads"]}) == len(data["leads"])


def test_salesforce_ids_have_prefix_length_and_case_checksum(data):
    def checksum(id15: str) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
        return "".join(
            alphabet[sum(1 << j for j, ch in enumerate(id15[i : i + 5]) if ch.isupper())]
            for i in (0, 5, 10)
        )

    for file_name, prefix in (("accounts", "001"), ("contacts", "003"), ("opportunities", "006")):
        ids = [row["Id"] for row in data[file_name]]
        assert len(set(ids)) == len(ids)
        assert len({i.lower() for i in ids}) == len(ids)  # unique even ignoring case
        for record_id in ids:
            assert re.fullmatch(prefix + r"[0-9A-Za-z]{15}", record_id)
            assert record_id[15:] == checksum(record_id[:15])


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    # given the same seed twice and another seed once
    for folder, seed in (("a", 3), ("b", 3), ("c", 4)):
        write_demo_files(tmp_path / folder, accounts=150, seed=seed, as_of=AS_OF)
    # then
    for name in EXPECTED_HEADERS:
        first = (tmp_path / "a" / name).read_bytes()
        assert first == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "accounts.csv").read_bytes() != (
        tmp_path / "c" / "accounts.csv"
    ).read_bytes()


def test_files_do_not_depend_on_the_number_of_worker_processes(tmp_path):
    # given the same seed written by one process and by two
    for folder, workers in (("one", 1), ("two", 2)):
        write_demo_files(
            tmp_path / folder, accounts=330, seed=8, as_of=AS_OF, workers=workers, block_size=100
        )
    # then the files are identical and no part files are left behind
    for name in EXPECTED_HEADERS:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted(EXPECTED_HEADERS)


def _fit(account: dict[str, str]) -> float:
    return fit_logit(
        industry=account["Industry"],
        employees=int(account["NumberOfEmployees"]) if account["NumberOfEmployees"] else None,
        annual_revenue=float(account["AnnualRevenue"]) if account["AnnualRevenue"] else None,
        country=account["BillingCountry"],
        technologies=[t for t in account["Technologies__c"].split(";") if t],
    )


def _thirds(data) -> tuple[set[str], set[str]]:
    ranked = sorted(data["accounts"], key=_fit)
    third = len(ranked) // 3
    return {a["Id"] for a in ranked[:third]}, {a["Id"] for a in ranked[-third:]}


def test_pipeline_and_win_rate_depend_on_icp_fit(data):
    # given accounts ranked by their observable ICP fit
    low, high = _thirds(data)

    # when deals are counted per third
    def won_rate(group: set[str]) -> float:
        closed = [
            o for o in data["opportunities"] if o["AccountId"] in group and o["IsClosed"] == "true"
        ]
        assert len(closed) >= 15
        return sum(o["IsWon"] == "true" for o in closed) / len(closed)

    def with_pipeline(group: set[str]) -> int:
        return len({o["AccountId"] for o in data["opportunities"]} & group)

    # then well-fitting accounts reach the pipeline more often and win clearly more often
    assert with_pipeline(high) > 2 * with_pipeline(low)
    assert won_rate(high) > won_rate(low) + 0.25
    # and customers are the accounts with a won deal
    won_accounts = {o["AccountId"] for o in data["opportunities"] if o["IsWon"] == "true"}
    customers = {a["Id"] for a in data["accounts"] if a["Type"] == "Customer"}
    assert customers == won_accounts


def test_engagement_is_higher_for_well_fitting_accounts(data, account_domains):
    low, high = _thirds(data)
    owner = {domain: account for account, domain in account_domains.items()}
    per_account = Counter()
    for event in data["events"]:
        domain = event["account_domain"] or _domain(event["email"])
        per_account[owner[domain]] += 1
    assert sum(per_account[a] for a in high) > 1.8 * sum(per_account[a] for a in low)


def test_deals_grow_with_company_size_and_abm_campaigns(data):
    employees = {a["Id"]: int(a["NumberOfEmployees"] or 0) for a in data["accounts"]}
    usd = [o for o in data["opportunities"] if o["CurrencyIsoCode"] == "USD"]

    def mean(rows):
        return sum(float(o["Amount"]) for o in rows) / len(rows)

    big = [o for o in usd if employees[o["AccountId"]] >= 1000]
    small = [o for o in usd if 0 < employees[o["AccountId"]] < 100]
    assert mean(big) > 1.5 * mean(small)
    abm = [o for o in usd if o["CampaignName"]]
    other = [o for o in usd if not o["CampaignName"]]
    assert mean(abm) > 1.3 * mean(other)


def test_opportunity_fields_follow_salesforce_conventions(data):
    stages = Counter(o["StageName"] for o in data["opportunities"])
    assert {"Closed Won", "Closed Lost"} <= set(stages)
    assert len(set(stages) - {"Closed Won", "Closed Lost"}) >= 4
    for o in data["opportunities"]:
        assert o["IsClosed"] in ("true", "false")
        assert o["IsWon"] in ("true", "false")
        assert (o["IsClosed"] == "true") == o["StageName"].startswith("Closed")
        assert o["IsWon"] == "true" if o["StageName"] == "Closed Won" else o["IsWon"] == "false"
        assert re.fullmatch(r"\d+\.\d\d", o["Amount"])
        created = dt.datetime.fromisoformat(o["CreatedDate"].replace("Z", "+00:00"))
        closed = dt.date.fromisoformat(o["CloseDate"])
        assert created.date() <= closed
        if o["IsClosed"] == "true":
            assert closed < AS_OF


def test_campaigns_appear_in_events_and_in_opportunities(data):
    in_events = {e["campaign"] for e in data["events"]} - {""}
    in_deals = {o["CampaignName"] for o in data["opportunities"]} - {""}
    names = {c.name for c in vocab.CAMPAIGNS}
    assert len(names) == 8
    assert in_events == names
    assert in_deals == names
    assert "Q3 FinServ Exec Dinner" in names
    assert "Data Platform 1:many Ads" in names


def test_events_are_typed_timed_and_tied_to_people_or_domains(data, account_domains):
    known_domains = set(account_domains.values())
    kinds = Counter()
    ids = set()
    for event in data["events"]:
        at = dt.datetime.fromisoformat(event["occurred_at"])
        assert at.tzinfo is not None
        assert AS_OF - dt.timedelta(days=366) <= at.date() < AS_OF
        assert vocab.KIND_CHANNEL[event["kind"]]
        assert event["channel"] in vocab.CHANNEL_KINDS
        assert event["kind"] in vocab.CHANNEL_KINDS[event["channel"]]
        assert event["email"] or event["account_domain"]
        assert (event["account_domain"] or _domain(event["email"])) in known_domains
        kinds[event["kind"]] += 1
        ids.add(event["external_id"])
    assert len(ids) == len(data["events"])
    assert set(kinds) == set(vocab.KIND_CHANNEL)


def test_intent_is_weekly_and_some_accounts_surge_recently(data):
    series: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    # every domain in the feed is an account's website domain, so the importer can place it
    known_domains = {
        re.sub(r"^(https?://)?(www\.)?", "", a["Website"]) for a in data["accounts"] if a["Website"]
    }
    for row in data["intent"]:
        day = dt.date.fromisoformat(row["observed_at"])
        assert day.weekday() == 0
        assert day < AS_OF
        assert 0 <= int(row["strength"]) <= 100
        assert row["domain"] in known_domains
        series[row["domain"], row["topic"]].append((row["observed_at"], int(row["strength"])))
    surging = 0
    for points in series.values():
        strengths = [s for _, s in sorted(points)]
        baseline, recent = strengths[:-3], strengths[-3:]
        if sum(recent) / 3 >= sum(baseline) / len(baseline) + 25:
            surging += 1
    assert 0.02 * len(series) <= surging <= 0.3 * len(series)
    assert {"customer data platform", "account-based marketing"} <= {t for _, t in series}


def test_contacts_work_at_their_account_and_span_the_buying_committee(data, account_domains):
    assert len(set(account_domains.values())) == len(account_domains)  # no shared domains
    assert not any(_domain(c["Email"]) in FREE_MAIL for c in data["contacts"])
    titles = [c["Title"].casefold() for c in data["contacts"]]
    c_level = sum(bool(re.search(r"\b(chief|vp|svp|c[efmrto]o|cio)\b", t)) for t in titles)
    directors = sum("director" in t for t in titles)
    practitioners = len(titles) - c_level - directors
    assert 0.08 < c_level / len(titles) < 0.3
    assert 0.15 < directors / len(titles) < 0.45
    assert practitioners / len(titles) > 0.4
    large = [a["Id"] for a in data["accounts"] if int(a["NumberOfEmployees"] or 0) >= 5000]
    per_account = Counter(c["AccountId"] for c in data["contacts"])
    assert all(5 <= per_account[a] <= 15 for a in large)


def test_a_person_in_both_crms_keeps_one_job_title(data):
    """Leads that duplicate a CRM contact carry the contact's title, so importing the two files
    in any order, any number of times, settles on one value instead of flipping it."""
    contact_title = {c["Email"].lower(): c["Title"] for c in data["contacts"]}
    shared = [lead for lead in data["leads"] if lead["Email"].lower() in contact_title]
    assert len(shared) >= 10
    assert all(lead["Job Title"] == contact_title[lead["Email"].lower()] for lead in shared)


def test_names_look_international(data):
    names = [a["Name"] for a in data["accounts"]]
    assert any(not n.isascii() for n in names)
    assert any(n.startswith("株式会社") for n in names)
    assert any(n.endswith("GmbH") for n in names)
    assert any(n.endswith("Inc.") for n in names)
    websites = [a["Website"] for a in data["accounts"] if a["Website"]]
    assert any(w.endswith(".co.uk") for w in websites)
    assert any(w.endswith(".de") for w in websites)
    assert any(w.startswith("https://www.") for w in websites)
    countries = Counter(a["BillingCountry"] for a in data["accounts"])
    assert countries.most_common(1)[0][0] == "United States"
    assert {"Germany", "United Kingdom"} <= set(countries)
    assert any(len(c) == 2 for c in countries)  # a few rows carry the ISO code instead
    employees = sorted(
        int(a["NumberOfEmployees"]) for a in data["accounts"] if a["NumberOfEmployees"]
    )
    median = employees[len(employees) // 2]
    assert 40 <= median <= 400
    assert employees[-1] > 20 * median


def test_free_mail_share_of_leads(data):
    leads = data["leads"]
    free = [lead for lead in leads if _domain(lead["Email"]) in vocab.FREE_MAIL_DOMAINS]
    assert 0.12 <= len(free) / len(leads) <= 0.4
    # and some of them still name their company, so they can be matched by name
    named = [lead for lead in free if lead["Company Name"].strip().casefold() not in JUNK]
    assert len(named) >= 0.3 * len(free)
    assert {"gmail.com", "gmx.de"} <= {_domain(lead["Email"]) for lead in free}


def test_leads_contain_every_kind_of_matching_noise(data, account_domains):
    accounts = {a["Id"]: a for a in data["accounts"]}
    truth = {t["lead_id"]: t["account_id"] for t in data["leads_truth"]}
    found = Counter()
    unknown_domains = Counter()
    for lead in data["leads"]:
        company, email_domain = lead["Company Name"], _domain(lead["Email"])
        account_id = truth[lead["Record ID"]]
        if not account_id:
            if company.strip().casefold() in JUNK:
                found["junk without account"] += 1
            if email_domain not in vocab.FREE_MAIL_DOMAINS:
                assert email_domain not in account_domains.values()
                unknown_domains[email_domain] += 1
            continue
        name, domain = accounts[account_id]["Name"], account_domains[account_id]
        if company.strip().casefold() in JUNK:
            found["junk with account"] += 1
        if email_domain in vocab.FREE_MAIL_DOMAINS and company.strip().casefold() not in JUNK:
            found["free mail with company"] += 1
        if email_domain.endswith("." + domain):
            found["subdomain"] += 1
        if (
            email_domain != domain
            and email_domain.split(".")[0] == domain.split(".")[0]
            and not email_domain.endswith("." + domain)
        ):
            found["country-code domain"] += 1
        if name.startswith("株式会社") or company.strip().casefold() in JUNK:
            continue
        if company.startswith("The ") and not name.startswith("The "):
            found["the prefix"] += 1
        core, account_core = _core(company.removeprefix("The ")), _core(name)
        if company != name and core == account_core and company.upper() != company:
            found["legal suffix"] += 1
        elif core != account_core and sorted(core.split()) == sorted(account_core.split()):
            found["word order"] += 1
        elif (
            len(core.split()) == len(account_core.split())
            and core != account_core
            and SequenceMatcher(None, core, account_core).ratio() >= 0.8
        ):
            found["typo"] += 1
    shared = [d for d, n in unknown_domains.items() if n >= 2]
    found["unknown company sharing a domain"] = len(shared)
    for kind in (
        "junk without account",
        "junk with account",
        "free mail with company",
        "subdomain",
        "country-code domain",
        "the prefix",
        "legal suffix",
        "word order",
        "typo",
        "unknown company sharing a domain",
    ):
        assert found[kind] >= 3, (kind, found)
    # and a fair share of leads belong to no account at all
    orphans = sum(1 for a in truth.values() if not a)
    assert 0.1 <= orphans / len(truth) <= 0.45


def test_management_command_writes_the_files(tmp_path):
    # when
    call_command("demo_data", out=str(tmp_path), accounts=40, seed=9, as_of=AS_OF)
    # then the same files as the library, byte for byte
    write_demo_files(tmp_path / "direct", accounts=40, seed=9, as_of=AS_OF)
    for name in EXPECTED_HEADERS:
        assert (tmp_path / name).read_bytes() == (tmp_path / "direct" / name).read_bytes()
