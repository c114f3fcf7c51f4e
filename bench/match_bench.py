"""Lead-to-account matching benchmark: labelled generator, our engine, a naive baseline, splink.

    .venv/bin/python bench/match_bench.py                   # 10k×10k and 100k×100k, held-apart seed
    .venv/bin/python bench/match_bench.py --sizes 10000 --splink
    .venv/bin/python bench/match_bench.py --fit             # refit matching/engine/weights.json
    .venv/bin/python bench/match_bench.py --write DIR --sizes 1000   # CSVs for match_file

The generator builds accounts and leads the way CRM exports look: free-mail senders, typos,
legal-suffix and word-order variants, subsidiaries writing from the parent's domain, several
domains per company (country variants, a domain the company moved away from), country-code
domains, non-ASCII and other-script names, look-alike competitors, junk company fields and leads
of companies that have no account. Every lead carries its true account id (or none).

Seeds: TUNE_SEED is the only data the weights and thresholds were fitted on; HELD_SEED is
reported and was never used for tuning.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TUNE_SEED = 1
HELD_SEED = 20261123

# --- vocabulary ---------------------------------------------------------------------------------
SURNAMES = [
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "miller",
    "davis",
    "wilson",
    "anderson",
    "taylor",
    "thomas",
    "moore",
    "martin",
    "jackson",
    "thompson",
    "white",
    "harris",
    "clark",
    "lewis",
    "robinson",
    "walker",
    "young",
    "allen",
    "king",
    "wright",
    "scott",
    "green",
    "baker",
    "adams",
    "nelson",
    "hill",
    "campbell",
    "mitchell",
    "roberts",
    "carter",
    "phillips",
    "evans",
    "turner",
    "torres",
    "parker",
    "collins",
    "edwards",
    "stewart",
    "morris",
    "murphy",
    "cook",
    "rogers",
    "morgan",
    "peterson",
    "cooper",
    "reed",
    "bailey",
    "bell",
    "kelly",
    "howard",
    "ward",
    "cox",
    "richardson",
    "wood",
    "watson",
    "brooks",
    "bennett",
    "gray",
    "james",
    "hughes",
    "price",
    "sanders",
    "myers",
    "long",
    "ross",
    "foster",
    "mueller",
    "schmidt",
    "schneider",
    "fischer",
    "weber",
    "meyer",
    "wagner",
    "becker",
    "schulz",
    "hoffmann",
    "koch",
    "richter",
    "klein",
    "wolf",
    "dubois",
    "durand",
    "lefebvre",
    "moreau",
    "laurent",
    "simon",
    "michel",
    "garcia",
    "martinez",
    "rodriguez",
    "lopez",
    "gonzalez",
    "perez",
    "rossi",
    "russo",
    "ferrari",
    "esposito",
    "bianchi",
    "romano",
    "colombo",
    "ricci",
    "marino",
    "greco",
    "bruno",
    "gallo",
    "conti",
    "costa",
    "jansen",
    "visser",
    "smit",
    "bakker",
    "janssen",
    "eriksson",
    "larsson",
    "nilsson",
    "johansson",
    "karlsson",
    "nakamura",
    "tanaka",
    "suzuki",
    "takahashi",
    "watanabe",
    "ito",
    "yamamoto",
    "kobayashi",
    "kato",
    "yoshida",
    "sato",
    "kim",
    "lee",
    "park",
    "choi",
    "chen",
    "wang",
    "zhang",
    "liu",
    "yang",
    "huang",
    "zhao",
    "wu",
    "zhou",
    "xu",
    "sun",
    "ma",
    "singh",
    "kumar",
    "sharma",
    "patel",
    "gupta",
    "shah",
    "mehta",
    "reddy",
]
GENERIC = [
    "apple",
    "delta",
    "target",
    "united",
    "summit",
    "pinnacle",
    "atlas",
    "apex",
    "vertex",
    "horizon",
    "eagle",
    "phoenix",
    "liberty",
    "pioneer",
    "frontier",
    "meridian",
    "crescent",
    "keystone",
    "sterling",
    "premier",
    "global",
    "allied",
    "central",
    "national",
    "american",
    "pacific",
    "atlantic",
    "northern",
    "southern",
    "eastern",
    "western",
    "coastal",
    "metro",
    "capital",
    "first",
    "prime",
    "royal",
    "crown",
    "star",
    "sun",
    "blue",
    "green",
    "red",
    "silver",
    "golden",
    "diamond",
    "falcon",
    "lion",
    "tiger",
    "orion",
    "nova",
    "titan",
    "vector",
    "quantum",
    "fusion",
    "spectrum",
    "matrix",
    "nexus",
    "zenith",
    "alpha",
    "omega",
    "beta",
    "sigma",
]
INDUSTRY = [
    "logistics",
    "foods",
    "pharma",
    "energy",
    "software",
    "capital",
    "bank",
    "motors",
    "airlines",
    "dental",
    "health",
    "insurance",
    "analytics",
    "robotics",
    "semiconductors",
    "biotech",
    "foods",
    "beverages",
    "textiles",
    "chemicals",
    "mining",
    "steel",
    "construction",
    "engineering",
    "consulting",
    "media",
    "publishing",
    "telecom",
    "networks",
    "security",
    "payments",
    "retail",
    "apparel",
    "furniture",
    "electronics",
    "devices",
    "labs",
    "medical",
    "healthcare",
    "realty",
    "properties",
    "hospitality",
    "hotels",
    "travel",
    "freight",
    "shipping",
    "aerospace",
    "defense",
    "automotive",
    "marine",
    "solar",
    "wind",
    "water",
    "utilities",
    "farms",
    "agritech",
    "education",
    "learning",
    "games",
    "studios",
    "design",
    "marketing",
    "data",
    "cloud",
]
WEAK = ["Group", "Holdings", "International", "Global", "Worldwide", "Industries", "Enterprises"]
DIVISIONS = ["Cloud", "Healthcare", "Financial Services", "Energy", "Mobility", "Digital", "Labs",
             "Capital", "Logistics", "Retail", "Research", "Consulting"]  # fmt: skip
SYL = ["ka", "lo", "mi", "ne", "tra", "vo", "zen", "qua", "rix", "dor", "bel", "cor", "fin", "gra",
       "lum", "nor", "pex", "sol", "tec", "vi", "xa", "yo", "ze", "ar", "is", "on", "ul", "em"]  # fmt: skip
KATAKANA = list(
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
)
CJK_SUFFIX = ["自動車", "電機", "製作所", "化学", "商事", "銀行", "物産", "重工"]
ACCENTED = {"a": "á", "e": "é", "o": "ö", "u": "ü", "c": "ç", "n": "ñ", "i": "í"}

COUNTRIES = {  # country: (weight, legal forms, ccTLD, cities, phone prefix)
    "US": (40, ["Inc.", "LLC", "Corp.", "Corporation", "Inc", "Co."], "com", ["New York", "Austin", "Chicago", "Seattle", "Boston", "Denver"], "+1"),
    "GB": (10, ["Ltd", "Limited", "PLC", "Ltd."], "co.uk", ["London", "Manchester", "Leeds", "Bristol"], "+44"),
    "DE": (10, ["GmbH", "AG", "GmbH & Co. KG", "SE"], "de", ["Berlin", "München", "Hamburg", "Köln"], "+49"),
    "FR": (7, ["SA", "SAS", "S.A.", "SARL"], "fr", ["Paris", "Lyon", "Toulouse", "Nantes"], "+33"),
    "JP": (5, ["株式会社", "K.K.", "Co., Ltd."], "co.jp", ["Tokyo", "Osaka", "Nagoya"], "+81"),
    "NL": (4, ["B.V.", "N.V.", "BV"], "nl", ["Amsterdam", "Rotterdam", "Utrecht"], "+31"),
    "SE": (3, ["AB", "AB (publ)"], "se", ["Stockholm", "Göteborg", "Malmö"], "+46"),
    "AU": (4, ["Pty Ltd", "Pty. Ltd.", "Limited"], "com.au", ["Sydney", "Melbourne", "Perth"], "+61"),
    "IT": (3, ["S.p.A.", "SpA", "S.r.l."], "it", ["Milano", "Roma", "Torino"], "+39"),
    "ES": (3, ["S.L.", "S.A.", "SL"], "es", ["Madrid", "Barcelona", "Valencia"], "+34"),
    "BR": (3, ["Ltda", "S.A.", "Ltda."], "com.br", ["São Paulo", "Rio de Janeiro", "Curitiba"], "+55"),
    "CH": (2, ["AG", "SA", "GmbH"], "ch", ["Zürich", "Genève", "Basel"], "+41"),
    "IN": (3, ["Pvt Ltd", "Private Limited", "Ltd"], "co.in", ["Mumbai", "Bangalore", "Pune"], "+91"),
    "CN": (3, ["有限公司", "Co., Ltd."], "com.cn", ["Shanghai", "Beijing", "Shenzhen"], "+86"),
}  # fmt: skip
FREEMAIL = ["gmail.com"] * 10 + ["yahoo.com"] * 4 + ["hotmail.com"] * 3 + ["outlook.com"] * 3 + [
    "yahoo.co.uk", "gmx.de", "web.de", "qq.com", "163.com", "orange.fr", "libero.it",
    "icloud.com", "aol.com", "mail.ru", "yahoo.co.jp", "naver.com", "protonmail.com",
    "hotmail.fr", "live.com", "t-online.de", "bigpond.com", "uol.com.br", "rediffmail.com",
]  # fmt: skip
JUNK = ["n/a", "N/A", "self", "Self-employed", "student", "-", "none", "Gmail", "Yahoo", "na",
        "Retired", "Freelancer", "unknown", "test", "."]  # fmt: skip
# Companies whose own domain is on free-mail lists: they exist as accounts in every data set.
OWNED_FREE = [
    ("Yahoo", "yahoo.com", "US"),
    ("Orange", "orange.fr", "FR"),
    ("Naver", "naver.com", "JP"),
]


class Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.used_domains: set[str] = set()
        self.used_names: set[str] = set()

    # names
    def brand(self) -> str:
        return "".join(self.r.choice(SYL) for _ in range(self.r.choice((2, 2, 3)))).capitalize()

    def base_name(self) -> str:
        r = self.r
        k = r.random()
        if k < 0.22:
            return self.brand()
        if k < 0.42:
            return f"{self.brand()} {r.choice(INDUSTRY).capitalize()}"
        if k < 0.55:
            return f"{r.choice(SURNAMES).capitalize()} & {r.choice(SURNAMES).capitalize()}"
        if k < 0.70:
            return f"{r.choice(GENERIC).capitalize()} {r.choice(INDUSTRY).capitalize()}"
        if k < 0.80:
            return f"{r.choice(SURNAMES).capitalize()} {r.choice(INDUSTRY).capitalize()}"
        if k < 0.86:
            return f"{r.choice(GENERIC).capitalize()} {self.brand()}"
        if k < 0.92:
            return f"{self.brand()} {r.choice(INDUSTRY).capitalize()} {r.choice(WEAK)}"
        if k < 0.96:
            w = "".join(ACCENTED.get(c, c) if r.random() < 0.3 else c for c in self.brand().lower())
            return f"{w.capitalize()} {r.choice(INDUSTRY).capitalize()}"
        return f"{r.choice(SURNAMES).capitalize()} {self.brand()} {r.choice(INDUSTRY).capitalize()}"

    def claim(self, name: str) -> bool:
        """Reserve a name; False when an existing one is indistinguishable from it."""
        from matching.normalize import name_parts

        key = name_parts(name).key
        if key in self.used_names:
            return False
        self.used_names.add(key)
        return True

    def unique_name(self) -> str:
        for _ in range(50):
            n = self.base_name()
            if self.claim(n):
                return n
        n = f"{self.base_name()} {self.brand()}"
        self.claim(n)
        return n

    def domain_for(self, name: str, tld: str) -> str:
        r = self.r
        words = list("".join(c if c.isalnum() or c == " " else " " for c in fold(name)).split())
        k = r.random()
        if k < 0.55:
            label = "".join(words)
        elif k < 0.70:
            label = "-".join(words)
        elif k < 0.80:
            label = words[0] + (words[1][:3] if len(words) > 1 else "")
        elif k < 0.88:
            label = "".join(w[0] for w in words) + r.choice(["", "corp", "group", "hq"])
        else:  # a domain that does not resemble the name at all
            label = self.brand().lower() + r.choice(["", "hq", "online", "corp"])
        label = label[:30] or "x"
        d = f"{label}.{tld if r.random() < 0.6 else 'com'}"
        while d in self.used_domains:
            d = f"{label}{r.randint(2, 999)}.{tld if r.random() < 0.5 else 'com'}"
        self.used_domains.add(d)
        return d

    def phone(self, prefix: str) -> str:
        return f"{prefix} {self.r.randint(200, 989)} {self.r.randint(100, 999)} {self.r.randint(1000, 9999)}"


def fold(s: str) -> str:
    import unicodedata

    return "".join(
        c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)
    ).lower()


def typo(r: random.Random, s: str) -> str:
    if len(s) < 5:
        return s
    i = r.randrange(1, len(s) - 1)
    k = r.random()
    if k < 0.3:
        return s[:i] + s[i + 1 :]
    if k < 0.6:
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    if k < 0.8:
        return s[:i] + r.choice(string.ascii_lowercase) + s[i + 1 :]
    return s[:i] + s[i] + s[i:]


def generate(n_accounts: int, n_leads: int, seed: int):
    """(accounts DataFrame, leads DataFrame, truth: lead id → account id or '')."""
    g = Gen(seed)
    r = g.r
    countries = list(COUNTRIES)
    cweights = [COUNTRIES[c][0] for c in countries]
    accounts: list[dict] = []
    meta: list[dict] = []  # generator-side facts per account

    def add_account(name, country, domains, former=(), parent=None, alias=None, base=None):
        aid = f"A{len(accounts) + 1:07d}"
        _w, _forms, _tld, cities, pfx = COUNTRIES.get(country, COUNTRIES["US"])
        city = r.choice(cities)
        phone = g.phone(pfx) if r.random() < 0.7 else ""
        shown = f"{alias} ({name})" if alias else name
        accounts.append(
            {
                "id": aid,
                "name": shown,
                "domains": ";".join(list(domains) + list(former)) if r.random() < 0.97 else "",
                "website": f"https://www.{domains[0]}" if domains and r.random() < 0.6 else "",
                "country": country if r.random() < 0.9 else "",
                "phone": phone,
                "city": city if r.random() < 0.7 else "",
            }
        )
        meta.append(
            {"id": aid, "name": name, "base": base or name, "alias": alias, "country": country,
             "domains": list(domains),
             "former": list(former), "parent": parent, "phone": phone, "city": city}
        )  # fmt: skip
        return len(accounts) - 1

    for name, dom, country in OWNED_FREE:
        add_account(f"{name} Inc.", country, [dom], base=name)

    n_regular = int(n_accounts * 0.9)
    while len(accounts) < n_regular:
        country = r.choices(countries, cweights)[0]
        _w, forms, tld, _c, _p = COUNTRIES[country]
        base = g.unique_name()
        alias = None
        if country in ("JP", "CN") and r.random() < 0.5:
            alias = "".join(r.choice(KATAKANA) for _ in range(r.randint(3, 5))) + r.choice(
                CJK_SUFFIX
            )
        legal = f"{base} {r.choice(forms)}" if r.random() < 0.8 else base
        if legal.endswith("株式会社") and r.random() < 0.5:
            legal = "株式会社" + base
        doms = [g.domain_for(base, tld)]
        if r.random() < 0.08:  # country variant
            d2 = (
                doms[0].rsplit(".", 1)[0].split(".")[0]
                + "."
                + r.choice(["de", "fr", "co.uk", "com.au", "nl"])
            )
            if d2 not in g.used_domains:
                g.used_domains.add(d2)
                doms.append(d2)
        former = []
        if r.random() < 0.05:  # moved from an old domain
            former = [g.domain_for(g.brand(), "com")]
        add_account(legal, country, doms, former, alias=alias, base=base)

    # Subsidiaries: "<parent core> <division>", own domain; a third also share the parent's.
    parents = list(range(len(OWNED_FREE), len(accounts)))
    while len(accounts) < n_accounts:
        p = r.choice(parents)
        pm = meta[p]
        core = pm["base"].split(" ")[0]
        name = f"{core} {r.choice(DIVISIONS)}"
        if not g.claim(name):
            name = f"{name} {g.brand()}"
            g.claim(name)
        country = r.choice([pm["country"], r.choices(countries, cweights)[0]])
        _w, forms, tld, _c, _pf = COUNTRIES[country]
        own = [g.domain_for(name, tld)]
        shares = r.random() < 0.3
        add_account(
            f"{name} {r.choice(forms)}",
            country,
            own + (pm["domains"][:1] if shares else []),
            parent=p,
            base=name,
        )

    # Companies that are not accounts: some unrelated, some look-alikes of real accounts.
    outsiders: list[dict] = []
    for _ in range(max(n_accounts // 5, 10)):
        country = r.choices(countries, cweights)[0]
        _w, forms, tld, cities, pfx = COUNTRIES[country]
        if r.random() < 0.35:  # a look-alike of a real account
            words = meta[r.randrange(len(meta))]["base"].split()
            k = r.random()
            if k < 0.4:
                name = f"{words[0]} {r.choice(INDUSTRY).capitalize()}"
            elif k < 0.7:
                name = f"{words[0]} {g.brand()}"
            else:
                name = f"{g.brand()} {words[-1]}"
            if not g.claim(name):
                continue
        else:
            name = g.unique_name()
        outsiders.append(
            {"name": f"{name} {r.choice(forms)}", "base": name, "country": country,
             "domains": [g.domain_for(name, tld)], "former": [], "parent": None,
             "phone": g.phone(pfx), "city": r.choice(cities), "alias": None}
        )  # fmt: skip

    leads: list[dict] = []
    truth: dict[str, str] = {}
    # Company popularity is skewed: a few accounts produce many leads.
    weights = np.random.default_rng(seed).pareto(1.2, len(meta)) + 0.2
    picks = r.choices(range(len(meta)), weights=weights.tolist(), k=n_leads)
    for li in range(n_leads):
        lid = f"L{li + 1:07d}"
        outsider = r.random() < 0.12
        m = r.choice(outsiders) if outsider else meta[picks[li]]
        truth[lid] = "" if outsider else m["id"]
        leads.append(make_lead(r, lid, m, meta))
    return pd.DataFrame(accounts), pd.DataFrame(leads), truth


def company_variant(r: random.Random, m: dict) -> str:
    full, base = m["name"], m["base"]
    k = r.random()
    if m.get("alias") and k < 0.3:
        return m["alias"] + (r.choice(["株式会社", ""]))
    if k < 0.28:
        return full
    if k < 0.50:
        return base
    if k < 0.58:
        return f"{base} {r.choice(['Inc', 'Ltd', 'LLC', 'GmbH', 'Corp', 'S.A.', 'Co.'])}"
    if k < 0.68:
        return typo(r, base)
    if k < 0.72:
        words = base.split()
        if len(words) > 1:
            r.shuffle(words)
        return " ".join(words)
    if k < 0.77:
        return base.upper() if r.random() < 0.5 else base.lower()
    if k < 0.80:
        return "The " + base
    if k < 0.84:
        return fold(base).title()
    if k < 0.87:
        words = base.replace("&", "and").split()
        return "".join(w[0] for w in words).upper() if len(words) >= 3 else base
    if k < 0.89:
        return base.replace(" & ", " and ")
    if k < 0.91:
        return r.choice(JUNK)
    if k < 0.94:
        return ""
    return full


def make_lead(r: random.Random, lid: str, m: dict, meta: list[dict]) -> dict:
    first = r.choice(SURNAMES).capitalize()
    last = r.choice(SURNAMES).capitalize()
    local = f"{first[0].lower()}{last.lower()}{r.randint(1, 99) if r.random() < 0.3 else ''}"
    k = r.random()
    parent = meta[m["parent"]] if m.get("parent") is not None else None
    if k < 0.60 and m["domains"]:
        if parent and r.random() < 0.4:
            dom = parent["domains"][0]
        elif m["former"] and r.random() < 0.5:
            dom = m["former"][0]
        else:
            dom = r.choice(m["domains"])
            if r.random() < 0.05:
                dom = f"{r.choice(['uk', 'us', 'mail', 'corp'])}.{dom}"
        email = f"{local}@{dom}"
    elif k < 0.92:
        email = f"{local}{r.randint(1, 9999)}@{r.choice(FREEMAIL)}"
    else:
        email = ""
    company = company_variant(r, m)
    if parent and email.endswith("@" + parent["domains"][0]):
        # Someone at a subsidiary writing from the parent's domain names the subsidiary.
        company = r.choice([m["name"], m["base"], typo(r, m["base"])])
    website = ""
    if r.random() < 0.12 and m["domains"]:
        website = r.choice(
            [f"https://www.{m['domains'][0]}/", f"www.{m['domains'][0]}", m["domains"][0]]
        )
    country = (
        m["country"]
        if r.random() < 0.75
        else (r.choice(list(COUNTRIES)) if r.random() < 0.2 else "")
    )
    phone = ""
    if m["phone"] and r.random() < 0.2:
        phone = m["phone"].replace(" ", r.choice(["", "-", " "]))
    return {"id": lid, "first_name": first, "last_name": last, "email": email,
            "company": company, "website": website, "country": country, "phone": phone,
            "city": m["city"] if r.random() < 0.4 else ""}  # fmt: skip


# --- scoring -----------------------------------------------------------------------------------
def evaluate(decisions: pd.DataFrame, truth: dict[str, str]) -> dict:
    t = decisions["lead_id"].map(truth).fillna("")
    auto = decisions["decision"] == "auto"
    correct = auto & (decisions["account_id"] == t)
    positives = int((t != "").sum())
    n_auto = int(auto.sum())
    review = decisions["decision"] == "review"
    return {
        "leads": len(decisions),
        "with_account": positives,
        "auto": n_auto,
        "precision": round(int(correct.sum()) / n_auto, 4) if n_auto else 0.0,
        "recall": round(int(correct.sum()) / positives, 4) if positives else 0.0,
        "review_share": round(float(review.mean()), 4),
        "review_right_top": round(
            float((review & (decisions["account_id"] == t)).sum() / max(review.sum(), 1)), 4
        ),
    }


def run_ours(accounts: pd.DataFrame, leads: pd.DataFrame):
    """(decisions, wall seconds, CPU seconds incl. the forked child, stage timings, pairs)."""
    import resource

    from matching.engine import match

    def cpu() -> float:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    c0, t0 = cpu(), time.perf_counter()
    result = match(accounts, leads)
    wall, used = time.perf_counter() - t0, cpu() - c0
    return result.decisions, wall, used, result.timings, result.pairs


def recall_identifiable(decisions: pd.DataFrame, leads: pd.DataFrame, truth: dict) -> float:
    """Recall over leads that carry any clue (corporate email, usable company, website)."""
    from matching.normalize import email_domain, is_free_email_domain, is_junk_company_name

    lf = leads.set_index("id")
    clue = []
    for lid in decisions["lead_id"]:
        row = lf.loc[lid]
        d = email_domain(row["email"])
        clue.append(
            bool(d and not is_free_email_domain(d))
            or not is_junk_company_name(row["company"])
            or bool(row["website"])
        )
    clue = np.array(clue)
    t = decisions["lead_id"].map(truth).fillna("").to_numpy()
    ok = (decisions["decision"].to_numpy() == "auto") & (decisions["account_id"].to_numpy() == t)
    pos = (t != "") & clue
    return round(float(ok[pos].sum() / max(pos.sum(), 1)), 4)


def run_match_file(accounts: pd.DataFrame, leads: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """The real command end to end (CSV in, CSV out), in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        a, lp, out = Path(tmp, "a.csv"), Path(tmp, "l.csv"), Path(tmp, "out.csv")
        accounts.to_csv(a, index=False)
        leads.to_csv(lp, index=False)
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "match_file", "--accounts", str(a),
             "--leads", str(lp), "--out", str(out)],
            check=True, cwd=ROOT, env={**os.environ, "DEBUG": os.environ.get("DEBUG", "1")},
        )  # fmt: skip
        elapsed = time.perf_counter() - t0
        return pd.read_csv(out, dtype=str, keep_default_na=False), elapsed


