import datetime as dt

from django.utils import timezone

from accounts.import_services import import_job_create, import_jobs_requeue_stalled
from accounts.models import Contact, ImportJob


def _export(tmp_path):
    path = tmp_path / "Contact.csv"
    path.write_text(
        "Id,FirstName,LastName,Email\n0031,Ada,Lovelace,ada@example.com\n0032,Alan,Turing,alan@example.com\n"
    )
    return path


def test_a_job_queued_while_the_broker_was_down_is_published_again_and_finishes(
    workspace, tmp_path
):
    # given a job the admin started 20 minutes ago whose task never reached a worker
    job = import_job_create(workspace=workspace, kind="contacts", path=_export(tmp_path))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.QUEUED, heartbeat_at=timezone.now() - dt.timedelta(minutes=20)
    )
    # when the sweeper runs (tasks run eagerly here)
    requeued = import_jobs_requeue_stalled()
    # then the job ran to the end exactly once
    assert requeued == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Contact.objects.for_workspace(workspace).count() == 2


def test_a_recently_queued_or_finished_job_is_left_alone(workspace, tmp_path):
    fresh = import_job_create(workspace=workspace, kind="contacts", path=_export(tmp_path))
    ImportJob.objects.filter(pk=fresh.pk).update(
        status=ImportJob.Status.QUEUED, heartbeat_at=timezone.now()
    )
    done = import_job_create(workspace=workspace, kind="contacts", path=_export(tmp_path))
    ImportJob.objects.filter(pk=done.pk).update(
        status=ImportJob.Status.DONE, heartbeat_at=timezone.now() - dt.timedelta(hours=2)
    )
    assert import_jobs_requeue_stalled() == []
