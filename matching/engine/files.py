"""CSV in, CSV out: what `manage.py match_file` runs (no database involved)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from matching.engine import MatchParams, MatchResult, match

OUTPUT_COLUMNS = ["lead_id", "account_id", "confidence", "decision", "reason"]


class InputError(ValueError):
    """The file cannot be used at all (missing, unreadable, no id column)."""


def read_table(path: str | Path, *, required: tuple[str, ...] = ("id",)) -> pd.DataFrame:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file")
    try:
        df = pd.read_csv(
            p, dtype=str, keep_default_na=False, encoding="utf-8-sig", on_bad_lines="skip"
        )
    except UnicodeDecodeError:
        df = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="latin-1")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{p}: cannot be read as CSV ({exc})") from exc
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(f"{p}: missing column(s) {', '.join(missing)}")
    return df


def match_files(
    *, accounts_path: str | Path, leads_path: str | Path, out_path: str | Path,
    params: MatchParams | None = None,
) -> MatchResult:  # fmt: skip
    accounts = read_table(accounts_path)
    leads = read_table(leads_path)
    result = match(accounts, leads, params=params)
    result.decisions[OUTPUT_COLUMNS].to_csv(out_path, index=False, float_format="%.4f")
    return result