def run_baseline(accounts: pd.DataFrame, leads: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """The naive forty-line script: domain lookup, then exact or fuzzy normalised name."""
    from rapidfuzz import fuzz, process

    from matching.normalize import email_domain, is_free_email_domain, normalize_company_name

    t0 = time.perf_counter()
    by_domain: dict[str, str] = {}
    for aid, doms in zip(accounts["id"], accounts["domains"].fillna(""), strict=True):
        for d in str(doms).split(";"):
            if d:
                by_domain.setdefault(d.lower(), aid)
    names = [normalize_company_name(n) for n in accounts["name"].fillna("")]
    by_name = {n: aid for n, aid in zip(names, accounts["id"], strict=True) if n}
    out = []
    for lid, email, company in zip(
        leads["id"], leads["email"].fillna(""), leads["company"].fillna(""), strict=True
    ):
        d = email_domain(email)
        if d and not is_free_email_domain(d) and d in by_domain:
            out.append((lid, by_domain[d], 1.0, "auto"))
            continue
        n = normalize_company_name(company)
        if not n:
            out.append((lid, "", 0.0, "none"))
        elif n in by_name:
            out.append((lid, by_name[n], 0.95, "auto"))
        else:
            hit = process.extractOne(n, names, scorer=fuzz.token_sort_ratio, score_cutoff=90)
            if hit:
                out.append((lid, accounts["id"].iat[hit[2]], hit[1] / 100, "auto"))
            else:
                out.append((lid, "", 0.0, "none"))
    df = pd.DataFrame(out, columns=["lead_id", "account_id", "confidence", "decision"])
    return df, time.perf_counter() - t0


def run_splink(accounts: pd.DataFrame, leads: pd.DataFrame, truth: dict[str, str]) -> dict:
    """splink (Fellegi–Sunter, DuckDB) on the same data; best link per lead at p ≥ 0.9."""
    try:
        import splink.comparison_library as cl
        from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    except ImportError as exc:
        return {"error": f"splink not installed: {exc}"}
    from matching.normalize import email_domain, is_free_email_domain, normalize_company_name

    t0 = time.perf_counter()

    def frame(ids, names, doms, countries):
        return pd.DataFrame(
            {
                "unique_id": ids,
                "name": [normalize_company_name(n) or None for n in names],
                "domain": doms,
                "country": [c or None for c in countries],
            }
        )

    a = accounts.fillna("")
    first_dom = [(str(d).split(";")[0] or None) if d else None for d in a["domains"]]
    left = frame(a["id"], a["name"], first_dom, a["country"])
    ld = leads.fillna("")
    doms = []
    for e in ld["email"]:
        d = email_domain(e)
        doms.append(d if d and not is_free_email_domain(d) else None)
    right = frame(ld["id"], ld["company"], doms, ld["country"])
    left["name_prefix"] = left["name"].str[:4]
    right["name_prefix"] = right["name"].str[:4]
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("name", [0.95, 0.88, 0.8]),
            cl.ExactMatch("domain"),
            cl.ExactMatch("country"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("domain"),
            block_on("name"),
            block_on("name_prefix"),
        ],
    )
    try:
        db_api = DuckDBAPI()
        linker = Linker(
            [
                db_api.register(left, table_name="accounts"),
                db_api.register(right, table_name="leads"),
            ],
            settings,
        )
        linker.training.estimate_probability_two_random_records_match(
            [block_on("domain")], recall=0.8
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("domain"))
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("name"))
        pred = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    except Exception as exc:  # noqa: BLE001 - report, the rest of the bench still runs
        return {"error": f"{type(exc).__name__}: {exc}"[:300]}
    elapsed = time.perf_counter() - t0
    # Orient each pair as (lead, account), best account per lead.
    if len(pred):
        lead_ids = set(leads["id"])
        l_col = np.where(
            pred["unique_id_r"].isin(lead_ids), pred["unique_id_r"], pred["unique_id_l"]
        )
        a_col = np.where(
            pred["unique_id_r"].isin(lead_ids), pred["unique_id_l"], pred["unique_id_r"]
        )
        p = pd.DataFrame({"lead_id": l_col, "account_id": a_col, "p": pred["match_probability"]})
        best = p.sort_values("p", ascending=False).drop_duplicates("lead_id")
    else:
        best = pd.DataFrame(columns=["lead_id", "account_id", "p"])
    dec = leads[["id"]].rename(columns={"id": "lead_id"}).merge(best, on="lead_id", how="left")
    dec["account_id"] = dec["account_id"].fillna("")
    # Splink's own threshold is a choice too: report the one with the best F1.
    results = []
    for threshold in (0.5, 0.8, 0.9, 0.95, 0.99):
        dec["decision"] = np.where(dec["p"].fillna(0) >= threshold, "auto", "none")
        m = evaluate(dec, truth)
        results.append({**m, "f1": f1_of(m), "threshold": threshold})
    top = max(results, key=lambda r: r["f1"])
    return {**top, "seconds": round(elapsed, 2)}


