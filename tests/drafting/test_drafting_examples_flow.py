"""Approved replies given back to the model: same language, never erased, never a customer's name."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.reviews.erasure import ErasureService
from storage.db import session_scope
from storage.examples import approved_replies
from tests.support.kpi import add_approved_reply

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SIGN_OFF = "\n\nVänliga hälsningar\nMaria\nCafé Lumi"
NEW_REVIEW = {
    "source": "google",
    "external_id": "sv-new",
    "rating": 1,
    "text": "Kaffet var kallt och personalen otrevlig när jag sa till.",
    "author": "Erik Lund",
    "language": "sv",
}


def llm_answer() -> dict:
    return {
        "reply": "Hej Erik!\n\nTack för att du skrev.",
        "review_translation": "The coffee was cold.",
        "reply_translation": "Hi Erik! Thanks for writing.",
        "themes": ["product_quality"],
        "feedback_kind": "factual",
        "priority": "normal",
        "urgent_reason": "",
    }


def test_the_query_gives_approved_replies_in_the_language_newest_first_never_erased(engine):
    older = add_approved_reply(
        engine, "a", text="Kallt kaffe.", reply="Hej!", author=None, at=NOW - timedelta(days=2)
    )
    newer = add_approved_reply(
        engine, "b", text="Lång kö.", reply="Hej Per!", author="Per Ek", at=NOW - timedelta(days=1)
    )
    add_approved_reply(
        engine, "c", text="Kald kaffe.", reply="Hei!", author=None, language="nb", at=NOW
    )
    erased = add_approved_reply(
        engine,
        "d",
        text="Otrevlig personal.",
        reply="Hej Karin!",
        author="Karin Holm",
        at=NOW,
    )
    ErasureService(engine, retention_days=None, clock=lambda: NOW).erase_author(
        "Karin Holm", actor="dpo@example.com"
    )
    with session_scope(engine) as session:
        found = approved_replies(session, language="sv", exclude_review_id=older, limit=10)
        assert [(r.review_text, r.author, r.reply_text) for r in found] == [
            ("Lång kö.", "Per Ek", "Hej Per!")
        ]
        both = approved_replies(session, language="sv", exclude_review_id=erased, limit=10)
        assert [r.reply_text for r in both] == ["Hej Per!", "Hej!"]
        assert len(approved_replies(session, language="sv", exclude_review_id=newer, limit=0)) == 0


def test_the_model_sees_anonymised_unsigned_examples_and_nothing_erased(app_factory, fake_openai):
    fake_openai.respond_with(lambda request: llm_answer())
    app = app_factory(
        openai_api_key="sk-test-key-for-the-fake",
        openai_base_url=fake_openai.base_url,
        openai_model="fake-model",
        openai_max_retries=1,
        openai_timeout=2,
    )
    engine = app.services.engine
    add_approved_reply(
        engine,
        "named",
        text="Personalen var otrevlig mot mig, Anna Svensson. Ring mig på 070-123 45 67.",
        reply="Hej Anna!\n\nTack för att du berättade, Anna. Hör av dig till "
        "kundservice@cafelumi.example." + SIGN_OFF,
        author="Anna Svensson",
        at=NOW,
    )
    add_approved_reply(
        engine,
        "erased",
        text="Kaffet var kallt, skriver Karin Holm.",
        reply="Hej Karin!\n\nFörlåt för det kalla kaffet." + SIGN_OFF,
        author="Karin Holm",
        at=NOW,
    )
    add_approved_reply(
        engine,
        "danish",
        text="Kaffen var kold.",
        reply="Hej Mette! Undskyld.",
        author="Mette",
        language="da",
        at=NOW,
    )
    ErasureService(engine, retention_days=None, clock=lambda: NOW).erase_author(
        "Karin Holm", actor="dpo@example.com"
    )

    review_id = app.post_reviews(NEW_REVIEW).json()["reviews"][0]["id"]
    app.wait_for_status(review_id, "pending")

    probe, request = fake_openai.requests()  # the output-mode probe at start, then the draft
    assert "<example>" not in json.dumps(probe) and NEW_REVIEW["text"] not in json.dumps(probe)
    system, user = request["messages"][0]["content"], request["messages"][-1]["content"]
    examples = user.split("<review>")[0]
    assert examples.count("<example>") == 1
    assert "Hej [customer]!" in examples and "Tack för att du berättade, [customer]." in examples
    assert "otrevlig mot mig, [customer]. Ring mig på [contact]." in examples
    for leaked in ("Anna", "Svensson", "070-123", "kundservice@", "Maria", "Vänliga hälsningar"):
        assert leaked not in examples
    for absent in ("Karin", "[erased]", "Mette"):
        assert absent not in user
    assert "other customers' reviews" in system
    assert "names replaced by [customer]" in system
