"""Company names, domains and the ways people mistype them.

Every company gets a name built from word parts in its country's language and a domain derived
from it. Names and domains are kept unique across a run through one set of folded keys, so the
answer key for lead matching is never ambiguous: two accounts never share a domain or a name
that folds to the same letters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from accounts.demo import vocab

_GERMAN_FOLD = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)
_NON_ALNUM = str.maketrans("", "", " -&'.,()/")
_VOWELS = frozenset("aeiouy")
_GENERIC_FIRST = frozenset({"Société", "Compagnie", "Groupe", "Grupo", "Gruppo"})


def ascii_fold(text: str) -> str:
    """`Müller` → `Mueller`, `Société` → `Societe`; drops what has no ASCII form."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text.translate(_GERMAN_FOLD))
    return text.encode("ascii", "ignore").decode("ascii")


def fold_key(text: str) -> str:
    """Lower-case letters and digits only: the identity of a name or a domain label."""
    return ascii_fold(text).lower().translate(_NON_ALNUM)


@dataclass(slots=True)
class Company:
    name: str  # as the CRM holds it
    words: list[str]  # the name without its legal form
    legal: str
    domain: str  # registrable domain, e.g. velotria-analytics.co.uk
    label: str  # the domain without its ending, e.g. velotria-analytics
    typed_name: str  # what people write: the English name of a 株式会社 account, else name
    shares_label: bool = False  # a subsidiary on its parent's label with its own country ending
    alt_domain: str = ""  # a country-code variant some of its people write from


def _legal_style(style: str, country: vocab.Country) -> str:
    return {
        "GB": "en_gb",
        "IE": "en_gb",
        "AU": "en_au",
        "IN": "en_in",
        "SG": "en_sg",
        "MX": "es_mx",
    }.get(country.code, style)


class CompanyNamer:
    """Draws unique company names and domains from one random stream."""

    def __init__(self, random: Callable[[], float]) -> None:
        self._rnd = random
        self._taken: set[str] = set()

    def _pick(self, seq):
        return seq[int(self._rnd() * len(seq))]

    def _root(self) -> str:
        pick = self._pick
        word = pick(vocab.ROOT_STARTS)
        for part in (pick(vocab.ROOT_JOINTS), pick(vocab.ROOT_ENDS)):
            if part and word[-1] in _VOWELS and part[0] in _VOWELS:
                part = part[1:]  # "Arca" + "a" + "co" reads "Arcaco", not "Arcaaco"
            word += part
        return word

    def _sector(self, industry: str, style: str) -> str:
        word = self._pick(vocab.SECTOR_WORDS.get(industry) or vocab.SECTOR_WORDS["Software"])
        if style in vocab.SECTOR_TRANSLATIONS and self._rnd() < 0.8:
            return vocab.SECTOR_TRANSLATIONS[style].get(word, word)
        return word

    def _words(self, style: str, industry: str, country: vocab.Country) -> tuple[list[str], str]:
        """Core words and, for kanji names, the native form."""
        rnd, pick = self._rnd, self._pick
        r = rnd()
        if style == "ja":
            native_root, root = pick(vocab.JA_ROOTS)
            native_sector, sector = pick(
                vocab.JA_SECTORS_BY_INDUSTRY.get(industry) or vocab.JA_SECTORS
            )
            if rnd() < 0.3:  # two roots: 富士桜 / Fujisakura
                native2, root2 = pick(vocab.JA_ROOTS)
                native_root, root = native_root + native2, root + root2.lower()
            return [root, sector], native_root + native_sector
        if style == "zh":
            root = pick(vocab.ZH_ROOTS) + pick(vocab.ZH_ROOTS).lower()
            if r < 0.5:
                return [pick(country.cities), root, self._sector(industry, "en")], ""
            return [root, self._sector(industry, "en")], ""
        if style == "fr" and r < 0.12:
            return [
                pick(("Société", "Compagnie", "Groupe")),
                pick(
                    (
                        "Générale",
                        "Nationale",
                        "Européenne",
                        "Atlantique",
                        "Industrielle",
                        "Centrale",
                        "Parisienne",
                        "Méridionale",
                    )
                ),
                pick(
                    (
                        "d'Équipement",
                        "de Transports",
                        "de Logistique",
                        "des Eaux",
                        "d'Ingénierie",
                        "de Distribution",
                        "d'Énergie",
                        "de Services",
                    )
                ),
            ], ""
        if style in ("es", "pt", "it") and r < 0.12:
            word = {"es": "Grupo", "pt": "Grupo", "it": "Gruppo"}[style]
            return [word, pick(vocab.LAST_NAMES[style])], ""
        if r < 0.5:
            return [self._root(), self._sector(industry, style)], ""
        if r < 0.62:
            return [self._root()], ""
        if r < 0.8:
            people = style if style in vocab.LAST_NAMES else "en"
            return [pick(vocab.LAST_NAMES[people]), self._sector(industry, style)], ""
        if r < 0.92 and style in ("en", "in"):
            return [pick(vocab.PLACE_WORDS), self._sector(industry, style)], ""
        if style == "en" and industry in ("Professional Services", "Financial Services", ""):
            return [pick(vocab.LAST_NAMES["en"]), "&", pick(vocab.LAST_NAMES["en"])], ""
        first, second = self._sector(industry, style), self._sector(industry, style)
        return [self._root(), first] + ([second] if second != first else []), ""

    def _domain_label(self, words: list[str]) -> str:
        parts = [fold_key(w) for w in words if w != "&"]
        r = self._rnd()
        if r < 0.12 and len(parts) > 1 and len(parts[0]) >= 5 and words[0] not in _GENERIC_FIRST:
            return parts[0]
        return ("-" if r < 0.45 else "").join(p for p in parts if p)

    def _tld(self, country: vocab.Country, industry: str) -> str:
        r = self._rnd()
        if industry == "Software" and r < 0.12:
            return "io" if r < 0.08 else "ai"
        return "com" if r < country.com_share else country.tld

    def company(self, *, country: vocab.Country, industry: str) -> Company:
        """A new company whose name and domain no earlier company of this run has."""
        style = country.style
        for attempt in range(60):
            words, native = self._words(style if attempt < 12 else "en", industry, country)
            if attempt >= 40:  # the word space is exhausted for this style: number the brand
                words = [*words[:-1], f"{words[-1]} {attempt}"]
            key = fold_key("".join(words))
            label = self._domain_label(words)
            # a hyphenated label folds to the name's key: one entry covers both (memory at 1M)
            label_key = label.replace("-", "")
            if key in self._taken or label_key in self._taken or len(label) < 3:
                continue
            self._taken.add(key)
            if label_key != key:
                self._taken.add(label_key)
            return self._finish(words, native, label, country, industry, style)
        raise RuntimeError("could not draw a unique company name")  # unreachable in practice

    def _finish(self, words, native, label, country, industry, style) -> Company:
        rnd = self._rnd
        legal = ""
        forms = vocab.LEGAL_FORMS.get(_legal_style(style, country), ())
        if forms and (style not in ("en", "in") or rnd() < 0.45):
            legal = self._pick(forms)
        english = " ".join(words) + (f" {legal}" if legal else "")
        name = english
        if native:
            legal = legal or "Co., Ltd."
            english = " ".join(words) + f" {legal}"
            name = "株式会社" + native if rnd() < 0.5 else english
        domain = f"{label}.{self._tld(country, industry)}"
        return Company(
            name=name, words=words, legal=legal, domain=domain, label=label, typed_name=english
        )

    def subsidiary(self, *, parent: Company, country: vocab.Country) -> Company | None:
        """`Velotria Analytics Deutschland GmbH` on velotria-analytics.de, or None if taken."""
        tld = country.tld
        domain = f"{parent.label}.{tld}"
        if (
            parent.domain.endswith("." + tld)
            or domain in self._taken
            or domain == parent.alt_domain
        ):
            return None
        words = [*parent.words, vocab.SUBSIDIARY_QUALIFIER[country.name]]
        key = fold_key("".join(words))
        if key in self._taken:
            return None
        self._taken.add(key)
        self._taken.add(domain)
        forms = vocab.LEGAL_FORMS.get(_legal_style(country.style, country), ())
        legal = self._pick(forms) if forms else ""
        name = " ".join(words) + (f" {legal}" if legal else "")
        return Company(
            name=name,
            words=words,
            legal=legal,
            domain=domain,
            label=parent.label,
            typed_name=name,
            shares_label=True,
        )


