"""Celery beat entries for scoring (no Django imports, so settings can read it):

from scoring.schedule import BEAT_SCHEDULE as SCORING_BEAT
CELERY_BEAT_SCHEDULE.update(SCORING_BEAT)
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "scoring-nightly": {
        "task": "scoring.tasks.score_all_workspaces",
        "schedule": crontab(hour=2, minute=30),
        "options": {"queue": "scoring", "expires": 6 * 3600},
    },
}
