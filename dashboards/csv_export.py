"""CSV for any metric table, safe to open in a spreadsheet.

Pure. A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with
an apostrophe so Excel / Sheets show it instead of running it as a formula (an account named
`=HYPERLINK(...)` imported from a CRM must stay text). Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return "\ufeff" + buffer.getvalue()  # BOM: Excel reads UTF-8 correctly