def f1_of(m: dict) -> float:
    return round(2 * m["precision"] * m["recall"] / max(m["precision"] + m["recall"], 1e-9), 4)


# --- fitting ------------------------------------------------------------------------------------
def fit(n: int = 30000) -> dict:
    """Fit the logistic regression on TUNE_SEED pairs and write matching/engine/weights.json."""
    from sklearn.linear_model import LogisticRegression

    from matching.engine import MatchParams
    from matching.engine.candidates import generate as gen_pairs
    from matching.engine.features import FEATURES, compute
    from matching.engine.model import WEIGHTS_PATH
    from matching.engine.prepare import prepare_accounts, prepare_leads

    xs, ys = [], []
    for seed in (TUNE_SEED, TUNE_SEED + 1):
        accounts, leads, truth = generate(n, n, seed)
        acc, lds = prepare_accounts(accounts), prepare_leads(leads)
        lead, row, flags = gen_pairs(acc, lds, block_cap=MatchParams().block_cap)
        x = compute(acc, lds, lead, row, flags)
        t = np.array([truth[i] for i in lds.ids[lead]], dtype=object)
        y = (acc.ids[acc.row_account[row]] == t).astype(int)
        xs.append(x)
        ys.append(y)
    x, y = np.vstack(xs), np.concatenate(ys)
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(x, y)
    data = {
        "features": list(FEATURES),
        "coef": [round(float(c), 5) for c in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 5),
        "fitted_by": "bench/match_bench.py --fit",
        "training": {"seeds": [TUNE_SEED, TUNE_SEED + 1], "accounts": n, "leads": n,
                     "pairs": int(len(y)), "positives": int(y.sum())},
    }  # fmt: skip
    WEIGHTS_PATH.write_text(json.dumps(data, indent=1) + "\n")

    # Calibrate the best candidate's score: P(best account is the lead's account).
    from matching.engine import match
    from matching.engine.model import load_model

    load_model.cache_clear()
    zs, ok = [], []
    for seed in (TUNE_SEED, TUNE_SEED + 1):
        accounts, leads, truth = generate(n, n, seed)
        res = match(accounts, leads, params=MatchParams(auto_threshold=1.0, review_threshold=0.0))
        best = res.best_pair_score
        has = best > 0
        zs.append(np.log(best[has] / np.maximum(1 - best[has], 1e-12)))
        t = res.decisions["lead_id"].map(truth).to_numpy()[has]
        ok.append((res.decisions["account_id"].to_numpy()[has] == t).astype(int))
    cal = LogisticRegression(C=100.0).fit(np.concatenate(zs).reshape(-1, 1), np.concatenate(ok))
    data["calibration"] = {
        "slope": round(float(cal.coef_[0][0]), 5),
        "intercept": round(float(cal.intercept_[0]), 5),
    }
    WEIGHTS_PATH.write_text(json.dumps(data, indent=1) + "\n")
    load_model.cache_clear()
    return data


