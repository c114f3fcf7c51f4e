"""Formatting and small UI helpers shared by every template: `{% load ui %}`.

Filters
    money          1234567 → "$1.2M", 950 → "$950", None → "—"   (arg: ISO currency, default USD)
    money_full     1234567 → "$1,234,567"
    compact        1234567 → "1.2M", 12500 → "12.5K", 950 → "950"
    percent        0.423 → "42%" (value is a fraction; arg: decimals)
    percent_of     done|percent_of:total → 0–100 (int, clamped), for progress bar widths
    ago            a datetime/date → "just now", "3 days ago", "in 2 hours"
    duration       seconds or timedelta → "45s", "1m 12s", "2h 5m"
    score_badge    0–100 score → <span class="score score-high">87</span>
    tier_badge     1/2/3 → <span class="badge badge-tier-1">Tier 1</span>; None → a quiet "—"
    tone           a status word → success|warning|danger|info|primary|muted (badge colour)
    heat_level     value|heat_level:max → 0–5 for `.heat-N` cells
    initials       a user → "JD"

Tags
    {% icon "building-2" %} / {% icon "x" size=14 class="muted" %}   inline Lucide SVG
    {% status_badge job.status job.get_status_display %}            coloured badge by tone
    {% delta 0.12 %} / {% delta -0.04 inverse=True %}                 ↑ 12% / ↓ 4% coloured
    {% time_ago dt %}                                                 <time title=…>3 days ago</time>
    {% nav_active "/queue/" %} / {% nav_active "/x/" exact=True %}    "is-active" or ""
    {% section_icon "accounts" %}                                     icon name of a section
    {% qs page=3 %}                                                   "?…" keeping other GET params
    {% sort_th "name" "Account" %} / {% sort_th "priority" "Priority" num=True %}
    {% can_visit "/imports/" as ok %}                                  may this member open it?
    {% page_range page_obj as pages %}                                 [1, "…", 4, 5, 6, "…", 20]
    {% progress_pct value done total as pct %}                         0–100 from a value or done/total
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from decimal import InvalidOperation

from django import template
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from abm.permissions import SECTION_ROLES
from abm.templatetags.icons import ICONS

register = template.Library()

EMPTY = "—"
MINUS = "−"  # a real minus sign lines up with digits in tabular figures

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}
_UNITS = ((1e3, "K"), (1e6, "M"), (1e9, "B"), (1e12, "T"))

SECTION_ICONS = {
    "queue": "list-todo",
    "accounts": "building-2",
    "campaigns": "megaphone",
    "dashboards": "chart-column",
    "imports": "upload",
    "matching": "git-compare-arrows",
    "scoring": "gauge",
    "settings": "settings",
}
# First path segment → SECTION_ROLES key (for pages whose address differs from the section name).
_PATH_SECTIONS = {"matching": "matching"}

_TONES = {
    "success": {
        "done",
        "completed",
        "won",
        "active",
        "accepted",
        "auto",
        "customer",
        "sql",
        "ok",
        "healthy",
        "manual",
        "closed_won",
    },
    "warning": {
        "review",
        "running",
        "queued",
        "pending",
        "paused",
        "mapped",
        "mql",
        "sal",
        "mqa",
        "in_progress",
    },
    "danger": {
        "failed",
        "lost",
        "rejected",
        "error",
        "disqualified",
        "churned",
        "blocker",
        "closed_lost",
        "overdue",
    },
    "info": {"uploaded", "new", "engaged", "aware", "scheduled"},
    "primary": {"opportunity", "tier_1", "champion", "decision_maker"},
}
_TONE_OF = {word: tone for tone, words in _TONES.items() for word in words}
_ACRONYMS = {"mqa", "mql", "sal", "sql", "abm", "icp", "crm", "api", "csv"}


def _number(value) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, InvalidOperation):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _compact(number: float, *, digits: int = 1) -> str:
    sign = MINUS if number < 0 else ""
    magnitude = abs(number)
    if round(magnitude) < 1000:
        whole = magnitude >= 10 or magnitude == int(magnitude)
        text = f"{magnitude:.0f}" if whole else _trim(f"{magnitude:.1f}")
        return ("" if text == "0" else sign) + text
    for size, suffix in _UNITS:
        scaled = round(magnitude / size, digits)
        if scaled < 1000 or suffix == "T":  # 999,960 rounds to "1000K": move up to "1M"
            return sign + _trim(f"{scaled:.{digits}f}") + suffix
    raise AssertionError("unreachable: the last unit always returns")


@register.filter
def compact(value, digits: int = 1) -> str:
    number = _number(value)
    return EMPTY if number is None else _compact(number, digits=int(digits))


@register.filter
def money(value, currency: str = "USD") -> str:
    number = _number(value)
    if number is None:
        return EMPTY
    code = (currency or "USD").upper()
    symbol = CURRENCY_SYMBOLS.get(code, code + " ")
    text = _compact(abs(number))
    return f"{MINUS if number < 0 and text != '0' else ''}{symbol}{text}"


@register.filter
def money_full(value, currency: str = "USD") -> str:
    number = _number(value)
    if number is None:
        return EMPTY
    code = (currency or "USD").upper()
    symbol = CURRENCY_SYMBOLS.get(code, code + " ")
    return f"{MINUS if number < 0 else ''}{symbol}{abs(number):,.0f}"


@register.filter
def percent(value, digits: int = 0) -> str:
    number = _number(value)
    if number is None:
        return EMPTY
    text = f"{number * 100:.{int(digits)}f}"
    if text.startswith("-"):
        text = MINUS + text[1:]
    return f"{text}%"


@register.filter
def percent_of(part, whole) -> int:
    numerator, denominator = _number(part), _number(whole)
    if numerator is None or not denominator:
        return 0
    return max(0, min(100, int(numerator * 100 / denominator)))


def _now_for(value: dt.datetime) -> dt.datetime:
    now = timezone.now()
    return now if timezone.is_aware(value) else timezone.make_naive(now)


def _ago_text(value) -> str:
    if isinstance(value, dt.datetime):
        seconds = (_now_for(value) - value).total_seconds()
    elif isinstance(value, dt.date):
        days = (timezone.localdate() - value).days
        if days == 0:
            return "today"
        if days == 1:
            return "yesterday"
        if days == -1:
            return "tomorrow"
        seconds = days * 86400
    else:
        return EMPTY
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 45:
        return "just now"
    steps = (
        (3600, 60, "minute"),
        (86400, 3600, "hour"),
        (86400 * 14, 86400, "day"),
        (86400 * 60, 86400 * 7, "week"),
        (86400 * 365, 86400 * 30, "month"),
        (math.inf, 86400 * 365, "year"),
    )
    for limit, unit, name in steps:
        if seconds < limit:
            count = max(1, round(seconds / unit))
            if name == "day" and count == 1:
                return "tomorrow" if future else "yesterday"
            label = f"{count} {name}{'' if count == 1 else 's'}"
            return f"in {label}" if future else f"{label} ago"
    return EMPTY  # unreachable: the last step has no limit


@register.filter
def ago(value) -> str:
    return _ago_text(value)


@register.simple_tag
def time_ago(value) -> str:
    if not isinstance(value, dt.date):
        return EMPTY
    shown = (
        timezone.localtime(value)
        if isinstance(value, dt.datetime) and timezone.is_aware(value)
        else value
    )
    title = (
        shown.strftime("%d %b %Y %H:%M")
        if isinstance(shown, dt.datetime)
        else shown.strftime("%d %b %Y")
    )
    return format_html(
        '<time datetime="{}" title="{}">{}</time>', value.isoformat(), title, _ago_text(value)
    )


@register.filter
def duration(value) -> str:
    if isinstance(value, dt.timedelta):
        seconds = value.total_seconds()
    else:
        number = _number(value)
        if number is None:
            return EMPTY
        seconds = number
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def _score_band(number: float, top: float) -> str:
    share = number / top if top else 0
    if share >= 0.7:
        return "high"
    if share >= 0.4:
        return "mid"
    return "low"


@register.filter
def score_badge(value, top: float = 100) -> SafeString:
    number = _number(value)
    if number is None:
        return mark_safe('<span class="score score-none" title="Not scored yet">—</span>')  # noqa: S308
    band = _score_band(number, float(top))
    return format_html(
        '<span class="score score-{}" title="{} of {}">{}</span>',
        band,
        f"{number:.0f}",
        f"{float(top):.0f}",
        f"{number:.0f}",
    )


@register.filter
def tier_badge(value) -> SafeString:
    number = _number(value)
    if number is None or int(number) not in (1, 2, 3):
        return mark_safe('<span class="subtle" title="Not tiered">—</span>')  # noqa: S308
    return format_html('<span class="badge badge-tier-{0}">Tier {0}</span>', int(number))


@register.filter
def tone(value) -> str:
    key = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
    return _TONE_OF.get(key, "muted")


@register.simple_tag
def status_badge(value, label=None) -> SafeString:
    if label not in (None, ""):
        text = label
    elif str(value).lower() in _ACRONYMS:
        text = str(value).upper()
    else:
        text = str(value or EMPTY).replace("_", " ").capitalize()
    return format_html('<span class="badge badge-{}">{}</span>', tone(value), text)


@register.simple_tag
def delta(value, inverse: bool = False, digits: int = 0) -> SafeString:
    """A change as a fraction (0.12 = +12%); `inverse` when going down is good (cost, churn)."""
    number = _number(value)
    if number is None:
        return format_html('<span class="delta delta-flat">{}</span>', EMPTY)
    shown = f"{abs(number) * 100:.{int(digits)}f}%"
    if float(shown[:-1]) == 0:
        return format_html('<span class="delta delta-flat">{}</span>', shown)
    direction = "up" if number > 0 else "down"
    good = (number > 0) != bool(inverse)
    return format_html(
        '<span class="delta delta-{} {}">{}{}</span>',
        direction,
        "delta-good" if good else "delta-bad",
        icon("arrow-up" if number > 0 else "arrow-down", size=12),
        shown,
    )


@register.filter
def heat_level(value, top) -> int:
    number, maximum = _number(value), _number(top)
    if number is None or number <= 0 or not maximum:
        return 0
    return max(1, min(5, math.ceil(number / maximum * 5)))


@register.filter
def initials(user) -> str:
    name = ""
    if user is not None:
        full = getattr(user, "get_full_name", None)
        name = (full() if callable(full) else "") or getattr(user, "email", "") or str(user)
    parts = [p for p in name.replace(".", " ").replace("@", " @").split() if not p.startswith("@")]
    letters = "".join(p[0] for p in parts[:2]).upper()
    return letters or "?"


@register.simple_tag
def icon(name, size: int = 16, **attrs) -> SafeString:
    return _icon(str(name), int(size), ("icon " + str(attrs.get("class", ""))).strip())


@functools.lru_cache(maxsize=512)
def _icon(name: str, size: int, css: str) -> SafeString:
    """A page draws dozens of the same few icons (sort arrows, deltas): each is built once."""
    shapes = ICONS.get(name)
    if shapes is None:
        return mark_safe("")  # noqa: S308 — an unknown icon renders nothing rather than failing the page
    return format_html(
        '<svg class="{}" width="{}" height="{}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">{}</svg>',
        css,
        size,
        size,
        mark_safe(shapes),  # noqa: S308 — shapes come from icons.py, never from users
    )


@register.simple_tag(takes_context=True)
def nav_active(context, prefix: str, exact: bool = False) -> str:
    request = context.get("request")
    path = getattr(request, "path", "") or ""
    hit = path == prefix if exact else path.startswith(prefix)
    return "is-active" if hit else ""


@register.simple_tag
def section_icon(section: str) -> str:
    return SECTION_ICONS.get(section, "sparkles")


@register.simple_tag(takes_context=True)
def path_section_icon(context) -> str:
    request = context.get("request")
    first = (getattr(request, "path", "") or "").strip("/").split("/")[0]
    return SECTION_ICONS.get(first, "sparkles")


@register.simple_tag(takes_context=True)
def can_visit(context, path: str) -> bool:
    """Whether the current member's role opens `path` (by its first segment; unknown → True)."""
    first = (path or "").strip("/").split("/")[0]
    section = _PATH_SECTIONS.get(first, first)
    roles = SECTION_ROLES.get(section)
    if roles is None:
        return True
    membership = context.get("membership")
    return bool(membership) and membership.role in roles


@register.simple_tag(takes_context=True)
def qs(context, **changes) -> str:
    """The current query string with `changes` applied (None or "" removes a key)."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_th(
    context, field: str, label: str, num: bool = False, default: str = "", param: str = "sort"
) -> SafeString:
    """A sortable header cell: click toggles `?sort=field` / `?sort=-field`, keeping other filters."""
    request = context.get("request")
    current = request.GET.get(param, default) if request is not None else default
    if current == field:
        state, target, aria, arrow = "is-sorted-asc", f"-{field}", "ascending", "arrow-up"
    elif current == f"-{field}":
        state, target, aria, arrow = "is-sorted-desc", field, "descending", "arrow-down"
    else:
        state, target, aria, arrow = "", (f"-{field}" if num else field), "none", "arrow-up-down"
    href = qs(context, **{param: target, "page": None})
    return format_html(
        '<th class="sortable{}{}" aria-sort="{}"><a href="{}">{}{}</a></th>',
        " num" if num else "",
        f" {state}" if state else "",
        aria,
        href,
        label,
        icon(arrow, size=12, **{"class": "sort-icon"}),
    )


@register.simple_tag
def page_range(page_obj, on_each_side: int = 1, on_ends: int = 1) -> list:
    """Page numbers around the current page with "…" gaps: [1, "…", 4, 5, 6, "…", 20]."""
    if page_obj is None:
        return []
    paginator = page_obj.paginator
    return list(
        paginator.get_elided_page_range(page_obj.number, on_each_side=on_each_side, on_ends=on_ends)
    )


@register.simple_tag
def progress_pct(value=None, done=None, total=None) -> int:
    """0–100 from an explicit value, else from done/total (missing arguments are fine)."""
    number = _number(value)
    if number is not None:
        return max(0, min(100, int(number)))
    return percent_of(done, total)
