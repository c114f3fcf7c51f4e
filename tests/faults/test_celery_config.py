"""Celery settings that decide whether a long task runs twice or a worker grows without bound."""

from abm.celery import app

PRODUCT_APPS = ("abm.", "accounts.", "scoring.", "matching.", "campaigns.", "dashboards.")


def product_tasks():
    app.loader.import_default_modules()
    tasks = [t for name, t in app.tasks.items() if name.startswith(PRODUCT_APPS)]
    assert tasks, "no product tasks registered"
    return tasks


def longest_wait_s(task) -> float:
    """How long a message of this task can stay unacknowledged: its run, or its retry countdown."""
    hard_limit = task.time_limit or app.conf.task_time_limit
    countdown = task.default_retry_delay or 0
    if getattr(task, "retry_backoff", False):
        countdown = max(countdown, getattr(task, "retry_backoff_max", 600))  # Celery default
    return max(hard_limit, countdown)


def test_every_task_has_a_hard_time_limit():
    missing = [t.name for t in product_tasks() if not (t.time_limit or app.conf.task_time_limit)]
    assert missing == []


def test_the_visibility_timeout_outlasts_the_longest_task_and_retry_countdown():
    # Redis re-delivers an unacknowledged message after the visibility timeout; a task still
    # running (acks_late) or waiting out a retry countdown must never reach it.
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    longest = max(product_tasks(), key=longest_wait_s)
    assert visibility > longest_wait_s(longest), longest.name


def test_killed_workers_give_their_tasks_back():
    late = [t.name for t in product_tasks() if not (t.acks_late and t.reject_on_worker_lost)]
    assert late == []


def test_pool_processes_are_recycled_before_pandas_heavy_imports_exhaust_memory():
    limit_kib = app.conf.worker_max_memory_per_child
    assert limit_kib is not None
    # one pool process may hold an import chunk and a scoring frame, but not a gigabyte
    assert 200_000 <= limit_kib <= 1_000_000
    assert app.conf.worker_prefetch_multiplier == 1
