"""PostgreSQL only: covering indexes so the weekly rollup is read with index-only scans."""

from django.db import migrations

INDEXES = [
    (
        "engweekly_cover",
        "dashboards_engagementweekly",
        "(workspace_id, channel, week) INCLUDE (account_id, points, events)",
    ),
    (
        "engweekly_acct_cover",
        "dashboards_engagementweekly",
        "(workspace_id, channel, account_id, week) INCLUDE (points)",
    ),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, columns in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {columns}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _columns in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
