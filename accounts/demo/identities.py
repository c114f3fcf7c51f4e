"""Who the companies are: the one part of the demo data drawn in a single sequence.

Names and domains must be unique across the whole file set, so they come from one random
stream and one set of taken keys, account after account. Everything else about an account
(people, deals, touches, intent) is drawn per block of accounts from the block's own stream,
which lets blocks be written in parallel without changing a byte of the result.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate

from accounts.demo import vocab
from accounts.demo.names import Company, CompanyNamer

COUNTRY_CUM = list(accumulate(c.weight for c in vocab.COUNTRIES))
INDUSTRY_NAMES = tuple(vocab.INDUSTRIES)
INDUSTRY_CUM = list(accumulate(v[0] for v in vocab.INDUSTRIES.values()))
# Country-code endings people write from instead of the company's main domain.
_CCTLDS = ("de", "co.uk", "fr", "com", "nl", "es", "it", "com.au", "ch")
_PARENT_POOL = 2000  # recent large accounts that can own subsidiaries

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


@dataclass(slots=True)
class AccountSeed:
    """What the sequential pass decides about one account."""

    account_id: str
    country: vocab.Country
    industry: str
    employees: int
    company: Company
    parent_id: str
    # a company that is NOT an account, some of whose people turn up among the leads
    unknown: tuple[vocab.Country, Company] | None


class Identities:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"{seed}:companies")
        self.rnd = self.rng.random
        self.namer = CompanyNamer(self.rnd)
        self.parents: list[tuple[str, Company, str]] = []  # (id, company, industry)

    def _country(self) -> vocab.Country:
        return vocab.COUNTRIES[bisect(COUNTRY_CUM, self.rnd() * COUNTRY_CUM[-1])]

    def account(self, index: int) -> AccountSeed:
        rnd = self.rnd
        country = self._country()
        industry = INDUSTRY_NAMES[bisect(INDUSTRY_CUM, rnd() * INDUSTRY_CUM[-1])]
        employees = max(1, min(350_000, int(self.rng.lognormvariate(4.8, 1.7))))
        if employees >= 1000:  # CRMs hold rounded head counts for larger firms
            employees = round(employees, -2 if employees >= 10_000 else -1)
        account_id = salesforce_id("001", index)
        parent_id, company = "", None
        if self.parents and rnd() < 0.045:  # ~3% become subsidiaries abroad of large accounts
            parent_id, parent, industry = self.parents[int(rnd() * len(self.parents))]
            company = self.namer.subsidiary(parent=parent, country=country)
            if company is None:
                parent_id = ""
        if company is None:
            company = self.namer.company(country=country, industry=industry)
            if rnd() < 0.3:
                alt = f"{company.label}.{_CCTLDS[int(rnd() * len(_CCTLDS))]}"
                company.alt_domain = alt if alt != company.domain else ""
            if employees >= 1000:
                entry = (account_id, company, industry)
                if len(self.parents) < _PARENT_POOL:
                    self.parents.append(entry)
                else:
                    self.parents[int(rnd() * _PARENT_POOL)] = entry
        unknown = None
        if rnd() < 0.05:
            other = self._country()
            other_industry = INDUSTRY_NAMES[int(rnd() * len(INDUSTRY_NAMES))]
            unknown = (other, self.namer.company(country=other, industry=other_industry))
        return AccountSeed(account_id, country, industry, employees, company, parent_id, unknown)
