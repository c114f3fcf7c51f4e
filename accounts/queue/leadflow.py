"""The lead funnel, pure: which status moves are allowed and which need a reason."""

from __future__ import annotations

NEW, MQL, SAL, SQL, DISQUALIFIED = "new", "mql", "sal", "sql", "disqualified"

ALLOWED_MOVES: dict[str, set[str]] = {
    NEW: {MQL, SAL, DISQUALIFIED},
    MQL: {SAL, DISQUALIFIED},  # accept (sales-accepted) or reject
    SAL: {SQL, MQL, DISQUALIFIED},  # qualify, send back to marketing, or reject
    SQL: {SAL},  # reopen qualification
    DISQUALIFIED: {MQL},  # recycle to marketing
}
# Moves that undo or refuse work say why, so marketing learns what sales will not take.
NEEDS_REASON = {(MQL, DISQUALIFIED), (SAL, DISQUALIFIED), (NEW, DISQUALIFIED), (SAL, MQL)}

ACTION_LABELS = {
    (NEW, MQL): "Mark MQL",
    (NEW, SAL): "Accept",
    (MQL, SAL): "Accept",
    (SAL, SQL): "Qualify",
    (SAL, MQL): "Return to marketing",
    (SQL, SAL): "Reopen",
    (DISQUALIFIED, MQL): "Recycle",
}


def action_label(from_status: str, to_status: str) -> str:
    if to_status == DISQUALIFIED:
        return "Reject"
    return ACTION_LABELS.get((from_status, to_status), to_status.upper())


class LeadMoveError(ValueError):
    pass


def check_move(*, from_status: str, to_status: str, reason: str) -> None:
    if to_status not in ALLOWED_MOVES.get(from_status, set()):
        raise LeadMoveError(
            f"A lead cannot move from {from_status.upper()} to {to_status.upper()}."
        )
    if (from_status, to_status) in NEEDS_REASON and not reason.strip():
        raise LeadMoveError("Say why: a reason is required to reject or return a lead.")


def next_moves(status: str) -> list[str]:
    order = [SAL, SQL, MQL, DISQUALIFIED]
    return [s for s in order if s in ALLOWED_MOVES.get(status, set())]
