"""The weekly rollup's (workspace, channel, week) index gets points as a key (the engagement
rankings' range scans) and replaces both the plain index and the covering one of 0002 that
duplicated it: one index fewer to write in a rebuild."""

from django.db import migrations, models


def drop_cover(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS engweekly_cover")


def restore_cover(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS engweekly_cover ON dashboards_engagementweekly "
            "(workspace_id, channel, week) INCLUDE (account_id, points, events)"
        )


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0004_rollup_links_without_constraints")]

    operations = [
        migrations.RemoveIndex(model_name="engagementweekly", name="engweekly_ws_ch_week"),
        migrations.RunPython(drop_cover, restore_cover),
        migrations.AddIndex(
            model_name="engagementweekly",
            index=models.Index(
                fields=["workspace", "channel", "week", "points"],
                include=["account", "events"],
                name="engweekly_ws_ch_week_pts",
            ),
        ),
    ]
