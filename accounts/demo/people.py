"""People at companies: names in the company's language, work emails, titles, phone numbers."""

from __future__ import annotations

from collections.abc import Callable

from accounts.demo import vocab
from accounts.demo.names import fold_key

# Where a person's names come from, by the company's naming style (mostly local, some expats).
_PEOPLE_STYLES = {
    "en": ("en",) * 8 + ("in", "zh", "es", "de"),
    "in": ("in",) * 9 + ("en",),
    "zh": ("zh",) * 9 + ("en",),
    "ja": ("ja",) * 9 + ("en",),
}
# Level shares in a buying committee: C-level/VP, Director, Practitioner.
_LEVEL_CUTS = (0.16, 0.45)


def _with_folded(names: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """(as written, native script or the same, folded for email addresses) per name."""
    return tuple((n, vocab.NATIVE_NAMES.get(n, n), fold_key(n)) for n in names)


_FIRST = {style: _with_folded(names) for style, names in vocab.FIRST_NAMES.items()}
_LAST = {style: _with_folded(names) for style, names in vocab.LAST_NAMES.items()}
# (department, title) pairs per buying-committee level: C-level/VP, Director, Practitioner
_TITLES_BY_LEVEL = tuple(
    tuple((dept, title) for dept, levels in vocab.TITLES.items() for title in levels[level])
    for level in range(3)
)


class People:
    """Draws people; tables are precomputed because contacts are the bulk of the rows."""

    def __init__(self, random: Callable[[], float]) -> None:
        self._rnd = random

    def name(self, style: str) -> tuple[str, str, str, str]:
        """(first, last) as displayed, then folded for an email address."""
        rnd = self._rnd
        styles = _PEOPLE_STYLES.get(style)
        people = styles[int(rnd() * len(styles))] if styles else style
        firsts, lasts = _FIRST.get(people) or _FIRST["en"], _LAST.get(people) or _LAST["en"]
        first = firsts[int(rnd() * len(firsts))]
        last = lasts[int(rnd() * len(lasts))]
        if people in ("ja", "zh") and rnd() < 0.3:
            return first[1], last[1], first[2], last[2]
        return first[0], last[0], first[2], last[2]

    def staff(self, style: str, n: int) -> list[tuple[str, str, str, str, str]]:
        """n colleagues: (first, last, email local part, department, title).

        The same draws as `name`, `email_local` and `title` in one loop: contacts are most of
        the rows, and the calls alone cost a third of the time.
        """
        rnd = self._rnd
        styles = _PEOPLE_STYLES.get(style) or (style,)
        n_styles = len(styles)
        native_ok = style in ("ja", "zh", "en")
        local_of = self.email_local
        titles = _TITLES_BY_LEVEL
        cut0, cut1 = _LEVEL_CUTS
        out, taken = [], set()
        for _ in range(n):
            people = styles[int(rnd() * n_styles)]
            firsts, lasts = _FIRST.get(people) or _FIRST["en"], _LAST.get(people) or _LAST["en"]
            first = firsts[int(rnd() * len(firsts))]
            last = lasts[int(rnd() * len(lasts))]
            native = native_ok and people in ("ja", "zh") and rnd() < 0.3
            local = local_of(first[2], last[2])
            while local in taken:  # two John Smiths: the second gets a digit, as in real life
                local += str(int(rnd() * 10))
            taken.add(local)
            r = rnd()
            pairs = titles[0 if r < cut0 else 1 if r < cut1 else 2]
            department, title = pairs[int(rnd() * len(pairs))]
            shown = 1 if native else 0
            out.append((first[shown], last[shown], local, department, title))
        return out

    def email_local(self, first: str, last: str) -> str:
        r = self._rnd()
        if r < 0.4:
            return f"{first}.{last}"
        if r < 0.55:
            return f"{first}{last}"
        if r < 0.7:
            return f"{first[:1]}{last}"
        if r < 0.8:
            return first
        if r < 0.87:
            return f"{first}_{last}"
        if r < 0.93:
            return f"{last}.{first}"
        return f"{first[:1]}.{last}"

    def free_local(self, first: str, last: str) -> str:
        r = self._rnd()
        if r < 0.4:
            return f"{first}.{last}{int(self._rnd() * 100)}"
        if r < 0.7:
            return f"{first}{last}"
        return f"{first[:1]}{last}{1960 + int(self._rnd() * 45)}"

    def title(self) -> tuple[str, str]:
        """(department, title) spread over the three buying-committee levels."""
        rnd = self._rnd
        r = rnd()
        pairs = _TITLES_BY_LEVEL[0 if r < _LEVEL_CUTS[0] else 1 if r < _LEVEL_CUTS[1] else 2]
        return pairs[int(rnd() * len(pairs))]

    def phone(self, country: vocab.Country) -> str:
        """A number in one of the ways people write them there (one draw: it is hot)."""
        n = int(self._rnd() * 10_000_000_000)
        if country.phone_prefix == "+1":
            area, line = 200 + n // 12_500_000 % 800, n % 10_000_000
            if n & 1:
                return f"({area}) {line // 10_000 % 800 + 200}-{line % 10_000:04d}"
            return f"+1 {area}-{line // 10_000 % 800 + 200}-{line % 10_000:04d}"
        if n & 1:
            return f"{country.phone_prefix} {10 + n % 89} {n // 100}"
        return f"0{10 + n % 89} {n // 100}"
