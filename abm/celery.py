"""Celery application: one queue per kind of work, explicit reliability settings."""

import logging
import os

from celery import Celery, Task
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abm.settings")

log = logging.getLogger(__name__)


class PublishOrWaitTask(Task):
    """A broker outage must not turn a page into a 500.

    Publishing gives up quickly (short retry policy in settings); the job row that asked for the
    work keeps its queued state, the page shows the "background work is delayed" banner, and
    the scheduled sweepers publish it again once the broker is back.
    """

    def apply_async(self, *args, **kwargs):
        try:
            return super().apply_async(*args, **kwargs)
        except OperationalError:
            log.warning(
                "broker unavailable: %s not queued now, a sweeper will retry",
                self.name,
                exc_info=True,
            )
            return None


app = Celery("abm", task_cls=PublishOrWaitTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
