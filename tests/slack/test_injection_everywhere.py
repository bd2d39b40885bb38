"""Customer text cannot ping, link or format anything in Slack, wherever the app shows it.

Reviews, author names, locations and sources full of `<!channel>`, `<!here>`, `<@U…>`,
`<#C…>`, `<url|label>`, `*bold*` and backticks go through the real app (POST /reviews, signed
clicks, modals, slash commands, App Home) and the scheduled jobs (called with a fixed clock).
Then every text Slack received is walked — the arguments of every Web API call, every body
sent to a response_url and every acknowledgement body — and none may hold a raw sequence.
The escaped forms (`&lt;!channel&gt;`) may appear, and each surface is checked to show them,
so a surface that quietly dropped the text would not pass for a safe one.

Also: Slack's retries of an event and of a click (`X-Slack-Retry-Num`) do no harm twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from bot.blocks import ids
from bot.drafting.signature import SIGNATURE_SLOT
from bot.jobs import digest, escalation, nudges, patterns
from storage.models import utcnow
from tests.support.harness import REVIEWS_CHANNEL
from tests.support.jobs import NOW, add_review, approve, job_services, set_card, set_review
from tests.support.workflow import (
    ANNA,
    BJORN,
    assign_values,
    block_action,
    card_message,
    card_text,
    decisions,
    decline_values,
    drafts,
    edit_values,
    ephemerals_for,
    eventually,
    instruction_values,
    open_modal,
    post_review,
    start,
    view_submission,
)

INJECTION = (
    "<!channel> <!here> <@U0EVIL> <#C0EVIL> <https://evil.example|click> *bold* `tick` ```fence```"
)
SHORT_INJECTION = "<!here><@U0EVIL>*b*`t`"  # for fields limited to 64 characters (source)
RAW_SEQUENCES = ("<!channel>", "<!here>", "<@U0EVIL>", "<#C0EVIL>", "<https://evil.example|")
ESCAPED = "&lt;!channel&gt;"
ESCAPED_SHORT = "&lt;!here&gt;&lt;@U0EVIL&gt;"
LEAKS_SHOWN = 20
DIGEST_CHANNEL = "C0DIGEST"
# Monday 30 November 2026, 08:00 in Stockholm: the digest for the week NOW falls in.
DIGEST_AT = NOW + timedelta(days=5, hours=21)


def injected_review(external_id: str, **overrides: Any) -> dict[str, Any]:
    """A negative review with the injection in every free-text field a source can fill."""
    review = {
        "source": "google",
        "external_id": external_id,
        "rating": 1,
        "title": INJECTION,
        "text": f"Maten var kall och vi väntade en timme. {INJECTION}",
        "author": INJECTION,
        "language": "sv",
        "location": INJECTION,
        "url": "https://example.com/r?<!channel>",
    }
    review.update(overrides)
    return review


# ----- what Slack received ---------------------------------------------------------------


def _strings(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, dict):
        for key, value in node.items():
            # An input's prefilled value is shown as typed, never as mrkdwn, and is what gets
            # sent when approved: it must be the raw reply (checked where the modal opens).
            if key == "initial_value" and node.get("type") == "plain_text_input":
                continue
            yield from _strings(value, f"{where}.{key}")
    elif isinstance(node, list):
        for n, item in enumerate(node):
            yield from _strings(item, f"{where}[{n}]")


def slack_received(fake_slack: Any, acks: Iterable[httpx.Response] = ()) -> list[tuple[str, str]]:
    """(where, text) for every string Slack got from the app: Web API call arguments
    (refused calls too), response_url bodies, and acknowledgement bodies."""
    found: list[tuple[str, str]] = []
    for n, call in enumerate(fake_slack.calls()):
        found.extend(_strings(call.args, f"{call.method}#{n}"))
    for n, body in enumerate(fake_slack.responses()):
        found.extend(_strings(body, f"response_url#{n}"))
    for n, upload in enumerate(fake_slack.uploads()):
        found.extend(_strings(upload.get("initial_comment"), f"upload#{n}.initial_comment"))
    for n, ack in enumerate(acks):
        found.extend(_strings(ack.json() if ack.content else "", f"ack#{n}"))
    return found


def assert_inert(fake_slack: Any, acks: Iterable[httpx.Response] = ()) -> None:
    received = slack_received(fake_slack, acks)
    assert received, "Slack received nothing: the test drove nothing"
    leaks = [
        f"{where}: {raw!r} in {text[:200]!r}"
        for where, text in received
        for raw in RAW_SEQUENCES
        if raw.lower() in text.lower()  # parsing lowercases some echoes (`<@u0evil>`)
    ]
    shown_leaks = "\n".join(leaks[:LEAKS_SHOWN])
    assert not leaks, f"raw mrkdwn reached Slack {len(leaks)} times, first:\n{shown_leaks}"


def shown(message: dict) -> str:
    """Every string of a message or view, joined (for checking what a surface shows)."""
    return "\n".join(text for _, text in _strings(message, ""))


def thread_of(fake_slack: Any, review_id: int) -> list[dict]:
    card = card_message(fake_slack, review_id)
    return fake_slack.thread(REVIEWS_CHANNEL, card["ts"]) if card else []


def thread_shows(fake_slack: Any, review_id: int, words: str) -> bool:
    return any(words in shown(m) for m in thread_of(fake_slack, review_id))


def draft_shown(fake_slack: Any, review_id: int, version: int) -> bool:
    return f"*Draft reply* · version {version}" in card_text(fake_slack, review_id)


def poll(check: Callable[[], bool], *, timeout: float = 5.0) -> bool:
    """Like `eventually`, for a count that may legitimately stay short: the last answer."""
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.02)
    return check()


# ----- the card, its thread and its modals ------------------------------------------------


def llm_echoing_the_review(request: dict) -> dict:
    """A model that fell for the review: it repeats the injection everywhere it can."""
    return {
        "reply": f"Hej {INJECTION}! Förlåt för väntan.",
        "review_translation": f"The food was cold. {INJECTION}",
        "reply_translation": f"Hi {INJECTION}! Sorry for the wait.",
        "themes": ["waiting_time"],
        "feedback_kind": "factual",
        "priority": "urgent",
        "urgent_reason": INJECTION,
    }


def test_the_card_its_thread_and_its_modals_show_customer_text_inert(
    app_factory, fake_slack, fake_openai
):
    fake_openai.respond_with(llm_echoing_the_review)
    app = start(
        app_factory,
        openai_api_key="sk-test-key-for-the-fake",
        openai_base_url=fake_openai.base_url,
        openai_max_retries=0,
    )
    long_text = ("Maten var kall och vi väntade länge på bordet. " + INJECTION + "\n") * 40
    review_id = post_review(app, fake_slack, injected_review("inj-card", text=long_text))

    card = card_text(fake_slack, review_id)
    assert ESCAPED in card and "URGENT" in card

    # The start is on the card; the whole text follows in the thread, escaped as well.
    def text_parts() -> list[dict] | None:
        # The parts are posted one after the other: wait for more than the first.
        found = [m for m in thread_of(fake_slack, review_id) if "Review text, part" in m["text"]]
        return found if len(found) >= 2 else None

    parts = eventually(text_parts, what="the long text in the thread")
    assert all(ESCAPED in shown(m) for m in parts)

    # Edit: the modal prefills the reply exactly as the customer will read it, signed by the
    # editor; Slack names nobody here, so the brand's sign-off fills the slot.
    modal = open_modal(app, fake_slack, review_id, ids.ACTION_EDIT)
    reply_input = next(b for b in modal["blocks"] if b.get("block_id") == ids.BLOCK_REPLY_TEXT)
    draft_text = drafts(app, review_id)[-1].text
    assert SIGNATURE_SLOT in draft_text
    signed = draft_text.replace(SIGNATURE_SLOT, app.services.profile.signoff)
    assert reply_input["element"]["initial_value"] == signed
    assert ESCAPED in shown(modal)  # the review and the translation beside it

    # Regenerate with an instruction that is itself an injection: quoted in the thread.
    modal = open_modal(app, fake_slack, review_id, ids.ACTION_REGENERATE)
    app.send_interaction(view_submission(modal, instruction_values(INJECTION)))
    eventually(lambda: len(drafts(app, review_id)) == 2, what="the regenerated draft")
    app.wait_for_status(review_id, "pending")
    eventually(lambda: thread_shows(fake_slack, review_id, ESCAPED), what="the instruction")

    # A person's draft full of mrkdwn, then approved: the card shows it as text.
    eventually(lambda: draft_shown(fake_slack, review_id, 2), what="the card with draft 2")
    modal = open_modal(app, fake_slack, review_id, ids.ACTION_EDIT, user=BJORN)
    app.send_interaction(
        view_submission(modal, edit_values(f"Hej! {INJECTION}", approve_now=False), user=BJORN)
    )
    eventually(lambda: draft_shown(fake_slack, review_id, 3), what="the card with draft 3")
    modal = open_modal(app, fake_slack, review_id, ids.ACTION_ASSIGN)
    app.send_interaction(view_submission(modal, assign_values(BJORN)))
    eventually(lambda: f"Owner: <@{BJORN}>" in card_text(fake_slack, review_id), what="owner")
    app.send_interaction(block_action(card_message(fake_slack, review_id), ids.ACTION_APPROVE))
    app.wait_for_status(review_id, "approved")
    eventually(lambda: "Copy this reply" in card_text(fake_slack, review_id), what="approved")
    assert f"Hej! {ESCAPED}" in card_text(fake_slack, review_id)
    eventually(lambda: thread_shows(fake_slack, review_id, "approved the reply"))

    # Declined with a note that is an injection; the source is one too.
    other = post_review(
        app, fake_slack, injected_review("inj-decline", source=SHORT_INJECTION, text="Kallt.")
    )
    assert ESCAPED_SHORT in card_text(fake_slack, other)
    modal = open_modal(app, fake_slack, other, ids.ACTION_DECLINE)
    app.send_interaction(view_submission(modal, decline_values("other", INJECTION)))
    app.wait_for_status(other, "declined")
    eventually(lambda: "Declined" in card_text(fake_slack, other), what="declined card")
    assert ESCAPED in card_text(fake_slack, other)
    eventually(lambda: thread_shows(fake_slack, other, "declined the review"))

    assert_inert(fake_slack)


# ----- /reviews answers, help and the App Home tab ----------------------------------------


def home_opened(app, user: str, **kw: Any) -> httpx.Response:
    event = {
        "type": "app_home_opened",
        "user": user,
        "channel": "D0HOME",
        "tab": "home",
        "event_ts": f"{utcnow().timestamp():.6f}",
    }
    return app.send_event(event, **kw)


def test_slash_command_answers_help_and_app_home_show_customer_text_inert(app_factory, fake_slack):
    app = start(app_factory)  # template drafts: they greet the customer by the injected name
    mine = post_review(app, fake_slack, injected_review("inj-mine", source=SHORT_INJECTION))
    post_review(app, fake_slack, injected_review("inj-backlog"))
    modal = open_modal(app, fake_slack, mine, ids.ACTION_ASSIGN)
    app.send_interaction(view_submission(modal, assign_values(ANNA)))
    eventually(lambda: f"Owner: <@{ANNA}>" in card_text(fake_slack, mine), what="the owner")

    commands = {
        "pending": "pending",
        "pending-location": "pending location:<!channel>",
        "kpi-location": 'kpi 7d location:"<!channel> <@U0EVIL>" source:<!here>',
    }
    acks = [
        app.send_command(text, response_url=fake_slack.response_url(key))
        for key, text in commands.items()
    ]
    # What /reviews does not understand is echoed back in the help.
    helps = [
        app.send_command(text)
        for text in (
            "<!channel>",
            "kpi <@U0EVIL>",
            "pending <#C0EVIL> <https://evil.example|click>",
            "kpi <!here>:x",
        )
    ]
    assert all(r.status_code == 200 for r in acks + helps)
    assert all("How to use /reviews" in shown(r.json()) for r in helps)
    assert "&lt;!channel&gt;" in shown(helps[0].json())
    assert "&lt;#C0EVIL&gt;" in shown(helps[2].json())

    eventually(lambda: len(fake_slack.responses()) == len(commands), what="the answers")
    pending = shown(fake_slack.responses("pending")[0])
    assert f"Review {mine}" in pending and ESCAPED in pending and ESCAPED_SHORT in pending
    assert "location: &lt;!channel&gt;" in shown(fake_slack.responses("pending-location")[0])
    kpi = shown(fake_slack.responses("kpi-location")[0])
    assert "location: &lt;!channel&gt; &lt;@U0EVIL&gt;" in kpi and "source: &lt;!here&gt;" in kpi

    assert home_opened(app, ANNA).status_code == 200
    fake_slack.wait_for("views.publish")
    home = shown(fake_slack.home_view(ANNA))
    assert "Assigned to you · 1" in home and "Team backlog · 2" in home
    assert home.count(ESCAPED) >= 2

    assert_inert(fake_slack, acks + helps)


# ----- what the scheduler posts ------------------------------------------------------------


@pytest.fixture
def services(fake_slack, database_url):
    services = job_services(
        fake_slack,
        database_url,
        digest_channel=DIGEST_CHANNEL,
        escalation_contacts="U0BOSS",
        approvers="U0ANNA",
    )
    yield services
    services.close()


def test_digest_pattern_alert_nudges_and_escalations_show_customer_text_inert(fake_slack, services):
    written = NOW - timedelta(hours=30)  # past the 24 h deadline, inside the digest's week
    review_ids = []
    for n in range(3):
        review_id = add_review(
            services,
            f"inj-job-{n}",
            author=INJECTION,
            title=INJECTION,
            text=f"{INJECTION} kallt kaffe",
            location=INJECTION,
            source=SHORT_INJECTION if n == 0 else "google",
        )
        set_review(
            services, review_id, themes=["waiting_time"], created_at=written, received_at=written
        )
        set_card(services, review_id, posted_at=NOW - timedelta(hours=5))
        review_ids.append(review_id)

    assert patterns.run(services, NOW) == 1
    assert nudges.run(services, NOW) == 3
    assert escalation.run(services, NOW) == 3
    approve(services, review_ids[0])
    assert digest.run(services, DIGEST_AT) is True

    channel = fake_slack.messages(REVIEWS_CHANNEL)
    [alert] = [m for m in channel if "*Pattern:*" in m["text"]]
    assert "*Waiting time*" in shown(alert)
    # The three late reviews of one sweep are one escalation, listing each.
    [escalated] = [m for m in channel if "Reply deadline passed" in m["text"]]
    assert shown(escalated).count(ESCAPED) == 3
    [digest_message] = fake_slack.messages(DIGEST_CHANNEL)[:1]
    assert "Top themes in negative reviews" in shown(digest_message)
    assert ESCAPED in shown(digest_message)  # the theme's example
    assert "&lt;!here&gt;" in shown(digest_message)  # the source table
    assert len(fake_slack.uploads()) == 1

    assert_inert(fake_slack)


# ----- Slack retries ----------------------------------------------------------------------

RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def test_a_retried_app_home_opened_event_is_answered_and_publishes_at_most_twice(app, fake_slack):
    first = home_opened(app, ANNA, event_id="Ev0HOME1")
    again = home_opened(app, ANNA, event_id="Ev0HOME1", headers=RETRY)

    assert (first.status_code, again.status_code) == (200, 200)
    # Bolt (1.30) does not drop retries: both deliveries publish. Harmless, as the tab is
    # rebuilt from storage each time; recorded here so a change in Bolt shows.
    poll(lambda: len(fake_slack.ok_calls("views.publish")) >= 2)
    publishes = fake_slack.ok_calls("views.publish")
    assert 1 <= len(publishes) <= 2
    assert all(c.args["user_id"] == ANNA for c in publishes)
    assert "Team backlog · 0" in shown(fake_slack.home_view(ANNA))


def test_a_retried_approve_click_makes_exactly_one_decision(app_factory, fake_slack):
    app = start(app_factory)
    review_id = post_review(app, fake_slack, injected_review("inj-retry"))
    click = block_action(card_message(fake_slack, review_id), ids.ACTION_APPROVE, user=ANNA)

    first = app.send_interaction(click)
    again = app.send_interaction(click, headers=RETRY)

    assert (first.status_code, again.status_code) == (200, 200)
    app.wait_for_status(review_id, "approved")
    # The retry is refused privately (the card it clicked is out of date, or decided).
    eventually(lambda: ephemerals_for(fake_slack, ANNA), what="the retry's refusal")
    [decision] = decisions(app, review_id, "approved")
    assert decision.actor == ANNA
    eventually(lambda: "Approved" in card_text(fake_slack, review_id), what="approved card")
    assert_inert(fake_slack, [first, again])
