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

        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from abm.models import Membership
        from campaigns.models import Campaign

        # Cache invalidation: the filter bar's lists follow the rows they are read from.
        for model in (Campaign, Membership, get_user_model()):
            for signal in (post_save, post_delete):
                signal.connect(
                    drop_filter_options, sender=model, dispatch_uid=f"dash_filters_{model.__name__}"
                )


def drop_filter_options(sender, instance, **kwargs) -> None:
    from abm.cache_guard import cache_delete
    from abm.models import Membership
    from dashboards.views import filter_options_key

    workspace_id = getattr(instance, "workspace_id", None)
    if workspace_id is not None:
        cache_delete(filter_options_key(workspace_id))
        return
    # A user's name is shown in the owner list of every workspace they belong to.
    for ws in Membership.objects.filter(user_id=instance.pk).values_list("workspace_id", flat=True):
        cache_delete(filter_options_key(ws))
