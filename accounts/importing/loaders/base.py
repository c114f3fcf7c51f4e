"""What every loader shares: the job's context, a chunk's outcome, and the undo log's values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models

from accounts.importing.readers import Row
from accounts.models import ImportJob, ImportRowChange


@dataclass
class LoadContext:
    job: ImportJob
    obj: str
    source: str  # the crm_source stored with CRM ids: salesforce | hubspot | generic
    campaigns: dict[str, int] = field(default_factory=dict)  # name -> id, cached for the job
    # People of the workspace as this run knows them (None: not counted yet), for the planner check.
    people_in_workspace: int | None = None
    # Whether the workspace had no people when this run first counted them (None: not counted
    # yet). Only a hint that COPYing a chunk straight into the table is worth trying; the
    # unique indexes decide whether it stands (see loaders/postgres.py).
    people_none_at_start: bool | None = None
    # Chunks whose direct COPY met a person already stored and went through the upsert.
    direct_copy_misses: int = 0

    @property
    def workspace_id(self) -> int:
        return self.job.workspace_id


@dataclass
class ChunkOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[Row, str]] = field(default_factory=list)
    changes: list[ImportRowChange] = field(default_factory=list)
    contact_ids: set[int] = field(default_factory=set)
    account_ids: set[int] = field(default_factory=set)
    pending_parents: dict[str, str] = field(default_factory=dict)

    def reject(self, row: Row, reason: str) -> None:
        self.rejected.append((row, reason))


def jsonable(value: Any) -> Any:
    """A stored value as JSON for the undo log; `restore_value` reads it back."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def restore_value(model: type[models.Model], attname: str, value: Any) -> Any:
    if value is None:
        return None
    model_field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    if isinstance(model_field, models.JSONField):
        return value
    return model_field.to_python(value)


def apply_values(obj: models.Model, values: dict[str, Any]) -> dict[str, Any]:
    """Set each given value that differs; the old values of what changed (JSON-ready)."""
    before: dict[str, Any] = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            before[name] = jsonable(old)
            setattr(obj, name, value)
    return before
