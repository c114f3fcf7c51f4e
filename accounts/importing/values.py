"""Parse the values CRM exports hold into what the models store. Pure functions, no database.

Each parser takes the cell text and returns the value, `None` for an empty cell, or raises
`ValueError` with a message a person understands (it goes into the error report as-is).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\x00")

_CURRENCY_WORDS = re.compile(r"\b(?:USD|EUR|GBP|CHF|CAD|AUD|JPY|SEK|NOK|DKK|INR|BRL|MXN)\b", re.I)
_SCALE = {
    "k": Decimal(1_000),
    "m": Decimal(1_000_000),
    "mm": Decimal(1_000_000),
    "b": Decimal(10**9),
    "bn": Decimal(10**9),
}
_AMOUNT_SHAPE = re.compile(r"^(?P<num>\d[\d.,' ]*)(?P<scale>k|m|mm|b|bn)?$", re.I)


def neutralise(cell: object) -> object:
    """A cell as it should appear in any CSV we export: formulas defused with a leading quote.

    Values are stored exactly as they came; only exports (error report, CSV downloads) pass
    through here, so a spreadsheet opening them never runs `=HYPERLINK(…)` and friends.
    """
    if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES):
        return "'" + cell
    return cell


def clean_text(value: str) -> str:
    """Trim surrounding whitespace, except a leading tab or CR (kept as typed, like formulas).

    NUL, which PostgreSQL text cannot hold, is shown as ␀.
    """
    value = value.rstrip() if value[:1] in ("\t", "\r") and value[:1] else value.strip()
    return value.replace("\x00", "\u2400") if "\x00" in value else value


def parse_amount(value: str) -> Decimal | None:
    """`$1,200,000.00`, `1.200.000,00 €`, `(1,200)`, `1.5M`, `USD 250k` → Decimal."""
    text = value.strip()
    if not text:
        return None
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    text = _CURRENCY_WORDS.sub("", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Sc")  # $ € £ ¥ ₹ …
    text = text.replace("\u00a0", " ").replace("\u202f", " ").strip()
    if text.startswith("-"):
        negative, text = True, text[1:].strip()
    elif text.endswith("-"):
        negative, text = True, text[:-1].strip()
    match = _AMOUNT_SHAPE.match(text)
    if not match:
        raise ValueError(f"“{value}” is not an amount")
    number, scale = match["num"].replace(" ", "").replace("'", ""), (match["scale"] or "").lower()
    number = _normalise_separators(number, euro="€" in value)
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise ValueError(f"“{value}” is not an amount") from None
    if scale:
        amount *= _SCALE[scale]
    return -amount if negative else amount


def _normalise_separators(number: str, *, euro: bool) -> str:
    """One decimal point and no thousands separators, whichever convention the cell used."""
    commas, dots = number.count(","), number.count(".")
    if commas and dots:
        decimal_sep = "," if number.rfind(",") > number.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        return number.replace(thousands, "").replace(decimal_sep, ".")
    for sep, count in ((",", commas), (".", dots)):
        if not count:
            continue
        if count > 1:
            return number.replace(sep, "")
        head, tail = number.split(sep)
        # `1,200` is twelve hundred; `1,5` is one and a half; `1.200 €` is twelve hundred euros.
        is_thousands = len(tail) == 3 and head != "0" and (sep == "," or euro)
        return head + tail if is_thousands else f"{head}.{tail}"
    return number


def parse_int(value: str) -> int | None:
    amount = parse_amount(value)
    return None if amount is None else int(amount)


def parse_employees(value: str) -> int | None:
    """Head count or a band: `250`, `1,000`, `51-200` (→ 125), `10,001+` (→ 10001), `<10`."""
    text = (
        value.strip()
        .lower()
        .replace("employees", "")
        .replace("\u2013", "-")
        .replace("\u2014", "-")
        .strip()
    )
    if not text:
        return None
    text = re.sub(r"\s+to\s+", "-", text)
    band = re.fullmatch(r"([\d.,\s]+k?)\s*-\s*([\d.,\s]+k?)", text)
    try:
        if band:
            low, high = parse_int(band[1]), parse_int(band[2])
            if low is None or high is None or high < low:
                raise ValueError
            return (low + high) // 2
        if text.endswith("+"):
            return parse_int(text[:-1])
        if text.startswith(("<", "under ", "less than ")):
            top = parse_int(re.sub(r"^(<|under|less than)\s*", "", text))
            return max((top or 1) - 1, 1)
        number = parse_amount(text)
    except ValueError:
        raise ValueError(f"“{value}” is not a number of employees") from None
    if number is None or number < 0:
        raise ValueError(f"“{value}” is not a number of employees")
    return int(number)


_TRUE = {"true", "t", "yes", "y", "1", "x", "on", "checked", "won", "closed", "✓", "✔"}
_FALSE = {"false", "f", "no", "n", "0", "off", "unchecked", "open", "lost", ""}


def parse_bool(value: str) -> bool | None:
    text = value.strip().lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"“{value}” is not yes/no (expected true/false, yes/no or 1/0)")


_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$",
    re.I,
)
_NUMERIC = re.compile(
    r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2,4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)
_NAMED = re.compile(
    r"^(?:(\d{1,2})[\s-]+([a-z]{3,9})\.?[\s-]+(\d{4})|([a-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4}))(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]m)?)?$",
    re.I,
)


def _tz(offset: str | None) -> dt.tzinfo:
    if not offset or offset.upper() == "Z":
        return dt.UTC
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _hour(hour: str | None, ampm: str | None) -> int:
    h = int(hour or 0)
    if ampm:
        h = h % 12 + (12 if ampm.lower() == "pm" else 0)
    return h


def parse_datetime(value: str) -> dt.datetime | None:
    """ISO, Salesforce (`2024-03-05T14:22:10.000+0000`), US `03/05/2024 2:22 PM`, EU `05.03.2024`.

    Slashes are read month first (US CRMs) unless the first number cannot be a month; dots are
    read day first (European). Times without a zone are UTC. Returns an aware datetime.
    """
    text = value.strip()
    if not text:
        return None
    try:
        if m := _ISO.match(text):
            micro = int((m[7] or "0").ljust(6, "0"))
            return dt.datetime(
                int(m[1]),
                int(m[2]),
                int(m[3]),
                int(m[4] or 0),
                int(m[5] or 0),
                int(m[6] or 0),
                micro,
                tzinfo=_tz(m[8]),
            )
        if m := _NUMERIC.match(text):
            first, sep, second, year = int(m[1]), m[2], int(m[3]), int(m[4])
            if year < 100:
                year += 2000 if year < 70 else 1900
            day_first = sep == "." or (sep == "/" and first > 12) or (sep == "-" and first > 12)
            day, month = (first, second) if day_first else (second, first)
            return dt.datetime(
                year, month, day, _hour(m[5], m[8]), int(m[6] or 0), int(m[7] or 0), tzinfo=dt.UTC
            )
        if m := _NAMED.match(text):
            if m[1]:
                day, month_name, year = int(m[1]), m[2], int(m[3])
            else:
                month_name, day, year = m[4], int(m[5]), int(m[6])
            month = _MONTHS.get(month_name[:3].lower())
            if month is None:
                raise ValueError
            return dt.datetime(
                year, month, day, _hour(m[7], m[10]), int(m[8] or 0), int(m[9] or 0), tzinfo=dt.UTC
            )
        if re.fullmatch(r"\d{12,13}", text):  # HubSpot exports epoch milliseconds in some places
            return dt.datetime.fromtimestamp(int(text) / 1000, tz=dt.UTC)
    except ValueError:
        pass
    raise ValueError(f"“{value}” is not a date (use YYYY-MM-DD, MM/DD/YYYY or DD.MM.YYYY)")


def parse_date(value: str) -> dt.date | None:
    moment = parse_datetime(value)
    return None if moment is None else moment.date()


# Names people and CRMs write that pycountry does not know, keyed by `_country_key`.
COUNTRY_SYNONYMS = {
    "usa": "US",
    "us": "US",
    "america": "US",
    "unitedstatesofamerica": "US",
    "unitedstates": "US",
    "uk": "GB",
    "greatbritain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northernireland": "GB",
    "britain": "GB",
    "unitedkingdom": "GB",
    "deutschland": "DE",
    "allemagne": "DE",
    "germania": "DE",
    "alemania": "DE",
    "frankreich": "FR",
    "espana": "ES",
    "spanien": "ES",
    "italia": "IT",
    "italien": "IT",
    "holland": "NL",
    "thenetherlands": "NL",
    "nederland": "NL",
    "niederlande": "NL",
    "schweiz": "CH",
    "suisse": "CH",
    "svizzera": "CH",
    "osterreich": "AT",
    "oesterreich": "AT",
    "belgie": "BE",
    "belgique": "BE",
    "sverige": "SE",
    "norge": "NO",
    "danmark": "DK",
    "suomi": "FI",
    "polska": "PL",
    "ceskarepublika": "CZ",
    "czechrepublic": "CZ",
    "czechia": "CZ",
    "russia": "RU",
    "southkorea": "KR",
    "korea": "KR",
    "republicofkorea": "KR",
    "northkorea": "KP",
    "vietnam": "VN",
    "iran": "IR",
    "syria": "SY",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "taiwan": "TW",
    "macau": "MO",
    "hongkong": "HK",
    "ivorycoast": "CI",
    "cotedivoire": "CI",
    "turkey": "TR",
    "turkiye": "TR",
    "uae": "AE",
    "emirates": "AE",
    "brasil": "BR",
    "mexico": "MX",
    "prc": "CN",
    "mainlandchina": "CN",
    "capeverde": "CV",
    "swaziland": "SZ",
    "burma": "MM",
    "macedonia": "MK",
    "palestine": "PS",
    "vatican": "VA",
    "holysee": "VA",
    "micronesia": "FM",
    "congo": "CG",
    "drc": "CD",
    "democraticrepublicofthecongo": "CD",
    "nippon": "JP",
    "zhongguo": "CN",
    "bharat": "IN",
}


def _country_key(value: str) -> str:
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"^the\s+", "", text)
    return re.sub(r"[^a-z]", "", text)


@lru_cache(maxsize=4096)
def parse_country(value: str) -> str | None:
    """Any spelling of a country → ISO 3166-1 alpha-2 (`Germany`, `DEU`, `Deutschland` → `DE`)."""
    text = value.strip()
    if not text:
        return None
    import pycountry

    key = _country_key(text)
    if key in COUNTRY_SYNONYMS:
        return COUNTRY_SYNONYMS[key]
    found = None
    if len(key) in (2, 3) and key.isalpha():
        found = (
            pycountry.countries.get(alpha_2=key.upper())
            if len(key) == 2
            else pycountry.countries.get(alpha_3=key.upper())
        )
    if found is None:
        try:
            found = pycountry.countries.lookup(text)
        except LookupError:
            found = _country_by_key().get(key)
    if found is None:
        raise ValueError(f"“{value}” is not a country we recognise (use a name or an ISO code)")
    return found if isinstance(found, str) else found.alpha_2


@lru_cache(maxsize=1)
def _country_by_key() -> dict[str, str]:
    import pycountry

    out: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if name:
                out.setdefault(_country_key(name), country.alpha_2)
                out.setdefault(_country_key(name.split(",")[0]), country.alpha_2)
    return out


def account_domain(value: str) -> str:
    """The registrable domain of a domain or website cell, through the normaliser matching uses."""
    text = value.strip()
    if not text:
        return ""
    from matching.normalize import registrable_domain

    return registrable_domain(text) or ""


def parse_domain(value: str) -> str | None:
    """A domain column's cell: its registrable domain, or `ValueError` when it has none."""
    if not value.strip():
        return None
    domain = account_domain(value)
    if not domain:
        raise ValueError(f"“{value}” is not a domain or website")
    return domain


