"""The drafter against each kind of OpenAI-compatible server people use, over real HTTP."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot.drafting import DraftingError, OutputMode, PromptLibrary
from bot.drafting.llm import PROBE_REVIEW
from tests.fakes.local_server import Reply
from tests.fakes.openai_api import FakeOpenAI
from tests.support.llm import (
    API_KEY,
    SIGNED,
    answer,
    formats,
    make_drafter,
    prompt_library,
    review,
)

PROSE = "Sure! Here is a warm reply you could send: Hej Anna, we are so sorry about the coffee."


@pytest.fixture
def library() -> PromptLibrary:
    return prompt_library()


def serving(kind: str = "openai", responder=lambda request: answer()) -> FakeOpenAI:
    fake = FakeOpenAI(kind=kind)
    fake.respond_with(responder)
    return fake


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with serving() as server:
        yield server


def reason(drafter, draft_review=None) -> str:
    with pytest.raises(DraftingError) as caught:
        drafter.draft(draft_review or review())
    return caught.value.reason


def probed(request: dict) -> bool:
    return PROBE_REVIEW.text in request["messages"][-1]["content"]


# ----- the output mode -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "mode", "asked"),
    [
        ("openai", "json_schema", ["json_schema"]),
        ("lm-studio", "json_schema", ["json_schema"]),
        ("deepseek", "json_object", ["json_schema", "json_object"]),
        ("text-only", "text", ["json_schema", "json_object", "text"]),
        ("fenced", "json_schema", ["json_schema"]),
        ("ignores-format", "json_schema", ["json_schema"]),
    ],
)
def test_the_probe_finds_the_strongest_mode_the_server_honours(library, kind, mode, asked):
    with serving(kind) as fake:
        drafter = make_drafter(fake, library)
        result = drafter.probe()
        assert formats(fake) == asked
        assert all(probed(request) for request in fake.requests())
        assert (result.mode, drafter.mode) == (mode, mode)
        assert len(result.refused) == len(asked) - 1
        assert result.server == fake.url.removeprefix("http://")
        assert result.problem is None

        # Drafts then go straight to that mode.
        assert drafter.draft(review()).text == SIGNED
        assert formats(fake) == [*asked, mode]


def test_the_probe_logs_the_mode_once_with_the_servers_words_and_no_key(library, caplog):
    caplog.set_level(logging.INFO, logger="bot.drafting")
    with serving("deepseek") as fake:
        make_drafter(fake, library).probe()
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    [line] = [line for line in lines if "takes" in line]
    assert "json_object output" in line and "fake-model" in line
    assert "This response_format type is unavailable now" in line
    assert API_KEY not in caplog.text


def test_a_server_that_ignores_the_format_and_answers_prose_ends_in_text_mode(library):
    with serving("ignores-format", lambda request: PROSE) as fake:
        drafter = make_drafter(fake, library)
        result = drafter.probe()
        assert formats(fake) == ["json_schema", "json_object", "text", "text"]
    assert result.mode is OutputMode.TEXT
    assert result.refused == (
        "json_schema: ignored, answered prose",
        "json_object: ignored, answered prose",
    )
    assert "answered in prose" in result.problem and "Sure! Here is a warm reply" in result.problem


def test_a_probe_against_a_dead_server_does_not_stop_anything_and_the_first_draft_probes(library):
    with serving() as fake:
        drafter = make_drafter(fake, library)
        fake.fail_next(503)
        result = drafter.probe()
        assert result.mode is None and drafter.mode is None
        assert result.problem.startswith("the AI service failed (HTTP 503)")

        assert drafter.draft(review()).text == SIGNED
        assert drafter.mode is OutputMode.JSON_SCHEMA
        assert formats(fake) == ["json_schema", "json_schema"]


@pytest.mark.timed_wait  # the fake holds the probe's answer with Event.wait(0.3)
def test_drafts_started_during_the_background_probe_wait_for_its_answer(library):
    with serving("deepseek") as fake:
        drafter = make_drafter(fake, library)
        fake.hang_next(0.3)  # the probe's first question is slow to answer
        drafter.start_probe()
        result = drafter.draft(review())
        requests = fake.requests()
    assert result.text == SIGNED
    assert [probed(r) for r in requests] == [True, True, False]
    # The draft asked in the mode the probe found, not all over again.
    assert [(r.get("response_format") or {}).get("type") for r in requests] == [
        "json_schema",
        "json_object",
        "json_object",
    ]


def test_the_app_probes_at_start_and_drafts_in_the_mode_found(app_factory, library):
    nynorsk = {
        "source": "google",
        "external_id": "probe-1",
        "rating": 1,
        "author": "Ola",
        "text": "Vi venta i over ein time, og maten var kald då han kom.",
    }
    with serving("deepseek") as fake:
        app = app_factory(
            openai_api_key=API_KEY,
            openai_base_url=fake.base_url,
            openai_model="fake-model",
            openai_max_retries=0,
            openai_timeout=5,
        )
        review_id = app.post_reviews(nynorsk).json()["reviews"][0]["id"]
        app.wait_for_status(review_id, "pending")
        requests = fake.requests()
    assert [probed(r) for r in requests] == [True, True, False]
    assert formats(fake) == ["json_schema", "json_object", "json_object"]
    assert app.services.drafter.mode is OutputMode.JSON_OBJECT


# ----- answers: fences, prose, limits --------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "```json\n{answer}\n```",
        "```\n{answer}\n```",
        "Here is the draft you asked for:\n{answer}\nI hope it helps!",
        "Sure.\n```json\n{answer}\n```\nLet me know if {{tone}} should change.",
    ],
)
def test_fences_and_prose_around_the_json_are_stripped_in_structured_mode(fake, library, content):
    fake.respond_with(lambda request: content.format(answer=json.dumps(answer())))
    drafter = make_drafter(fake, library)
    assert drafter.draft(review()).text == SIGNED
    assert formats(fake) == ["json_schema"]  # one call: nothing failed
    assert drafter.mode is OutputMode.JSON_SCHEMA


def test_a_fenced_server_in_json_object_mode_is_read_too(library):
    with serving("fenced") as fake:
        drafter = make_drafter(fake, library)
        fake.fail_next(Reply.json({"detail": "json_schema off"}, 400))
        assert drafter.draft(review()).text == SIGNED
    assert formats(fake) == ["json_schema", "json_object"]


def test_prose_with_status_200_is_a_clear_drafting_error_not_a_crash(fake, library):
    drafter = make_drafter(fake, library)
    drafter.draft(review())  # the mode is known: json_schema
    fake.respond_with(lambda request: PROSE)
    text = reason(drafter)
    assert text.startswith("the AI service did not return a valid draft in 2 tries")
    assert "answered in prose: “Sure! Here is a warm reply" in text
    assert formats(fake) == ["json_schema"] * 3


def test_an_empty_answer_is_a_clear_drafting_error(fake, library):
    drafter = make_drafter(fake, library)
    drafter.draft(review())
    fake.respond_with(lambda request: "")
    assert "answered in prose: “(empty)”" in reason(drafter)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            Reply(200, b"<html>Sign in to the proxy</html>", {"Content-Type": "text/html"}),
            "did not answer like an OpenAI-compatible server (“<html>Sign in to the proxy</html>”)"
            ": check OPENAI_BASE_URL",
        ),
        (Reply(200), "did not answer like an OpenAI-compatible server (an empty answer)"),
        (Reply.json({"choices": []}), "the AI service answered without a draft (no choices)"),
    ],
)
def test_a_200_that_is_not_a_completion_is_a_clear_drafting_error(fake, library, body, expected):
    fake.fail_next(body)
    assert expected in reason(make_drafter(fake, library))


def test_max_tokens_is_sent_and_a_cut_off_answer_says_so(fake, library):
    drafter = make_drafter(fake, library, max_tokens=40)
    text = reason(drafter)
    assert text == (
        "the AI service's answer was cut off: it reached OPENAI_MAX_TOKENS before the end"
    )
    [request] = fake.requests()
    assert request["max_tokens"] == 40 and "max_completion_tokens" not in request


def test_a_model_that_wants_max_completion_tokens_gets_it_from_then_on(library):
    with serving("openai-reasoning") as fake:
        drafter = make_drafter(fake, library)
        drafter.draft(review())
        drafter.draft(review())
        requests = fake.requests()
    assert ["max_tokens" in r for r in requests] == [True, False, False]
    assert [r.get("max_completion_tokens") for r in requests] == [None, 1000, 1000]
    assert drafter.mode is OutputMode.JSON_SCHEMA


# ----- a 400 of any shape falls back; its words reach the card -------------------------------


@pytest.mark.parametrize(
    ("refusal", "words"),
    [
        (
            Reply.json(
                {"error": {"message": "Input is too long.", "type": "x", "code": None}}, 400
            ),
            "Input is too long.",
        ),
        (Reply.json({"detail": "Input is too long."}, 400), "Input is too long."),
        (
            Reply.json(
                {"detail": [{"loc": ["body"], "msg": "Input is too long.", "type": "v"}]}, 422
            ),
            "Input is too long.",
        ),
        (Reply.json({"error": "Input is too long."}, 400), "Input is too long."),
        (Reply.text("Input is too long.", 400), "Input is too long."),
        (
            Reply(400, b"<html><body><h1>Input is too long.</h1></body></html>", {}),
            "Input is too long.",
        ),
    ],
)
def test_a_refusal_of_any_shape_falls_back_and_its_words_reach_the_reason(
    fake, library, caplog, refusal, words
):
    drafter = make_drafter(fake, library)
    drafter.draft(review())
    fake.fail_next(refusal, refusal, refusal)
    text = reason(drafter)
    assert text == f"the AI service refused the request (HTTP {refusal.status}): {words}"
    assert formats(fake) == ["json_schema", "json_schema", "json_object", "text"]
    # A refusal that every mode gets is not about the mode: the one that worked is kept.
    assert drafter.mode is OutputMode.JSON_SCHEMA
    assert words in caplog.text


def test_a_long_refusal_is_shortened_on_the_card_and_whole_in_the_log(fake, library, caplog):
    long = "The request was refused because " + "of a very long explanation, " * 30 + "END"
    refusal = Reply.json({"detail": long}, 400)
    drafter = make_drafter(fake, library, max_tokens=1000)
    fake.fail_next(refusal, refusal, refusal)
    text = reason(drafter)
    words = text.removeprefix("the AI service refused the request (HTTP 400): ")
    assert 150 < len(words) <= 200 and words.endswith("…")
    assert "END" in caplog.text


def test_a_server_that_stops_taking_its_mode_falls_back_for_good(fake, library):
    drafter = make_drafter(fake, library)
    drafter.draft(review())
    fake.fail_next(Reply.json({"detail": "structured output is switched off"}, 400))
    drafter.draft(review())
    drafter.draft(review())
    assert formats(fake) == ["json_schema", "json_schema", "json_object", "json_object"]
    assert drafter.mode is OutputMode.JSON_OBJECT


# ----- failures, worded for a responder, retried only when waiting helps -------------------------


def test_a_spent_quota_is_not_retried_and_says_to_check_billing(fake, library):
    fake.fail_next("insufficient_quota", "insufficient_quota", retry_after=0.001)
    drafter = make_drafter(fake, library, max_retries=3)
    assert reason(drafter) == "the AI service has no quota left: check the account's billing"
    assert len(fake.requests()) == 1


def test_a_rate_limit_is_retried_by_the_client_as_the_server_asks(fake, library):
    fake.fail_next(429, retry_after=0.001)
    result = make_drafter(fake, library, max_retries=2).draft(review())
    assert result.text == SIGNED
    assert len(fake.requests()) == 2


def test_a_lasting_rate_limit_says_it_will_be_tried_again(fake, library):
    fake.fail_next(429)
    assert reason(make_drafter(fake, library)) == (
        "the AI service is busy (rate limited): use Try again in a minute"
    )


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (401, "the AI service refused the API key: check OPENAI_API_KEY"),
        (
            "unsupported_country",
            "the AI service refused the API key: check OPENAI_API_KEY "
            "(Country, region, or territory not supported)",
        ),
    ],
)
def test_a_refused_key_is_not_retried_and_names_the_setting(fake, library, fault, expected):
    fake.fail_next(fault, fault)
    text = reason(make_drafter(fake, library, max_retries=3))
    assert text == expected
    assert API_KEY not in text
    assert len(fake.requests()) == 1


def test_a_model_that_does_not_exist_is_named(fake, library):
    fake.fail_next("model_not_found")
    text = reason(make_drafter(fake, library, model="gpt-9-turbo", max_retries=3))
    assert text == "the model gpt-9-turbo does not exist on the AI service"
    assert len(fake.requests()) == 1


def test_a_wrong_base_url_is_told_apart_from_a_missing_model(fake, library):
    fake.fail_next(Reply.text("404 page not found", 404))
    text = reason(make_drafter(fake, library))
    assert text.startswith("the AI service at 127.0.0.1:")
    assert text.endswith("has no chat completions: check OPENAI_BASE_URL (404 page not found)")


def test_a_slow_server_is_a_timeout_in_seconds(fake, library):
    fake.hang_next(5)
    assert reason(make_drafter(fake, library, timeout=0.2)) == (
        "the AI service did not answer within 0.2 s"
    )


def test_a_server_error_carries_its_words_and_the_tries(fake, library):
    fake.fail_next(500, 500, retry_after=0.001)
    text = reason(make_drafter(fake, library, max_retries=1))
    assert text == (
        "the AI service failed (HTTP 500, 2 tries): "
        "The server had an error while processing your request."
    )


def test_a_server_that_cannot_be_reached_is_named_by_host(library):
    with serving() as fake:
        drafter = make_drafter(fake, library)
        address = fake.url.removeprefix("http://")
    assert reason(drafter) == f"the AI service could not be reached at {address}"
    assert drafter.probe().mode is None
