"""Word that work is due wakes one waiting thread of the group that claims its kind: a thread
per review stored, not every thread, each then running a claim that mostly finds nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine

from bot.reviews.work_queue import WorkQueue
from storage.models import WorkKind

pytestmark = pytest.mark.timed_wait  # waits with a deadline: they do not end on time under faketime

QUICK = (WorkKind.triage, WorkKind.card)
DRAFTING = (WorkKind.draft, WorkKind.regenerate)


@pytest.fixture
def queue():
    engine = create_engine("sqlite://")  # waking never reads the database
    yield WorkQueue(engine, lease=timedelta(seconds=60))
    engine.dispose()


def waiter(queue: WorkQueue, kinds) -> threading.Thread:
    seen = queue.announced(kinds)
    thread = threading.Thread(target=queue.wait, args=(kinds, seen, None), daemon=True)
    thread.start()
    return thread


def woken(threads: list[threading.Thread], count: int) -> list[threading.Thread]:
    """Wait (with a deadline) until `count` of the threads have returned; those."""
    for _ in range(200):
        done = [t for t in threads if not t.is_alive()]
        if len(done) >= count:
            return done
        threading.Event().wait(0.01)
    return [t for t in threads if not t.is_alive()]


def test_one_announcement_wakes_one_thread_of_the_group_that_claims_its_kind(queue):
    quick = [waiter(queue, QUICK) for _ in range(3)]
    drafting = [waiter(queue, DRAFTING) for _ in range(2)]
    for _ in range(500):  # every waiter inside its wait before the announcement
        if queue.idle() == 5:
            break
        threading.Event().wait(0.01)
    assert queue.idle() == 5

    queue.wake(WorkKind.triage)

    assert len(woken(quick, 1)) == 1
    assert sum(t.is_alive() for t in quick) == 2
    assert all(t.is_alive() for t in drafting)  # drafting threads do not triage

    queue.wake()  # any kind (the poller found something due): one of each group
    assert len(woken(quick, 2)) == 2
    assert len(woken(drafting, 1)) == 1
    queue.close()  # stopping wakes everyone
    assert len(woken(quick + drafting, 5)) == 5


def test_an_announcement_before_the_wait_is_not_lost(queue):
    seen = queue.announced(QUICK)
    queue.wake(WorkKind.card)  # while the thread was claiming (and found nothing)
    thread = threading.Thread(target=queue.wait, args=(QUICK, seen, None), daemon=True)
    thread.start()
    thread.join(5)
    assert not thread.is_alive()
