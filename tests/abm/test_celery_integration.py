import pytest

from abm.tasks import ping
from tests.conftest import requires_worker


@requires_worker
@pytest.mark.integration
def test_a_task_travels_through_redis_to_a_real_worker_and_back():
    # given a worker consuming the default queue (started by .ci/run)
    import os

    # when
    result = ping.delay(value=21)
    # then the answer was computed in another process
    payload = result.get(timeout=60)
    assert payload["value"] == 42
    assert payload["worker_pid"] != os.getpid()


def test_celery_is_configured_for_reliable_delivery():
    from abm.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit
