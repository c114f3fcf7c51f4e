"""Deal amounts in one currency: dashboards compare deals in US dollars.

Pure. Rates are USD per unit of the currency; a workspace with live rates would pass its own.
Unknown currencies count at face value rather than dropping the deal from every total.
"""

from __future__ import annotations

from decimal import Decimal

USD_PER_UNIT: dict[str, float] = {
    "USD": 1.0,
    "EUR": 1 / 0.92,
    "GBP": 1 / 0.79,
    "CAD": 0.73,
    "AUD": 0.66,
    "JPY": 0.0067,
    "CHF": 1.12,
    "SEK": 0.095,
    "INR": 0.012,
}


def usd(amount: Decimal | float | None, currency: str | None) -> float:
    if amount is None:
        return 0.0
    rate = USD_PER_UNIT.get((currency or "USD").upper(), 1.0)
    return round(float(amount) * rate, 2)
