from celery import shared_task


@shared_task(
    name="abm.ping",
    queue="default",
    acks_late=True,
    ignore_result=False,
    soft_time_limit=10,
    time_limit=20,
)
def ping(*, value: int) -> dict:
    """Round-trip check that a real worker consumes from the broker and returns results."""
    import os

    return {"value": value * 2, "worker_pid": os.getpid()}
