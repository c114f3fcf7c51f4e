"""Celery application: one queue per kind of work, explicit reliability settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abm.settings")

app = Celery("abm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
