"""A median that runs inside the database on PostgreSQL and SQLite alike.

PostgreSQL has `percentile_cont(0.5) WITHIN GROUP (ORDER BY x)`; SQLite gets a small `median`
aggregate registered on every new connection (Django does the same for its own SQLite
functions). Both interpolate between the two middle values, like `statistics.median`.
"""

from __future__ import annotations

import statistics

from django.db.models import Aggregate, FloatField


class Median(Aggregate):
    function = "percentile_cont"
    name = "Median"
    output_field = FloatField()
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def as_sqlite(self, compiler, connection, **extra_context):
        clone = self.copy()
        clone.function = "beacon_median"
        clone.template = "%(function)s(%(distinct)s%(expressions)s)"
        return super(Median, clone).as_sql(compiler, connection, **extra_context)


class _SqliteMedian:
    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value) -> None:
        if value is not None:
            self.values.append(float(value))

    def finalize(self) -> float | None:
        return statistics.median(self.values) if self.values else None


def register_sqlite_median(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("beacon_median", 1, _SqliteMedian)
