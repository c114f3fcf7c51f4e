from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"

    def ready(self) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created

        from dashboards.aggregates import register_sqlite_median

        # Infrastructure, not domain flow: SQLite needs the median aggregate on each connection.
        connection_created.connect(register_sqlite_median, dispatch_uid="beacon_sqlite_median")
        for conn in connections.all(initialized_only=True):
            if conn.vendor == "sqlite" and conn.connection is not None:
                register_sqlite_median(sender=None, connection=conn)