# ---- what people type into a "Company" field --------------------------------------------

_KEYBOARD_NEIGHBOURS = {
    "a": "sq",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "f": "dg",
    "g": "fh",
    "h": "gj",
    "i": "uo",
    "j": "hk",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "bm",
    "o": "ip",
    "p": "o",
    "q": "w",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "u": "yi",
    "v": "cb",
    "w": "qe",
    "x": "zc",
    "y": "tu",
    "z": "x",
}


def typo(word: str, random: Callable[[], float]) -> str:
    """One slip of the keyboard inside the word (never its first letter)."""
    if len(word) < 4:
        return word + word[-1]
    i = 1 + int(random() * (len(word) - 2))
    r = random()
    if r < 0.3:  # swap two neighbours
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if r < 0.55:  # drop one
        return word[:i] + word[i + 1 :]
    if r < 0.75:  # double one
        return word[:i] + word[i] + word[i:]
    near = _KEYBOARD_NEIGHBOURS.get(word[i].lower(), "e")
    return word[:i] + near[int(random() * len(near))] + word[i + 1 :]


def _join(words: list[str], legal: str) -> str:
    core = " ".join(words)
    if not legal:
        return core
    return core + legal if legal.startswith(",") else f"{core} {legal}"


NOISE_KINDS = ("typo", "legal", "order", "the", "case", "accents")


def name_variant(company: Company, kind: str, random: Callable[[], float]) -> str:
    """The company's name as a person might type it; `kind` is one of NOISE_KINDS."""
    words, legal = company.words, company.legal
    if kind == "typo":
        candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if candidates:
            i = candidates[int(random() * len(candidates))]
            words = [*words[:i], typo(words[i], random), *words[i + 1 :]]
            return _join(words, legal)
        kind = "legal"
    if kind == "legal":
        options = vocab.LEGAL_VARIANTS.get(legal, ("",))
        return _join(words, options[int(random() * len(options))])
    if kind == "order" and len(words) >= 2 and "&" not in words:
        return _join([*words[1:], words[0]], legal if random() < 0.5 else "")
    if kind == "the":
        return "The " + _join(words, legal if random() < 0.4 else "")
    if kind == "case":
        text = _join(words, legal)
        return text.upper() if random() < 0.6 else text.lower()
    if kind == "accents":
        text = _join(words, legal)
        folded = ascii_fold(text)
        if folded != text:
            return folded
    return _join(words, "")
