"""What a fired job runs in: the services of the process that leads.

The job store pickles each job, so a stored job holds only text: the entry point below and
the job's reference ("bot.jobs.nudges:run"). The services (engine, Slack client, thread pools)
cannot be pickled; the leader's job store is built with them and hands them to each job it
gives the scheduler to run.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.util import ref_to_obj
from sqlalchemy.engine import Engine

from bot.services import Services

log = logging.getLogger(__name__)

RUN_JOB = "bot.jobs.runtime:run_job"


def run_job(ref: str, services: Services | None = None) -> None:
    """The callable every stored job points at: run the job `ref` with the leader's services."""
    if services is None:
        # Only a leader's store hands a job out to run, with its services; this is a stored
        # job called some other way.
        log.warning("job %s fired with no services registered; skipped", ref)
        return
    job = ref_to_obj(ref)
    log.info("running job %s", ref)
    job(services, services.clock())


class StoppableJobStore(SQLAlchemyJobStore):
    """The jobs in a database the app keeps using: stopping the scheduler leaves the engine
    open. And a stopped store hands out nothing: APScheduler 3's loop looks at its store once
    more after shutdown(), when its executors are gone, and would log the job due then as
    failed and move its next run on (a digest due as the process stops would be skipped);
    left due in the store, the next leader runs it."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine=engine)
        self._stopped = False

    def get_due_jobs(self, now: datetime) -> list[Job]:
        return [] if self._stopped else super().get_due_jobs(now)

    def get_next_run_time(self) -> datetime | None:
        return None if self._stopped else super().get_next_run_time()

    def shutdown(self) -> None:
        self._stopped = True


class LeaderJobStore(StoppableJobStore):
    """The leader's jobs (table `apscheduler_jobs`), each handed these services when due."""

    def __init__(self, engine: Engine, services: Services) -> None:
        super().__init__(engine)
        self._services = services

    def get_due_jobs(self, now: datetime) -> list[Job]:
        due = super().get_due_jobs(now)
        for job in due:
            # Only what runs is bound: the store pickles `func_ref` and `args`, never `func`.
            job.func = partial(job.func, services=self._services)
        return due
