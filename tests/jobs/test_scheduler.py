"""The wiring: what the scheduler registers, that jobs survive a restart in the database, and
that of several instances on one PostgreSQL database exactly one runs them."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from bot.config import Settings
from bot.jobs import runtime
from bot.jobs.runtime import RUN_JOB, LeaderJobStore, StoppableJobStore
from bot.jobs.scheduler import job_specs
from storage.leader import AdvisoryLock, SoleInstance, leader_lock_for
from tests.support.jobs import job_services

STOCKHOLM_MONDAY_7 = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
FAR_AHEAD = STOCKHOLM_MONDAY_7 + timedelta(days=3650)

ran: list[str] = []
ran_event = threading.Event()


def record_run(services, now) -> None:
    """A job for the restart test: notes that it ran, with the services it was given."""
    ran.append(services.settings.reviews_channel)
    ran_event.set()


def test_the_jobs_and_their_schedules():
    specs = {spec.id: spec for spec in job_specs(Settings(job_interval="5m"))}
    assert {id: spec.ref for id, spec in specs.items()} == {
        "nudges": "bot.jobs.nudges:run",
        "sla_escalation": "bot.jobs.escalation:run",
        "follow_up": "bot.jobs.follow_up:run",
        "review_changes": "bot.jobs.review_changes:run",
        "pattern_alert": "bot.jobs.patterns:run",
        "weekly_digest": "bot.jobs.digest:run",
        "outbox_sweep": "bot.jobs.outbox:run",
        "source_polling": "bot.jobs.sources:run",
        "retention": "bot.jobs.retention:run",
    }
    sweep = specs["nudges"].trigger
    assert sweep.interval == timedelta(minutes=5) and specs["nudges"].misfire_grace_time is None
    digest = specs["weekly_digest"]
    # 08:00 on Monday in Stockholm (CET, UTC+1) is 07:00 UTC.
    next_fire = digest.trigger.get_next_fire_time(None, STOCKHOLM_MONDAY_7)
    assert next_fire.astimezone(UTC) == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert digest.misfire_grace_time == 24 * 3600
    retention = specs["retention"].trigger.get_next_fire_time(None, STOCKHOLM_MONDAY_7)
    assert retention.astimezone(UTC) == datetime(2026, 12, 1, 2, 30, tzinfo=UTC)  # 03:30 local


def _stored_jobs(engine) -> BackgroundScheduler:
    """The job store as another process would see it, paused so nothing runs here."""
    scheduler = BackgroundScheduler(jobstores={"default": StoppableJobStore(engine)})
    scheduler.start(paused=True)
    return scheduler


def test_jobs_are_registered_and_survive_a_restart(fake_slack, database_url):
    first = job_services(fake_slack, database_url, digest_channel="C0DIGEST")
    first.jobs.start(first, background=False)
    assert first.jobs.leading
    registered = {job.id: job for job in first.jobs.jobs()}
    assert set(registered) == {spec.id for spec in job_specs(first.settings)}
    assert all(job.func_ref == RUN_JOB for job in registered.values())
    assert registered["weekly_digest"].args == ("bot.jobs.digest:run",)
    digest_due = registered["weekly_digest"].next_run_time
    first.close()

    # While the process is down, a test job and the digest fall due.
    store = _stored_jobs(sa.create_engine(database_url))
    past = datetime.now(UTC) - timedelta(minutes=1)
    store.add_job(
        RUN_JOB,
        "date",
        run_date=past,
        args=["tests.jobs.test_scheduler:record_run"],
        id="restart_probe",
        misfire_grace_time=3600,
    )
    store.modify_job("weekly_digest", next_run_time=past)
    store.shutdown(wait=False)

    second = job_services(fake_slack, database_url, digest_channel="C0DIGEST")
    try:
        ran.clear()
        ran_event.clear()
        second.jobs.start(second, background=False)
        assert ran_event.wait(10), "the stored job did not fire after the restart"
        assert ran == [second.settings.reviews_channel]
        # The digest missed while down goes out now, once.
        fake_slack.wait_for("files.completeUploadExternal")
        assert len([m for m in fake_slack.messages("C0DIGEST") if "Weekly" in m["text"]]) == 1
        after = {job.id: job for job in second.jobs.jobs()}
        assert after["weekly_digest"].next_run_time > digest_due - timedelta(seconds=1)
        assert "restart_probe" not in after  # a one-off job is gone once it ran
    finally:
        second.close()


def test_an_unchanged_schedule_keeps_its_next_run_and_a_new_one_replaces_it(
    fake_slack, database_url
):
    first = job_services(fake_slack, database_url)
    first.jobs.start(first, background=False)
    due = {job.id: job.next_run_time for job in first.jobs.jobs()}
    first.close()
    again = job_services(fake_slack, database_url)
    again.jobs.start(again, background=False)
    assert {job.id: job.next_run_time for job in again.jobs.jobs()}["weekly_digest"] == due[
        "weekly_digest"
    ]
    again.close()
    changed = job_services(fake_slack, database_url, digest_cron="30 9 * * fri")
    changed.jobs.start(changed, background=False)
    digest = {job.id: job for job in changed.jobs.jobs()}["weekly_digest"]
    assert digest.next_run_time.weekday() == 4 and digest.next_run_time.hour == 9
    changed.close()


def test_services_that_are_not_started_run_no_jobs(fake_slack, sqlite_url):
    services = job_services(fake_slack, sqlite_url)
    try:
        assert not services.jobs.leading
        assert services.jobs.jobs() == []
    finally:
        services.close()


def test_on_sqlite_one_process_of_those_sharing_the_file_leads_until_it_lets_go(sqlite_url):
    first = leader_lock_for(sa.create_engine(sqlite_url))
    second = leader_lock_for(sa.create_engine(sqlite_url))
    assert first.acquire() and first.held()
    assert not second.acquire() and not second.held()
    first.release()
    assert second.acquire() and second.held()
    second.release()


def test_an_in_memory_sqlite_database_is_one_instance_without_a_lock():
    assert isinstance(leader_lock_for(sa.create_engine("sqlite://")), SoleInstance)


def test_a_job_fired_without_services_does_nothing(caplog):
    before = list(ran)
    with caplog.at_level("WARNING", logger="bot.jobs.runtime"):
        runtime.run_job("tests.jobs.test_scheduler:record_run")  # logged and skipped, not raised
    assert ran == before
    assert [r.getMessage() for r in caplog.records] == [
        "job tests.jobs.test_scheduler:record_run fired with no services registered; skipped"
    ]


def test_a_due_job_runs_with_the_services_of_its_store(fake_slack, sqlite_url):
    services = job_services(fake_slack, sqlite_url)
    store = LeaderJobStore(services.engine, services)
    scheduler = BackgroundScheduler(jobstores={"default": store})
    try:
        scheduler.start(paused=True)
        scheduler.add_job(
            RUN_JOB,
            "date",
            run_date=STOCKHOLM_MONDAY_7,
            args=["tests.jobs.test_scheduler:record_run"],
        )
        [due] = store.get_due_jobs(FAR_AHEAD)
        before = len(ran)
        due.func(*due.args)
        assert ran[before:] == [services.settings.reviews_channel]
    finally:
        scheduler.shutdown()
        services.close()


def test_a_stopped_store_leaves_a_due_job_for_the_next_leader(fake_slack, sqlite_url):
    """The scheduler's loop may look at its store once more after shutdown(), when its
    executors are gone: the job due then stays due instead of failing and moving on."""
    services = job_services(fake_slack, sqlite_url)
    store = LeaderJobStore(services.engine, services)
    scheduler = BackgroundScheduler(jobstores={"default": store})
    try:
        scheduler.start(paused=True)
        job = scheduler.add_job(
            RUN_JOB,
            "date",
            run_date=STOCKHOLM_MONDAY_7,
            args=["tests.jobs.test_scheduler:record_run"],
        )
        scheduler.shutdown()
        assert store.get_due_jobs(FAR_AHEAD) == [] and store.get_next_run_time() is None
        [kept] = SQLAlchemyJobStore(engine=services.engine).get_due_jobs(FAR_AHEAD)
        assert (kept.id, kept.next_run_time) == (job.id, STOCKHOLM_MONDAY_7)
    finally:
        services.close()


def test_one_leader_among_instances_and_a_standby_takes_over(fake_slack, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("advisory locks are PostgreSQL's; SQLite has its own test below")
    a = job_services(fake_slack, database_url)
    b = job_services(fake_slack, database_url)
    try:
        assert isinstance(a.jobs._lock, AdvisoryLock)
        a.jobs.start(a, background=False)
        b.jobs.start(b, background=False)
        assert (a.jobs.leading, b.jobs.leading) == (True, False)
        assert b.jobs.step() is False
        assert b.jobs.jobs() == []

        # The leader's database session dies (a crashed process, a dropped connection).
        with a.engine.connect() as connection:
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"
                )
            )
        assert b.jobs.step() is True
        assert a.jobs.step() is False
        assert (a.jobs.leading, b.jobs.leading) == (False, True)
        assert {job.id for job in b.jobs.jobs()} == {spec.id for spec in job_specs(b.settings)}

        b.close()  # a clean stop hands the lead over at once
        assert a.jobs.step() is True
    finally:
        a.close()
        b.close()


def test_on_sqlite_one_leader_among_instances_and_a_standby_takes_over(fake_slack, sqlite_url):
    a = job_services(fake_slack, sqlite_url)
    b = job_services(fake_slack, sqlite_url)
    try:
        a.jobs.start(a, background=False)
        b.jobs.start(b, background=False)
        assert (a.jobs.leading, b.jobs.leading) == (True, False)
        assert b.jobs.step() is False
        assert b.jobs.jobs() == []

        a.close()  # a stop (or the process's end) lets go of the file
        assert b.jobs.step() is True
        assert b.jobs.leading
        assert {job.id for job in b.jobs.jobs()} == {spec.id for spec in job_specs(b.settings)}
    finally:
        a.close()
        b.close()
