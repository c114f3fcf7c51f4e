"""Comparable forms of the fields leads and accounts are matched on. Pure, no database.

Other apps call the four stable entry points: `registrable_domain`, `email_domain`,
`is_free_email_domain` and `normalize_company_name` (str in, str/bool out). The engine also uses
the richer `name_parts`, `is_junk_company_name`, `normalize_phone` and `normalize_country`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import tldextract

from matching.freemail import DISPOSABLE_EMAIL_DOMAINS, FREE_EMAIL_DOMAINS, PROVIDER_NAMES

# Only the public-suffix snapshot bundled with tldextract: no network, no cache directory.
_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)


def _load_suffixes() -> frozenset[str]:
    try:
        return frozenset(_TLD._get_tld_extractor().tlds_excl_private)
    except Exception:  # noqa: BLE001 - private API; the slow path below still works without it
        return frozenset()


_SUFFIXES = _load_suffixes()
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://")
_HOST_OK = re.compile(r"^[\w.\-]+$")


def _fast_registrable(host: str) -> str | None:
    """The public-suffix rule for hosts that touch no wildcard or exception rule; else None."""
    if not _SUFFIXES:
        return None
    if host.startswith("www."):
        host = host[4:]
    labels = host.split(".")
    n = len(labels)
    if n == 2:  # the common case, acme.com
        tld = labels[1]
        if tld in _SUFFIXES and "*." + tld not in _SUFFIXES and host not in _SUFFIXES:
            return host
    # Longest suffix first: labels[i:] is the public suffix, labels[i-1] the registrable label.
    for i in range(1, n):
        suffix = ".".join(labels[i:])
        if "*." + suffix in _SUFFIXES or "!" + ".".join(labels[i - 1 :]) in _SUFFIXES:
            return None
        if suffix in _SUFFIXES:
            if "*." + ".".join(labels[i + 1 :]) in _SUFFIXES:
                return None
            return ".".join(labels[i - 1 :])
    return None


@lru_cache(maxsize=300_000)
def registrable_domain(value: str) -> str:
    """`https://www.shop.acme.co.uk/x` → `acme.co.uk`; '' when there is no registrable domain."""
    if not value:
        return ""
    host = value.strip().lower()
    host = _SCHEME.sub("", host)
    for sep in "/?#":
        host = host.split(sep, 1)[0]
    host = host.rsplit("@", 1)[-1]
    host = host.split(":", 1)[0].strip().strip(".")
    if not host or "." not in host or not _HOST_OK.match(host):
        return ""
    fast = _fast_registrable(host)
    if fast is not None:
        return fast
    ext = _TLD(host)
    if ext.domain and ext.suffix:
        return f"{ext.domain}.{ext.suffix}"
    return ""


def email_domain(email: str) -> str:
    """`Ann@Mail.Acme.co.uk` → `acme.co.uk`; '' for anything that is not an address."""
    if not email or "@" not in email:
        return ""
    host = email.strip().rsplit("@", 1)[1].strip().strip("<>").lower()
    if not host or " " in host:
        return ""
    return registrable_domain(host)


def is_free_email_domain(domain: str) -> bool:
    """True for personal (gmail.com, yahoo.co.uk, qq.com…) and disposable mail providers."""
    if not domain:
        return False
    d = domain.strip().lower()
    if d in FREE_EMAIL_DOMAINS or d in DISPOSABLE_EMAIL_DOMAINS:
        return True
    reg = registrable_domain(d)
    return reg in FREE_EMAIL_DOMAINS or reg in DISPOSABLE_EMAIL_DOMAINS


def domain_label(domain: str) -> str:
    """The name part of a registrable domain: `goldman-sachs.co.uk` → `goldmansachs`."""
    if not domain:
        return ""
    reg = registrable_domain(domain) or domain
    return reg.split(".", 1)[0].replace("-", "")


# --- company names ---------------------------------------------------------------------------

# Legal forms, as token sequences after punctuation is gone ("S.A." → "sa", "Pty. Ltd." → "pty ltd").
_LEGAL_FORMS = {
    # English-speaking world
    "inc", "incorporated", "corp", "corporation", "co", "cos", "company", "llc", "l l c",
    "llp", "lp", "ltd", "limited", "plc", "pllc", "pc", "pty", "pty ltd", "proprietary limited",
    "pte", "pte ltd", "pvt", "pvt ltd", "private limited", "co ltd", "co inc", "corp ltd",
    # German-speaking
    "gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "ug", "ev", "e v", "gmbh co kg", "co kg",
    "ag co kg", "se", "gesmbh",
    # Romance languages, Latin America
    "sa", "sas", "sasu", "sarl", "sca", "snc", "eurl", "sl", "slu", "sau", "srl", "spa",
    "sapa", "scarl", "scrl", "lda", "ltda", "sa de cv", "sab de cv", "s de rl de cv",
    "s de rl", "de cv", "sa cv", "eireli", "me", "epp",
    # Benelux, Nordics
    "bv", "nv", "bvba", "vof", "cv", "cvba", "ab", "ab publ", "publ", "oy", "oyj", "as", "asa",
    "aps", "a s", "hf", "ehf", "ky",
    # Central and Eastern Europe
    "sp z o o", "sp z oo", "spzoo", "sp zoo", "sa sp k", "sro", "s r o", "spol s r o", "kft",
    "zrt", "nyrt", "bt", "doo", "d o o", "dd", "ad", "ead", "ood", "sha", "sia",
    "uab", "ou", "jsc", "pjsc", "ojsc", "cjsc", "ooo", "zao", "oao", "pao", "ao", "tov",
    "ооо", "зао", "оао", "пао", "ао", "тов",
    # Asia, Middle East, Africa
    "kk", "yk", "gk", "tk", "sdn bhd", "bhd", "berhad", "tbk", "pt", "pt tbk", "ltd sti",
    "san ve tic as", "wll", "llc fz", "fze", "fzco", "fz llc",
}  # fmt: skip
_LEADING_LEGAL = {"the", "pt", "ooo", "zao", "oao", "pao", "ao", "tov", "ооо", "зао", "оао", "пао", "ао", "тов", "kk"}  # fmt: skip
_LEGAL_SEQS = sorted((tuple(f.split()) for f in _LEGAL_FORMS), key=lambda t: len(t), reverse=True)
_MAX_LEGAL_LEN = max(len(t) for t in _LEGAL_SEQS)
_LEGAL_SET = set(_LEGAL_SEQS)
_LEGAL_LAST = {t[-1] for t in _LEGAL_SEQS} | {"the"}

# Legal forms written without spaces in CJK names, removed wherever they stand.
_CJK_LEGAL = sorted(
    [
        "株式会社", "(株)", "有限会社", "合同会社", "合資会社", "合名会社", "(有)",
        "股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "股份公司", "公司",
        "주식회사", "(주)", "유한회사", "㈜",
    ],
    key=len,
    reverse=True,
)  # fmt: skip
_CJK_WEAK = ("集团", "集團", "グループ", "그룹", "控股")

# Tokens that say little about *which* company: kept, but weighed less and left out of the core.
WEAK_TOKENS = frozenset({
    "group", "groupe", "gruppe", "grupo", "gruppo", "groep", "holding", "holdings", "intl",
    "international", "internacional", "global", "worldwide", "enterprises",
    "industries", "stores", "集团", "集團", "グループ", "그룹", "控股",
})  # fmt: skip
_ACRONYM_SKIP = frozenset({"of", "the", "for", "de", "du", "des", "la", "le", "der", "die"})

_JUNK_NAMES = frozenset({
    "", "na", "n a", "nan", "none", "null", "nil", "no", "nope", "self", "self employed",
    "selfemployed", "myself", "me", "student", "students", "unemployed", "retired",
    "freelance", "freelancer", "independent", "independent consultant", "consultant",
    "private", "personal", "individual", "home", "homemaker", "housewife", "test", "testing",
    "unknown", "not applicable", "not available", "no company", "nocompany", "company",
    "x", "xx", "xxx", "xyz", "asdf", "abc", "other", "others", "various", "confidential",
    "private person", "none yet", "looking", "job seeker", "tbd", "tba", "0", "-",
})  # fmt: skip

_SPECIAL_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ı": "i", "þ": "th", "ð": "d"}
)
_DOTTED = re.compile(r"\b(?:\w\.)+\w\b\.?")
_APOS = re.compile(r"['’‘`´]")
_SHORT_AMP = re.compile(r"\b(\w{1,2})\s*[&+]\s*(\w{1,2})\b")
_AMP = re.compile(r"\s*[&+]\s*")
_PUNCT = re.compile(r"[^\w\s]|_")
# ASCII fast path: one str.translate instead of a regex pass.
_ASCII_PUNCT = str.maketrans(dict.fromkeys('!"#$%()*,-./:;<=>?@[\\]^_{|}~', " "))


def _fold(text: str) -> str:
    """Case, width and accents: `ＡＣＭＥ Société` → `acme societe`."""
    s = unicodedata.normalize("NFKC", text).casefold()
    if s.isascii():
        return s
    for form in _CJK_LEGAL:
        if form in s:
            s = s.replace(form, " ")
    for weak in _CJK_WEAK:
        if weak in s:
            s = s.replace(weak, f" {weak} ")
    s = s.translate(_SPECIAL_LETTERS)
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", s)


def _strip_legal(tokens: list[str]) -> list[str]:
    if tokens[-1:] and tokens[-1] not in _LEGAL_LAST and tokens[0] not in _LEADING_LEGAL:
        return tokens
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for size in range(min(_MAX_LEGAL_LEN, len(tokens) - 1), 0, -1):
            if tuple(tokens[-size:]) in _LEGAL_SET:
                tokens = tokens[:-size]
                changed = True
                break
    while len(tokens) > 1 and tokens[0] in _LEADING_LEGAL:
        tokens = tokens[1:]
    # A trailing "the" or legal form left alone by the rules above, e.g. "Acme, The".
    while len(tokens) > 1 and tokens[-1] == "the":
        tokens = tokens[:-1]
    return tokens


@lru_cache(maxsize=300_000)
def _tokens(name: str) -> tuple[str, ...]:
    if not name:
        return ()
    s = _fold(name)
    if "." in s:
        s = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), s)
    if "'" in s or not s.isascii():
        s = _APOS.sub("", s)
    if "&" in s or "+" in s:
        s = _SHORT_AMP.sub(r"\1\2", s)
        s = _AMP.sub(" and ", s)
    s = s.translate(_ASCII_PUNCT).replace("`", "") if s.isascii() else _PUNCT.sub(" ", s)
    tokens = [t for t in s.split() if t != "and" and t != "und"]
    return tuple(_strip_legal(tokens))


def normalize_company_name(name: str) -> str:
    """Comparable company name: `The Wal-Mart Stores, Inc.` → `wal mart stores`."""
    return " ".join(_tokens(name or ""))


@dataclass(frozen=True, slots=True)
class NameParts:
    normalized: str  # all tokens, legal forms gone: "acme holdings"
    core: str  # weak tokens gone too (unless nothing would be left): "acme"
    key: str  # core without spaces, for exact lookups and domain labels: "walmart"
    acronym: str  # first letters of the tokens when there are 2+: "ibm"
    tokens: tuple[str, ...]


@lru_cache(maxsize=300_000)
def name_parts(name: str) -> NameParts:
    tokens = _tokens(name or "")
    core_tokens = tuple(t for t in tokens if t not in WEAK_TOKENS) or tokens
    acronym_src = [t for t in tokens if t not in _ACRONYM_SKIP]
    acronym = "".join(t[0] for t in acronym_src) if len(acronym_src) >= 2 else ""
    core = " ".join(core_tokens)
    return NameParts(
        normalized=" ".join(tokens),
        core=core,
        key=core.replace(" ", ""),
        acronym=acronym,
        tokens=tokens,
    )


def is_junk_company_name(name: str) -> bool:
    """`n/a`, `self`, `student`, `-`, `Gmail`… say nothing about an employer and never match."""
    normalized = normalize_company_name(name or "")
    if normalized in _JUNK_NAMES or normalized in PROVIDER_NAMES:
        return True
    squashed = normalized.replace(" ", "")
    return len(squashed) < 2 or squashed.isdigit()


def account_name_variants(name: str) -> list[str]:
    """A name and the other-script name written beside it: `トヨタ自動車 (Toyota Motor)`."""
    if not name:
        return []
    if not any(c in name for c in "(/|（"):
        return [name]
    variants = [name]
    parts = [p.strip() for p in re.split(r"\s+[/|]\s+|\s*[()（）]\s*", name) if p and p.strip()]
    if len(parts) > 1:
        variants.extend(p for p in parts if p != name and not is_junk_company_name(p))
    return variants


# --- phone and country -----------------------------------------------------------------------

_NON_DIGIT = re.compile(r"\D")


def normalize_phone(phone: str) -> str:
    """The last nine digits (the subscriber part survives +44/0044/0 prefixes); '' if short."""
    if not phone:
        return ""
    digits = _NON_DIGIT.sub("", phone.split("x")[0].split("ext")[0])
    return digits[-9:] if len(digits) >= 7 else ""


_COUNTRY_ALIASES = {
    "usa": "US", "us": "US", "u s": "US", "u s a": "US", "united states of america": "US",
    "america": "US", "uk": "GB", "u k": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "great britain": "GB", "britain": "GB", "deutschland": "DE",
    "holland": "NL", "the netherlands": "NL", "espana": "ES", "españa": "ES", "schweiz": "CH",
    "suisse": "CH", "osterreich": "AT", "österreich": "AT", "russia": "RU", "south korea": "KR",
    "korea": "KR", "czech republic": "CZ", "uae": "AE", "nippon": "JP", "brasil": "BR",
}  # fmt: skip


@lru_cache(maxsize=4096)
def normalize_country(value: str) -> str:
    """ISO 3166 alpha-2 for `DE`, `Germany`, `Deutschland`, `U.S.A.`; '' when unknown."""
    if not value:
        return ""
    v = value.strip()
    if len(v) == 2 and v.isalpha():
        return "GB" if v.upper() == "UK" else v.upper()
    key = re.sub(r"[^\w\s]", "", v.casefold()).strip()
    key = re.sub(r"\s+", " ", key)
    if key in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[key]
    import pycountry  # imported lazily: loading its database costs ~100 ms

    try:
        return pycountry.countries.lookup(v).alpha_2
    except LookupError:
        try:
            return pycountry.countries.search_fuzzy(v)[0].alpha_2
        except LookupError:
            return ""


def normalize_city(value: str) -> str:
    return " ".join(_PUNCT.sub(" ", _fold(value or "")).split())