EMAIL_RE = _EMAIL = re.compile(
    r"^[^@\s<>(),;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


def parse_email(value: str) -> str | None:
    """Lower-cased address; `Name <a@b.com>` and `mailto:` forms accepted."""
    text = value.strip()
    if not text:
        return None
    if "<" in text and text.endswith(">"):
        text = text[text.rindex("<") + 1 : -1]
    text = text.removeprefix("mailto:").strip().lower()
    if not _EMAIL.match(text):
        raise ValueError(f"“{value}” is not an email address")
    return text


def parse_technologies(value: str) -> list[str]:
    """`Salesforce; HubSpot, Snowflake` → ["Salesforce", "HubSpot", "Snowflake"] (order kept, deduped)."""
    seen: dict[str, str] = {}
    for part in re.split(r"[;,|\n]", value):
        part = part.strip()
        if part:
            seen.setdefault(part.casefold(), part)
    return list(seen.values())


def parse_tier(value: str) -> int | None:
    """`1`, `Tier 1`, `T2`, `tier-3` → 1..3."""
    text = value.strip().lower()
    if not text:
        return None
    match = re.fullmatch(r"(?:tier|t)?[\s_-]*([1-3])", text)
    if not match:
        raise ValueError(f"“{value}” is not a tier (1, 2 or 3)")
    return int(match[1])


_SENIORITY = (
    (
        "c_level_vp",
        re.compile(
            r"\b(chief|ceo|cfo|cto|cmo|coo|cio|ciso|cro|cpo|founder|owner|president|vp|svp|evp|avp|vice[\s-]president|head of|partner|managing director|general manager)\b",
            re.I,
        ),
    ),
    ("director", re.compile(r"\b(director|dir\.?)\b", re.I)),
)


@lru_cache(maxsize=65536)
def title_seniority(title: str) -> str:
    """Buying-committee level from a job title: c_level_vp, director, practitioner or unknown."""
    if not title.strip():
        return "unknown"
    for level, pattern in _SENIORITY:
        if pattern.search(title):
            return level
    return "practitioner"


_LEAD_STATUS = {
    # HubSpot lifecycle stages and lead statuses
    "subscriber": "new",
    "lead": "new",
    "new": "new",
    "open": "new",
    "open - not contacted": "new",
    "marketingqualifiedlead": "mql",
    "marketing qualified lead": "mql",
    "mql": "mql",
    "salesqualifiedlead": "sql",
    "sales qualified lead": "sql",
    "sql": "sql",
    "opportunity": "sql",
    "in_progress": "sal",
    "in progress": "sal",
    "attempted_to_contact": "sal",
    "connected": "sal",
    "open_deal": "sql",
    "working - contacted": "sal",
    "working": "sal",
    "contacted": "sal",
    "sal": "sal",
    "accepted": "sal",
    "closed - converted": "sql",
    "converted": "sql",
    "qualified": "sql",
    "unqualified": "disqualified",
    "bad_timing": "disqualified",
    "closed - not converted": "disqualified",
    "disqualified": "disqualified",
    "nurture": "new",
    "customer": "sql",
    "evangelist": "sql",
    "other": "new",
}


def parse_lead_status(value: str) -> str | None:
    """A CRM lifecycle stage or lead status → new|mql|sal|sql|disqualified (None if unknown)."""
    text = value.strip().lower()
    if not text:
        return None
    return (
        _LEAD_STATUS.get(text)
        or _LEAD_STATUS.get(text.replace(" ", ""))
        or _LEAD_STATUS.get(text.replace("_", " "))
    )


_CHANNELS = {
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "ads": "ads",
    "ad": "ads",
    "paid": "ads",
    "display": "ads",
    "linkedin ads": "ads",
    "paid social": "ads",
    "web": "web",
    "website": "web",
    "organic": "web",
    "events": "events",
    "event": "events",
    "webinar": "webinars",
    "webinars": "webinars",
    "direct_mail": "direct_mail",
    "direct mail": "direct_mail",
    "sdr_outreach": "sdr_outreach",
    "sdr outreach": "sdr_outreach",
    "outreach": "sdr_outreach",
    "call": "sdr_outreach",
    "phone": "sdr_outreach",
}


def parse_channel(value: str) -> str | None:
    text = value.strip().lower()
    if not text:
        return None
    if text in _CHANNELS:
        return _CHANNELS[text]
    raise ValueError(
        f"“{value}” is not a channel (email, ads, web, events, webinars, direct mail, SDR outreach)"
    )
