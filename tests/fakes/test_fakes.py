"""The fakes, driven through the real slack_sdk and openai clients they stand in for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import openai
import pytest
from pydantic import BaseModel
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.cards.slack_client import RateLimitRetry
from tests.fakes.openai_api import DEFAULT_CONTENT, FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_blocks import validate_blocks, validate_view
from tests.support.clock import TestWaits

REPO = Path(__file__).resolve().parents[2]
TOKEN = "xoxb-test-token"


@pytest.fixture(autouse=True)
def _no_real_credentials_or_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("SLACK_", "OPENAI_")) or name.lower() in ("http_proxy", "https_proxy"):
            monkeypatch.delenv(name)


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=slack.api_url)


@pytest.fixture
def llm():
    with FakeOpenAI() as fake:
        yield fake


def section(text: str, **extra) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(action_id: str, text: str = "Approve", **extra) -> dict:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": text},
        **extra,
    }


def modal(**extra) -> dict:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Edit reply"},
        "blocks": [],
    } | extra


def slack_error(call) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        call()
    return caught.value


def refused(call) -> str:
    """The `error` Slack answered a call with (the call must fail)."""
    return slack_error(call).response["error"]


# ----- FakeSlack: auth and routing ---------------------------------------------------------


def test_auth_test_identifies_the_bot(client: WebClient) -> None:
    answer = client.auth_test()
    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == ("T0TEST", "U0BOT", "B0BOT")


def test_wrong_or_missing_token_is_refused_as_slack_does(slack: FakeSlack) -> None:
    wrong = WebClient(token="xoxb-somebody-else", base_url=slack.api_url)
    anonymous = WebClient(base_url=slack.api_url)
    assert refused(lambda: wrong.chat_postMessage(channel="C1", text="x")) == "invalid_auth"
    assert refused(anonymous.auth_test) == "not_authed"
    assert slack.messages("C1") == []
    assert [c.token for c in slack.calls()] == ["xoxb-somebody-else", None]


def test_token_may_come_as_a_form_field(slack: FakeSlack) -> None:
    anonymous = WebClient(base_url=slack.api_url)
    assert anonymous.api_call("auth.test", params={"token": TOKEN})["ok"]
    assert slack.calls("auth.test")[0].token == TOKEN


def test_unknown_method_is_a_loud_404(client: WebClient, slack: FakeSlack) -> None:
    error = slack_error(lambda: client.api_call("chat.postMesage", json={"channel": "C1"}))
    assert error.response.status_code == 404
    assert error.response["error"] == "unknown_method"
    assert slack.calls()[0].method == "chat.postMesage"


# ----- FakeSlack: messages and threads -----------------------------------------------------


def test_posted_card_is_held_with_blocks_and_metadata(client: WebClient, slack: FakeSlack) -> None:
    metadata = {"event_type": "review_card", "event_payload": {"review_id": 7}}
    blocks = [section("*1 star* from Kari"), {"type": "actions", "elements": [button("approve")]}]
    first = client.chat_postMessage(
        channel="C1", text="New review", blocks=blocks, metadata=metadata
    )
    second = client.chat_postMessage(channel="C1", text="Another")

    assert float(second["ts"]) > float(first["ts"])
    [card, other] = slack.messages("C1")
    assert card["ts"] == first["ts"]
    assert (card["text"], card["blocks"], card["metadata"]) == ("New review", blocks, metadata)
    assert (card["user"], other["text"]) == ("U0BOT", "Another")


def test_form_encoded_json_fields_are_decoded(client: WebClient, slack: FakeSlack) -> None:
    blocks = [section("hello")]
    client.api_call(
        "chat.postMessage",
        params={"channel": "C1", "text": "hi", "blocks": json.dumps(blocks), "unfurl_links": "0"},
    )
    [call] = slack.calls("chat.postMessage")
    assert call.args["blocks"] == blocks
    assert call.args["unfurl_links"] == "0"
    assert slack.messages("C1")[0]["blocks"] == blocks


def test_read_methods_ignore_json_bodies_like_slack(client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="x")
    error = refused(lambda: client.api_call("conversations.history", json={"channel": "C1"}))
    assert error == "channel_not_found"
    as_form = client.api_call("conversations.history", params={"channel": "C1"})
    assert [m["text"] for m in as_form["messages"]] == ["x"]


def test_multipart_bodies_are_parsed(client: WebClient, slack: FakeSlack) -> None:
    client.api_call(
        "chat.postMessage", data={"channel": "C1", "text": "with a file"}, files={"file": b"abc"}
    )
    [call] = slack.calls("chat.postMessage")
    assert (call.args["text"], call.args["file"]) == ("with a file", b"abc")


def test_thread_replies_stay_out_of_the_channel(client: WebClient, slack: FakeSlack) -> None:
    parent = client.chat_postMessage(channel="C1", text="card")["ts"]
    client.chat_postMessage(channel="C1", text="Nudge: still pending", thread_ts=parent)
    reply_to_reply = client.chat_postMessage(channel="C1", text="Approved", thread_ts=parent)["ts"]
    client.chat_postMessage(channel="C1", text="filed under parent", thread_ts=reply_to_reply)

    assert [m["text"] for m in slack.messages("C1")] == ["card"]
    assert slack.messages("C1")[0]["reply_count"] == 3
    assert [m["text"] for m in slack.thread("C1", parent)] == [
        "Nudge: still pending",
        "Approved",
        "filed under parent",
    ]
    replies = client.conversations_replies(channel="C1", ts=parent)["messages"]
    assert [m["text"] for m in replies] == [
        "card",
        *(m["text"] for m in slack.thread("C1", parent)),
    ]
    error = refused(lambda: client.chat_postMessage(channel="C1", text="x", thread_ts="1.1"))
    assert error == "thread_not_found"


def test_update_changes_the_card_in_place(client: WebClient, slack: FakeSlack) -> None:
    blocks = [section("Draft reply")]
    ts = client.chat_postMessage(channel="C1", text="card", blocks=blocks)["ts"]
    client.chat_update(channel="C1", ts=ts, text="Approved by Anna")

    [card] = slack.messages("C1")
    assert (card["ts"], card["text"], card["blocks"]) == (ts, "Approved by Anna", blocks)
    assert "edited" in card
    client.chat_update(channel="C1", ts=ts, text="Sent", blocks=[])
    assert slack.messages("C1")[0]["blocks"] == []


def test_update_and_delete_of_unknown_ts_are_refused(client: WebClient, slack: FakeSlack) -> None:
    ts = client.chat_postMessage(channel="C1", text="card")["ts"]
    for call in (
        lambda: client.chat_update(channel="C1", ts="1.000001", text="x"),
        lambda: client.chat_delete(channel="C1", ts="1.000001"),
        lambda: client.chat_update(channel="C2", ts=ts, text="x"),
    ):
        assert slack_error(call).response["error"] == "message_not_found"
    client.chat_delete(channel="C1", ts=ts)
    assert slack.messages("C1") == []


def test_ephemeral_and_permalink(client: WebClient, slack: FakeSlack) -> None:
    client.chat_postEphemeral(channel="C1", user="U1", text="Only you can see this")
    assert [e["text"] for e in slack.ephemerals("U1")] == ["Only you can see this"]
    assert slack.ephemerals("U2") == [] and slack.messages("C1") == []

    parent = client.chat_postMessage(channel="C1", text="card")["ts"]
    reply = client.chat_postMessage(channel="C1", text="r", thread_ts=parent)["ts"]
    link = client.chat_getPermalink(channel="C1", message_ts=parent)["permalink"]
    assert link == f"https://fake.slack.com/archives/C1/p{parent.replace('.', '')}"
    reply_link = client.chat_getPermalink(channel="C1", message_ts=reply)["permalink"]
    assert reply_link.endswith(f"?thread_ts={parent}&cid=C1")


def test_history_pages_newest_first_with_cursor(client: WebClient, slack: FakeSlack) -> None:
    stamps = [
        client.chat_postMessage(
            channel="C1", text=f"m{i}", metadata={"event_type": "e", "event_payload": {"i": i}}
        )["ts"]
        for i in range(5)
    ]
    seen, cursor = [], None
    while True:
        page = client.conversations_history(channel="C1", limit=2, cursor=cursor)
        seen += [m["text"] for m in page["messages"]]
        assert all("metadata" not in m for m in page["messages"])
        cursor = page["response_metadata"]["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == ["m4", "m3", "m2", "m1", "m0"]

    window = client.conversations_history(
        channel="C1", oldest=stamps[1], latest=stamps[3], include_all_metadata=True
    )["messages"]
    assert [m["metadata"]["event_payload"]["i"] for m in window] == [2]
    inclusive = client.conversations_history(
        channel="C1", oldest=stamps[1], latest=stamps[3], inclusive=True
    )["messages"]
    assert [m["text"] for m in inclusive] == ["m3", "m2", "m1"]


# ----- FakeSlack: refusals -----------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"channel": "", "text": "x"}, "channel_not_found"),
        ({"channel": "C1"}, "no_text"),
        ({"channel": "C1", "text": "x" * 40_001}, "msg_too_long"),
        ({"channel": "C1", "blocks": "[not json"}, "invalid_blocks_format"),
        (
            {"channel": "C1", "text": "x", "metadata": {"event_type": "e"}},
            "invalid_metadata_format",
        ),
        ({"channel": "C1", "blocks": [section("x" * 3001)]}, "invalid_blocks"),
    ],
)
def test_post_message_refusals(
    client: WebClient, slack: FakeSlack, kwargs: dict, error: str
) -> None:
    assert refused(lambda: client.chat_postMessage(**kwargs)) == error
    assert slack.ok_calls("chat.postMessage") == []
    assert len(slack.calls("chat.postMessage")) == 1
    assert slack.messages("C1") == []


def test_invalid_blocks_explain_the_rule(client: WebClient) -> None:
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}]
    response = slack_error(lambda: client.chat_postMessage(channel="C1", text="x", blocks=blocks))
    assert response.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]"
    ]


def test_update_with_oversize_blocks_keeps_the_old_card(
    client: WebClient, slack: FakeSlack
) -> None:
    ts = client.chat_postMessage(channel="C1", text="card", blocks=[section("ok")])["ts"]
    too_many = [{"type": "divider"}] * 51
    assert refused(lambda: client.chat_update(channel="C1", ts=ts, text="x", blocks=too_many)) == (
        "invalid_blocks"
    )
    assert slack.messages("C1")[0]["blocks"] == [section("ok")]


def _pointers(errors: list[str]) -> list[str]:
    return [e.rsplit("[json-pointer:", 1)[1].rstrip("]") for e in errors]


@pytest.mark.parametrize(
    ("blocks", "pointer"),
    [
        ([{"type": "divider"}] * 51, "/blocks"),
        ([section("x" * 3001)], "/blocks/0/text/text"),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
            "/blocks/0/fields",
        ),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * 2001}]}],
            "/blocks/0/fields/0/text",
        ),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}], "/blocks/0/text/type"),
        (
            [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
            "/blocks/0/elements",
        ),
        (
            [{"type": "actions", "elements": [button("a", "x" * 76)]}],
            "/blocks/0/elements/0/text/text",
        ),
        ([{"type": "actions", "elements": [button("a" * 256)]}], "/blocks/0/elements/0/action_id"),
        (
            [{"type": "actions", "elements": [button("a", value="v" * 2001)]}],
            "/blocks/0/elements/0/value",
        ),
        (
            [{"type": "actions", "elements": [button("same"), button("same")]}],
            "/blocks/0/elements/1/action_id",
        ),
        ([{"type": "divider", "block_id": "b" * 256}], "/blocks/0/block_id"),
        (
            [{"type": "divider", "block_id": "x"}, {"type": "divider", "block_id": "x"}],
            "/blocks/1/block_id",
        ),
        (
            [{"type": "section", "text": {"type": "plain_text", "text": "t", "verbatim": True}}],
            "/blocks/0/text/verbatim",
        ),
        ([{"type": "sectoin", "text": {"type": "mrkdwn", "text": "t"}}], "/blocks/0/type"),
        ([{"type": "section"}], "/blocks/0"),
        ([section("")], "/blocks/0/text/text"),
        ([{"type": "context", "elements": [button("a")]}], "/blocks/0/elements/0/type"),
    ],
)
def test_block_kit_limits(blocks: list, pointer: str) -> None:
    assert pointer in _pointers(validate_blocks(blocks))


def test_a_realistic_card_passes() -> None:
    card = [
        {"type": "header", "text": {"type": "plain_text", "text": "★☆☆☆☆ Google · Café Söder"}},
        section("*Kari Nordmann* wrote:\n>Kaffen var kald.", block_id="review"),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Language*\nnb"}] * 4},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Themes: service"}]},
        {
            "type": "actions",
            "block_id": "decision",
            "elements": [
                button("approve", style="primary", value="42"),
                button("edit", "Edit"),
                button("regenerate", "Try again"),
                button("decline", "Decline", style="danger"),
            ],
        },
    ]
    assert validate_blocks(card) == []


@pytest.mark.parametrize(
    ("view", "pointer"),
    [
        (modal(title={"type": "plain_text", "text": "x" * 25}), "/view/title/text"),
        (modal(submit={"type": "plain_text", "text": "x" * 25}), "/view/submit/text"),
        (modal(close={"type": "plain_text", "text": "x" * 25}), "/view/close/text"),
        (modal(private_metadata="x" * 3001), "/view/private_metadata"),
        (modal(callback_id="x" * 256), "/view/callback_id"),
        (modal(blocks=[{"type": "divider"}] * 101), "/view/blocks"),
        (
            modal(
                blocks=[
                    {
                        "type": "input",
                        "label": {"type": "plain_text", "text": "Reply"},
                        "element": {"type": "plain_text_input", "action_id": "reply"},
                    }
                ]
            ),
            "/view",
        ),
        ({"type": "dialog", "blocks": []}, "/view"),
    ],
)
def test_view_limits(view: dict, pointer: str) -> None:
    assert pointer in _pointers(validate_view(view))


# ----- FakeSlack: views, users, files, response_url ----------------------------------------


def test_views_open_update_push_publish(client: WebClient, slack: FakeSlack) -> None:
    error = slack_error(lambda: client.views_open(trigger_id="", view=modal()))
    assert error.response["error"] == "invalid_trigger_id"
    too_long = modal(title={"type": "plain_text", "text": "A title that is far too long"})
    error = slack_error(lambda: client.views_open(trigger_id="t1", view=too_long))
    assert error.response["error"] == "invalid_arguments"
    assert "/view/title/text" in error.response["response_metadata"]["messages"][0]

    opened = client.views_open(trigger_id="t1", view=modal(callback_id="edit"))["view"]
    client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal(callback_id="edit2"))
    assert [v["callback_id"] for v in slack.views()] == ["edit2"]
    stale = slack_error(
        lambda: client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal())
    )
    assert stale.response["error"] == "hash_conflict"
    assert refused(lambda: client.views_update(view_id="V404", view=modal())) == "not_found"

    client.views_push(trigger_id="t2", view=modal(callback_id="pushed"))
    client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("KPIs")]})
    assert slack.home_view("U1")["blocks"] == [section("KPIs")]
    assert refused(lambda: client.views_publish(user_id="U1", view=modal())) == (
        "invalid_arguments"
    )


def test_users_and_usergroups(client: WebClient, slack: FakeSlack) -> None:
    slack.users["U9"] = {"id": "U9", "name": "anna", "real_name": "Anna Lind", "tz": "Asia/Taipei"}
    slack.usergroups["S1"] = ["U9", "U2"]

    assert client.users_info(user="U9")["user"]["real_name"] == "Anna Lind"
    assert client.users_info(user="U9")["user"]["tz_offset"] == 8 * 3600
    assert client.users_info(user="U3")["user"]["id"] == "U3"  # default user made on demand
    assert client.usergroups_users_list(usergroup="S1")["users"] == ["U9", "U2"]
    assert refused(lambda: client.users_info(user="W-nobody")) == "user_not_found"
    assert refused(lambda: client.usergroups_users_list(usergroup="S404")) == "no_such_subteam"


def test_files_upload_v2_records_the_bytes(client: WebClient, slack: FakeSlack) -> None:
    parent = client.chat_postMessage(channel="C1", text="digest")["ts"]
    client.files_upload_v2(
        channel="C1",
        content=b"week,negatives\n47,12\n",
        filename="kpi.csv",
        title="KPIs",
        initial_comment="This week's figures",
        thread_ts=parent,
    )
    [upload] = slack.uploads()
    assert upload["content"] == b"week,negatives\n47,12\n"
    assert (upload["filename"], upload["title"], upload["channel_id"]) == ("kpi.csv", "KPIs", "C1")
    assert upload["initial_comment"] == "This week's figures"
    [share] = slack.thread("C1", parent)
    assert share["files"][0]["name"] == "kpi.csv"


def test_response_url_records_what_users_see(slack: FakeSlack) -> None:
    webhook = WebhookClient(slack.response_url("cmd1"))
    assert webhook.send(text="Here are your KPIs", response_type="ephemeral").status_code == 200
    refused = webhook.send(text="x", blocks=[section("x" * 3001)])
    assert refused.status_code == 400 and "invalid_blocks" in refused.body
    WebhookClient(slack.response_url("other")).send(text="elsewhere")

    assert slack.responses("cmd1") == [{"text": "Here are your KPIs", "response_type": "ephemeral"}]
    assert len(slack.responses()) == 2


# ----- FakeSlack: faults, waiting, reset ---------------------------------------------------


def test_fail_next_answers_429_with_retry_after(client: WebClient, slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", retry_after=7)
    error = slack_error(lambda: client.chat_postMessage(channel="C1", text="x"))
    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "7"
    assert error.response["error"] == "ratelimited"

    client.chat_postMessage(channel="C1", text="x")
    assert len(slack.calls("chat.postMessage")) == 2
    assert len(slack.ok_calls("chat.postMessage")) == 1


def test_fail_next_5xx_then_recovers(client: WebClient, slack: FakeSlack) -> None:
    slack.fail_next(status=503, times=2)
    assert slack_error(client.auth_test).response.status_code == 503
    assert (
        slack_error(lambda: client.chat_postMessage(channel="C1", text="x")).response.status_code
        == 503
    )
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [m["text"] for m in slack.messages("C1")] == ["x"]


def test_sdk_rate_limit_handler_recovers_and_posts_once(slack: FakeSlack) -> None:
    waits = TestWaits()
    retrying = WebClient(
        token=TOKEN, base_url=slack.api_url, retry_handlers=[RateLimitRetry(1, waits)]
    )
    slack.fail_next("chat.postMessage", retry_after=3)
    retrying.chat_postMessage(channel="C1", text="card")
    assert [m["text"] for m in slack.messages("C1")] == ["card"]
    [waited] = waits.seconds  # Retry-After, plus the SDK's jitter of under a second
    assert 3 <= waited < 4


def _outcomes(slack: FakeSlack, client: WebClient, n: int) -> list[int]:
    statuses = []
    for _ in range(n):
        try:
            statuses.append(
                client.api_call("chat.postMessage", json={"channel": "C", "text": "x"}).status_code
            )
        except SlackApiError as error:
            statuses.append(error.response.status_code)
    return statuses


def test_fault_rates_are_reproducible_and_spare_auth_test(
    client: WebClient, slack: FakeSlack
) -> None:
    slack.set_fault_rates(rate_429=0.3, rate_5xx=0.2, seed=42)
    first = _outcomes(slack, client, 60)
    assert all(client.auth_test()["ok"] for _ in range(10))
    slack.set_fault_rates(rate_429=0.3, rate_5xx=0.2, seed=42)
    assert _outcomes(slack, client, 60) == first
    assert {200, 429} <= set(first) and set(first) & {500, 503}


def test_wait_for_sees_work_done_off_thread(client: WebClient, slack: FakeSlack) -> None:
    worker = threading.Thread(target=lambda: client.chat_postMessage(channel="C1", text="late"))
    worker.start()
    assert slack.wait_for("chat.postMessage")[0].args["text"] == "late"
    worker.join()


def test_wait_for_failure_lists_what_was_called(client: WebClient, slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="x", blocks=[section("x" * 3001)])
    with pytest.raises(AssertionError) as failure:
        slack.wait_for("chat.postMessage", timeout=0.05)
    assert "chat.postMessage -> invalid_blocks" in str(failure.value)
    assert "/blocks/0/text/text" in str(failure.value)


def test_reset_forgets_everything(client: WebClient, slack: FakeSlack) -> None:
    client.chat_postMessage(channel="C1", text="x")
    slack.users["U9"] = {"id": "U9", "name": "a", "real_name": "A", "tz": "UTC"}
    slack.fail_next()
    slack.reset()
    assert slack.calls() == [] and slack.messages("C1") == []
    assert "U9" not in slack.users
    assert client.chat_postMessage(channel="C1", text="y")["ok"]


# ----- FakeOpenAI ----------------------------------------------------------------------------


class Draft(BaseModel):
    reply: str
    themes: list[str]


def llm_client(fake: FakeOpenAI, **options) -> openai.OpenAI:
    return openai.OpenAI(base_url=fake.base_url, api_key="test", **options)


def ask(client: openai.OpenAI, **extra):
    return client.chat.completions.create(
        model="fake-model", messages=[{"role": "user", "content": "Draft a reply as JSON"}], **extra
    )


def test_parse_with_pydantic_model(llm: FakeOpenAI) -> None:
    completion = llm_client(llm).chat.completions.parse(
        model="fake-model",
        messages=[
            {"role": "system", "content": "You answer reviews."},
            {"role": "user", "content": "hi"},
        ],
        response_format=Draft,
    )
    assert completion.choices[0].message.parsed == Draft(
        reply=DEFAULT_CONTENT["reply"], themes=DEFAULT_CONTENT["themes"]
    )
    [request] = llm.requests()
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["name"] == "Draft"
    assert request["response_format"]["json_schema"]["strict"] is True


def test_json_object_mode_and_custom_responder(llm: FakeOpenAI) -> None:
    llm.respond_with(lambda body: {"echo": body["messages"][-1]["content"], "språk": "sv"})
    content = (
        ask(llm_client(llm), response_format={"type": "json_object"}).choices[0].message.content
    )
    assert json.loads(content) == {"echo": "Draft a reply as JSON", "språk": "sv"}

    llm.respond_with(lambda body: "not json at all")
    assert ask(llm_client(llm)).choices[0].message.content == "not json at all"


def test_json_object_mode_needs_the_word_json_as_openai_requires(llm: FakeOpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        llm_client(llm, max_retries=0).chat.completions.create(
            model="fake-model",
            messages=[{"role": "user", "content": "Draft a reply"}],
            response_format={"type": "json_object"},
        )
    assert caught.value.param == "messages"


def test_usage_grows_with_the_prompt(llm: FakeOpenAI) -> None:
    client = llm_client(llm)
    short = ask(client).usage
    long = client.chat.completions.create(
        model="fake-model", messages=[{"role": "user", "content": "word " * 400}]
    ).usage
    assert long.prompt_tokens > short.prompt_tokens
    assert long.total_tokens == long.prompt_tokens + long.completion_tokens


def test_server_without_structured_output_refuses_json_schema() -> None:
    with FakeOpenAI(kind="deepseek") as fake:
        client = llm_client(fake, max_retries=0)
        with pytest.raises(openai.BadRequestError) as caught:
            client.chat.completions.parse(
                model="fake-model",
                messages=[{"role": "user", "content": "x"}],
                response_format=Draft,
            )
        assert caught.value.body == {"detail": "This response_format type is unavailable now"}
        assert ask(client, response_format={"type": "json_object"}).choices[0].message.content
        assert len(fake.requests()) == 2


@pytest.mark.parametrize("status", [429, 500])
def test_client_retries_through_one_failure(llm: FakeOpenAI, status: int) -> None:
    llm.fail_next(status, retry_after=0.01)
    completion = ask(llm_client(llm, max_retries=2))
    assert json.loads(completion.choices[0].message.content) == DEFAULT_CONTENT
    assert len(llm.requests()) == 2


def test_persistent_rate_limit_reaches_the_caller(llm: FakeOpenAI) -> None:
    llm.fail_next(429, 429, 429, retry_after=0.01)
    with pytest.raises(openai.RateLimitError):
        ask(llm_client(llm, max_retries=2))
    assert len(llm.requests()) == 3


def test_hang_longer_than_the_timeout(llm: FakeOpenAI) -> None:
    llm.hang_next(30)
    with pytest.raises(openai.APITimeoutError):
        ask(llm_client(llm, max_retries=0, timeout=0.2))
    assert ask(llm_client(llm, max_retries=0)).choices[0].finish_reason == "stop"


def test_auth_and_malformed_body_get_openai_errors(llm: FakeOpenAI) -> None:
    url = f"{llm.base_url}/chat/completions"
    missing_key = httpx.post(url, json={"model": "m", "messages": []}, trust_env=False)
    assert missing_key.status_code == 401
    assert missing_key.json()["error"]["type"] == "invalid_request_error"
    malformed = httpx.post(
        url, content=b"{oops", headers={"Authorization": "Bearer k"}, trust_env=False
    )
    assert malformed.status_code == 400
    assert set(malformed.json()["error"]) == {"message", "type", "param", "code"}
    assert [m.id for m in llm_client(llm).models.list()] == ["fake-model"]


def test_llm_fault_rates_are_reproducible(llm: FakeOpenAI) -> None:
    client = llm_client(llm, max_retries=0)

    def run() -> list[str]:
        llm.set_fault_rates(fail_rate=0.4, seed=3)
        outcomes = []
        for _ in range(30):
            try:
                ask(client)
                outcomes.append("ok")
            except openai.APIStatusError as error:
                outcomes.append(str(error.status_code))
        return outcomes

    first = run()
    assert run() == first
    assert "ok" in first and len(set(first)) > 1


# ----- standalone entry points ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "args"),
    [
        ("tests.fakes.slack_api", ["--rate-429", "0.5", "--seed", "1"]),
        ("tests.fakes.openai_api", ["--fail-rate", "0", "--delay-rate", "0"]),
    ],
)
def test_entry_points_print_their_url_and_serve(module: str, args: list[str]) -> None:
    command = [sys.executable, "-m", module, "--port", "0", *args]
    with subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True) as process:
        try:
            url = process.stdout.readline().strip()
            if module.endswith("slack_api"):
                assert WebClient(token=TOKEN, base_url=url).auth_test()["ok"]
            else:
                assert ask(openai.OpenAI(base_url=url, api_key="k", max_retries=0)).choices
        finally:
            process.terminate()
