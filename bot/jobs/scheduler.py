"""Wiring only: which job runs when, in which instance. The jobs live in their own modules.

Choices, deliberately:
- Jobs are kept in the project's database (SQLAlchemyJobStore, table `apscheduler_jobs`), so
  a restart keeps each job's next run time: a digest due while the process was down is sent
  when it comes back instead of waiting a week.
- The sweeps (nudges, SLA, follow-up, review changes, patterns, the card outbox, source
  polling, and the daily retention purge) look for everything due each
  time they run, so runs missed while down are coalesced into one and are never too late to
  run (no misfire limit): one catch-up run does all the missed work.
- The weekly digest is coalesced too (one digest, never one per missed week) and may run up
  to DIGEST_MISFIRE_GRACE late; a digest that comes days late reads as noise, and the next
  week's brings the numbers anyway.
- One run of a job at a time (max_instances=1): a slow sweep is not overtaken by the next.
- When instances share PostgreSQL, only the holder of the leader lock runs a scheduler at all;
  the others try to take the lead every LEADER_RETRY.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from apscheduler.job import Job
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.jobs.runtime import RUN_JOB, LeaderJobStore
from bot.services import Services
from storage.leader import LeaderLock

log = logging.getLogger(__name__)

DIGEST_MISFIRE_GRACE = timedelta(days=1)
JOB_THREADS = 2


@dataclass(frozen=True)
class JobSpec:
    id: str
    ref: str  # "module:function" of a job taking (services, now)
    trigger: BaseTrigger
    misfire_grace_time: int | None  # seconds; None: however late


def job_specs(settings: Settings) -> list[JobSpec]:
    every = IntervalTrigger(seconds=settings.job_interval.total_seconds(), timezone=settings.tz)
    digest = CronTrigger.from_crontab(settings.digest_cron, timezone=settings.tz)
    daily = CronTrigger(hour=3, minute=30, timezone=settings.tz)  # a quiet hour
    return [
        JobSpec("nudges", "bot.jobs.nudges:run", every, None),
        JobSpec("sla_escalation", "bot.jobs.escalation:run", every, None),
        JobSpec("follow_up", "bot.jobs.follow_up:run", every, None),
        JobSpec("review_changes", "bot.jobs.review_changes:run", every, None),
        JobSpec("pattern_alert", "bot.jobs.patterns:run", every, None),
        JobSpec("outbox_sweep", "bot.jobs.outbox:run", every, None),
        JobSpec("source_polling", "bot.jobs.sources:run", every, None),
        JobSpec("retention", "bot.jobs.retention:run", daily, None),
        JobSpec(
            "weekly_digest",
            "bot.jobs.digest:run",
            digest,
            int(DIGEST_MISFIRE_GRACE.total_seconds()),
        ),
    ]


def _unchanged(job: Job, spec: JobSpec) -> bool:
    return (
        job.args == (spec.ref,)
        and job.misfire_grace_time == spec.misfire_grace_time
        and type(job.trigger) is type(spec.trigger)
        and str(job.trigger) == str(spec.trigger)
        and getattr(job.trigger, "timezone", None) == getattr(spec.trigger, "timezone", None)
    )


def install_jobs(scheduler: BackgroundScheduler, specs: list[JobSpec]) -> None:
    """Add each job; a stored job whose schedule is unchanged is kept as it is, so its next
    run time (perhaps in the past, missed while down) survives the restart."""
    for spec in specs:
        stored = scheduler.get_job(spec.id)
        if stored is not None and _unchanged(stored, spec):
            continue
        scheduler.add_job(
            RUN_JOB,
            trigger=spec.trigger,
            args=[spec.ref],
            id=spec.id,
            name=spec.id,
            replace_existing=True,
            misfire_grace_time=spec.misfire_grace_time,
            coalesce=True,
            max_instances=1,
        )


class JobScheduler:
    """Runs the jobs while this instance holds the leader lock; otherwise stands by."""

    def __init__(
        self, engine: Engine, settings: Settings, lock: LeaderLock, specs: list[JobSpec]
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._lock = lock
        self._specs = specs
        self._services: Services | None = None
        self._scheduler: BackgroundScheduler | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._step_lock = threading.Lock()

    @property
    def leading(self) -> bool:
        return self._scheduler is not None

    def jobs(self) -> list[Job]:
        """The stored jobs, when this instance leads."""
        return self._scheduler.get_jobs() if self._scheduler is not None else []

    def start(self, services: Services, *, background: bool = True) -> None:
        """Take the lead now if free; with `background`, keep trying (and keep checking the
        lead is still ours) every LEADER_RETRY until stopped."""
        self._services = services
        self._stopping.clear()
        self.step()
        if background:
            self._thread = threading.Thread(
                target=self._supervise, name="scheduler-leader", daemon=True
            )
            self._thread.start()

    def step(self) -> bool:
        """One round of the election; True when this instance leads afterwards."""
        with self._step_lock:
            if self._services is None or self._stopping.is_set():
                return False
            if self.leading and not self._lock.held():
                log.warning("lost the scheduler lead; jobs stop here")
                self._stop_jobs(wait=False)
            if not self.leading and self._lock.acquire():
                log.info("this instance leads: running the scheduled jobs")
                self._start_jobs(self._services)
            return self.leading

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._step_lock:
            self._stop_jobs(wait=True)
            self._lock.release()

    def _supervise(self) -> None:
        interval = self._settings.leader_retry.total_seconds()
        while not self._stopping.wait(interval):
            try:
                self.step()
            except Exception:
                log.exception("scheduler leader election failed; trying again")

    def _start_jobs(self, services: Services) -> None:
        scheduler = BackgroundScheduler(
            jobstores={"default": LeaderJobStore(self._engine, services)},
            executors={"default": {"type": "threadpool", "max_workers": JOB_THREADS}},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=self._settings.tz,
        )
        # Paused while the jobs are reconciled, so nothing fires from a half-installed set.
        scheduler.start(paused=True)
        install_jobs(scheduler, self._specs)
        scheduler.resume()
        self._scheduler = scheduler

    def _stop_jobs(self, *, wait: bool) -> None:
        """Stop starting jobs. On close, wait for a running one (it uses the engine); when
        the lead is lost, do not: the new leader runs from now on."""
        if self._scheduler is None:
            return
        self._scheduler.shutdown(wait=wait)
        self._scheduler = None
