"""Publishing approved replies through the outgoing webhook: signed, retried, shown on the card."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading

import pytest

from bot.blocks import ids
from bot.publishing.base import ERASED_NOT_SENT, OutgoingReply, PublishError
from bot.publishing.webhook import WebhookPublisher
from bot.reviews.refusals import ERASED_REVIEW
from storage.erasure import ERASED
from storage.models import PublishState
from tests.fakes.local_server import LocalServer, Reply, Request
from tests.support.harness import AppHarness
from tests.support.jobs import set_review
from tests.support.workflow import (
    ANNA,
    NEGATIVE_REVIEW,
    block_action,
    buttons,
    card_message,
    card_text,
    decisions,
    ephemerals_for,
    eventually,
    post_review,
    review,
    start,
)

SECRET = "webhook-secret-for-tests"


class ReplyReceiver(LocalServer):
    """The operator's end of the webhook: checks the signature, answers scripted statuses."""

    def __init__(self, secret: str = SECRET) -> None:
        super().__init__()
        self.secret = secret
        self.statuses: list[int] = []
        self.received: list[dict] = []
        self._lock = threading.Lock()

    def handle(self, request: Request) -> Reply:
        expected = (
            "sha256=" + hmac.new(self.secret.encode(), request.body, hashlib.sha256).hexdigest()
        )
        signed = hmac.compare_digest(request.headers.get("X-Reviewbot-Signature", ""), expected)
        with self._lock:
            self.received.append(
                {
                    "signed": signed,
                    "body": json.loads(request.body),
                    "delivery": request.headers.get("X-Reviewbot-Delivery"),
                }
            )
            status = self.statuses.pop(0) if self.statuses else 200
        if not signed:
            return Reply.text("bad signature", 401)
        return Reply.text("ok" if status < 400 else "no", status)


@pytest.fixture
def receiver():
    with ReplyReceiver() as server:
        yield server


def reply() -> OutgoingReply:
    return OutgoingReply(7, "google", "g-7", "Hej Åsa, förlåt! 對不起")


def test_the_webhook_body_is_signed_with_hmac_sha256_of_the_exact_bytes(receiver):
    publisher = WebhookPublisher(f"{receiver.url}/replies", SECRET, sleep=lambda _: None)

    publisher.publish(reply())

    [got] = receiver.received
    assert got == {
        "signed": True,
        "body": {
            "review_id": 7,
            "source": "google",
            "external_id": "g-7",
            "reply": "Hej Åsa, förlåt! 對不起",
        },
        "delivery": "review-7",
    }


def test_the_webhook_retries_a_server_error_and_gives_up_on_a_refusal(receiver):
    waits: list[float] = []
    publisher = WebhookPublisher(f"{receiver.url}/replies", SECRET, sleep=waits.append)
    receiver.statuses = [503, 502]

    publisher.publish(reply())
    assert len(receiver.received) == 3 and waits == [1.0, 2.0]

    receiver.statuses = [400]
    with pytest.raises(PublishError, match="HTTP 400"):
        publisher.publish(reply())
    assert len(receiver.received) == 4


def test_a_wrong_secret_is_caught_by_the_receiver(receiver):
    publisher = WebhookPublisher(f"{receiver.url}/replies", "another-secret", sleep=lambda _: None)

    with pytest.raises(PublishError, match="HTTP 401"):
        publisher.publish(reply())
    assert receiver.received[0]["signed"] is False


def test_an_approved_reply_is_published_and_a_failure_can_be_retried(
    app_factory, fake_slack, receiver
):
    app = start(
        app_factory,
        reply_webhook_url=f"{receiver.url}/replies",
        reply_webhook_secret=SECRET,
    )
    review_id = post_review(app, fake_slack)
    receiver.statuses = [422]  # the operator's system refuses it once: no retry for a 4xx

    app.send_interaction(block_action(card_message(fake_slack, review_id), ids.ACTION_APPROVE))

    eventually(lambda: review(app, review_id).publish_state == "failed", what="the failure")
    assert review(app, review_id).publish_error == "the reply webhook answered HTTP 422"
    eventually(lambda: "Publishing on Google failed" in card_text(fake_slack, review_id))
    card = card_message(fake_slack, review_id)
    app.send_interaction(block_action(card, ids.ACTION_RETRY_PUBLISH))

    eventually(lambda: review(app, review_id).publish_state == "published", what="publishing")
    assert review(app, review_id).published_at is not None
    [approval] = decisions(app, review_id, "approved")
    assert [r["body"]["reply"] for r in receiver.received] == [approval.final_text] * 2
    assert all(r["signed"] for r in receiver.received)
    eventually(lambda: "Published on Google" in card_text(fake_slack, review_id))


def test_the_webhook_publisher_never_sends_erased_text(receiver):
    publisher = WebhookPublisher(f"{receiver.url}/replies", SECRET, sleep=lambda _: None)
    try:
        for text in (ERASED, f"{ERASED}\n\nAnna, Café Lumi"):
            with pytest.raises(PublishError) as refused:
                publisher.publish(OutgoingReply(7, "google", "g-7", text))
            assert refused.value.reason == ERASED_NOT_SENT
    finally:
        publisher.close()
    assert receiver.received == []


@pytest.fixture
def app(fake_slack, database_url, receiver):
    harness = AppHarness.start(
        fake_slack=fake_slack,
        database_url=database_url,
        card_post_interval=0,
        scheduler_enabled=False,
        reply_webhook_url=f"{receiver.url}/replies",
        reply_webhook_secret=SECRET,
    )
    yield harness
    harness.stop()


def erase(app) -> None:
    app.services.erasure.erase_review("google", NEGATIVE_REVIEW["external_id"], actor="dpo")


def test_approve_on_an_erased_card_sends_nothing_to_the_webhook(app, fake_slack, receiver):
    review_id = post_review(app, fake_slack)
    card = card_message(fake_slack, review_id)
    erase(app)

    assert app.send_interaction(block_action(card, ids.ACTION_APPROVE)).status_code == 200

    assert eventually(lambda: ephemerals_for(fake_slack, ANNA)) == [ERASED_REVIEW]
    assert receiver.received == []
    assert review(app, review_id).publish_state == "none"
    assert decisions(app, review_id, "approved") == []
    assert "Published" not in card_text(fake_slack, review_id)


def test_a_failed_reply_of_a_review_erased_since_is_never_sent(app, fake_slack, receiver):
    review_id = post_review(app, fake_slack)
    receiver.statuses = [422]
    app.send_interaction(block_action(card_message(fake_slack, review_id), ids.ACTION_APPROVE))
    eventually(lambda: ids.ACTION_RETRY_PUBLISH in buttons(card_message(fake_slack, review_id)))
    card = card_message(fake_slack, review_id)
    erase(app)
    assert ids.ACTION_RETRY_PUBLISH not in buttons(card_message(fake_slack, review_id))

    assert app.send_interaction(block_action(card, ids.ACTION_RETRY_PUBLISH)).status_code == 200
    assert eventually(lambda: ephemerals_for(fake_slack, ANNA)) == [ERASED_REVIEW]
    # Even when something asks for it to go out (a sweep, a restart), it does not.
    set_review(app.services, review_id, publish_state=PublishState.publishing)
    app.services.publishing.publish(review_id)

    assert len(receiver.received) == 1  # the first try, before the erasure
    assert (review(app, review_id).publish_state, review(app, review_id).publish_error) == (
        "failed",
        ERASED_NOT_SENT,
    )
    assert "Published on" not in card_text(fake_slack, review_id)