def independent(accounts_n: int, seed: int) -> dict:
    """Data the matcher was never tuned on: the demo generator's Salesforce-style accounts and
    HubSpot-style leads, with its answer key, mapped to `match_file`'s columns."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "demo_data", "--out", tmp,
             "--accounts", str(accounts_n), "--seed", str(seed)],
            check=True, cwd=ROOT, capture_output=True,
            env={**os.environ, "DEBUG": os.environ.get("DEBUG", "1")},
        )  # fmt: skip
        read = lambda name: pd.read_csv(Path(tmp, name), dtype=str, keep_default_na=False)  # noqa: E731
        acc, lds, key = read("accounts.csv"), read("leads.csv"), read("leads_truth.csv")
    accounts = pd.DataFrame(
        {"id": acc["Id"], "name": acc["Name"], "domains": "", "website": acc["Website"],
         "country": acc["BillingCountry"], "phone": acc["Phone"], "city": acc["BillingCity"]}
    )  # fmt: skip
    leads = pd.DataFrame(
        {"id": lds["Record ID"], "email": lds["Email"], "company": lds["Company Name"],
         "website": lds["Website URL"], "country": lds["Country/Region"],
         "phone": lds["Phone Number"], "city": ""}
    )  # fmt: skip
    truth = dict(zip(key["lead_id"], key["account_id"], strict=True))
    dec, secs, _cpu, _stages, _pairs = run_ours(accounts, leads)
    ours = {**evaluate(dec, truth), "seconds": round(secs, 2)}
    ours["f1"] = f1_of(ours)
    bdec, bsecs = run_baseline(accounts, leads)
    base = {**evaluate(bdec, truth), "seconds": round(bsecs, 2)}
    base["f1"] = f1_of(base)
    return {"data": f"demo_data --accounts {accounts_n} --seed {seed}", "accounts": len(accounts),
            "ours": ours, "baseline": base}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--seed", type=int, default=HELD_SEED)
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("--splink", action="store_true", help="also run splink (at sizes ≤ 20k)")
    ap.add_argument("--baseline-max", type=int, default=20000)
    ap.add_argument("--cli", action="store_true", help="time the match_file command too")
    ap.add_argument("--write", help="write accounts.csv, leads.csv, truth.csv into this folder")
    ap.add_argument(
        "--independent", type=int, metavar="N",
        help="only the independent check: demo_data with N accounts (seed 7) as the data",
    )  # fmt: skip
    args = ap.parse_args()

    if args.independent:
        print(json.dumps(independent(args.independent, seed=7)))
        return
    if args.fit:
        print(json.dumps(fit(), indent=1))
        return
    for size in [int(s) for s in args.sizes.split(",")]:
        accounts, leads, truth = generate(size, size, args.seed)
        if args.write:
            out = Path(args.write)
            out.mkdir(parents=True, exist_ok=True)
            accounts.to_csv(out / "accounts.csv", index=False)
            leads.to_csv(out / "leads.csv", index=False)
            pd.Series(truth, name="account_id").rename_axis("lead_id").to_csv(out / "truth.csv")
            continue
        load = os.getloadavg()[0]
        print(f"# size {size}: generated; load {load:.1f}", file=sys.stderr, flush=True)
        dec, secs, cpu_secs, stages, pairs = run_ours(accounts, leads)
        ours = {
            **evaluate(dec, truth),
            "seconds": round(secs, 2),
            "cpu_seconds": round(cpu_secs, 2),
        }
        ours["stages"], ours["pairs"] = stages, pairs
        ours["recall_identifiable"] = recall_identifiable(dec, leads, truth)
        ours["f1"] = f1_of(ours)
        report = {"size": size, "seed": args.seed, "load_1m": round(load, 2),
                  "load_1m_after": round(os.getloadavg()[0], 2), "ours": ours}  # fmt: skip
        if args.cli:
            cdec, csecs = run_match_file(accounts, leads)
            report["match_file"] = {**evaluate(cdec, truth), "seconds": round(csecs, 2)}
        if size <= args.baseline_max:
            bdec, bsecs = run_baseline(accounts, leads)
            base = {**evaluate(bdec, truth), "seconds": round(bsecs, 2)}
            base["f1"] = f1_of(base)
            report["baseline"] = base
        if args.splink and size <= 20000:
            report["splink"] = run_splink(accounts, leads, truth)
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
