"""Two approvals at once by someone not seen before each store their Slack name: one row,
and neither approval fails on the row the other inserted first."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from storage.db import session_scope
from storage.models import Responder
from storage.responders import remember_slack_name, set_signature

pytestmark = pytest.mark.storage

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.timed_wait  # the wait for the second transaction is bounded by the clock
def test_a_new_responder_stored_by_two_transactions_at_once_is_one_row(engine):
    failures: list[BaseException] = []

    def second() -> None:
        try:
            with session_scope(engine) as session:
                remember_slack_name(session, user_id="U0LEAD", name="Lena Lund", now=NOW)
        except BaseException as exc:
            failures.append(exc)

    with session_scope(engine) as first:
        remember_slack_name(first, user_id="U0LEAD", name="Lena", now=NOW)
        first.flush()  # the row is inserted, not committed, when the other one comes
        other = threading.Thread(target=second)
        other.start()
        other.join(timeout=0.5)  # it waits for this transaction: the same key
    other.join(timeout=30)

    assert failures == []
    with Session(engine) as session:
        rows = session.exec(select(Responder)).all()
    assert [(r.user_id, r.slack_name) for r in rows] == [("U0LEAD", "Lena Lund")]


def test_a_signature_and_a_looked_up_name_keep_each_other(engine):
    with session_scope(engine) as session:
        set_signature(session, user_id="U0ANNA", signature="  Anna, kundtjänst ", now=NOW)
    with session_scope(engine) as session:
        remember_slack_name(session, user_id="U0ANNA", name="Anna Berg", now=NOW)

    with Session(engine) as session:
        row = session.get(Responder, "U0ANNA")
    assert row is not None
    assert (row.signature, row.slack_name, row.name_checked_at) == (
        "Anna, kundtjänst",
        "Anna Berg",
        NOW,
    )
