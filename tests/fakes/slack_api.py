"""A local Slack Web API that records every call and refuses what Slack would refuse.

Point `slack_sdk.WebClient(base_url=fake.api_url)` (or `SLACK_API_URL`) at it. Channel state
(messages, threads, ephemerals, views, uploads) is kept the way Slack would hold it, so tests
assert what users would see. Standalone: `python -m tests.fakes.slack_api --port 0`.
"""

from __future__ import annotations

import argparse
import base64
import copy
import email.policy
import json
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from email.parser import BytesParser
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from tests.fakes.local_server import LocalServer, Reply, Request, wait_until_killed
from tests.fakes.slack_blocks import validate_blocks, validate_view

DEFAULT_BOT_TOKEN = "xoxb-test-token"
DEFAULT_APP_TOKEN = "xapp-1-A0APP-1-test"
# What a fresh install grants: every bot scope of manifest.yml (auth.test's x-oauth-scopes).
DEFAULT_SCOPES = (
    "chat:write,commands,usergroups:read,users:read,files:write,"
    "channels:history,groups:history,channels:read,groups:read"
)
BOT_ID = "B0BOT"
APP_ID = "A0APP"
PERMALINK_BASE = "https://fake.slack.com/archives"
MAX_TEXT_CHARS = 40_000
MAX_VIEW_BYTES = 250_000
# Form posts carry these as JSON strings; decoding them lets tests assert on real objects.
JSON_ENCODED_FIELDS = ("blocks", "attachments", "metadata", "view", "files")
_TS_STEP_MICROS = 100
_DEFAULT_USER_ID = re.compile(r"U\d+")
_NO_RANDOM_FAULTS = frozenset({"auth.test", "bots.info"})  # so an app under chaos can still start
# Called with the app-level token (xapp-…), not the bot token.
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
# Read methods take form or query arguments only; Slack ignores a JSON body sent to them,
# so `api_call(..., json=...)` on these fails there and must fail here too.
FORM_ONLY_METHODS = frozenset(
    {
        "conversations.history",
        "conversations.info",
        "conversations.replies",
        "chat.getPermalink",
        "users.info",
        "usergroups.users.list",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    }
)


@dataclass(frozen=True)
class SlackCall:
    method: str
    args: dict
    token: str | None
    at: float = field(default_factory=time.time)  # when it arrived, for benches' latencies


@dataclass
class _Fault:
    method: str | None
    status: int
    retry_after: int
    remaining: int
    after_success: bool = False  # the call takes effect, then the answer is the fault


class _Refusal(Exception):
    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []


def _default_user(user_id: str) -> dict:
    number = user_id.removeprefix("U")
    return {
        "id": user_id,
        "name": f"user{number}",
        "real_name": f"Test User {number}",
        "tz": "Europe/Stockholm",
    }


class FakeSlack(LocalServer):
    def __init__(
        self,
        *,
        bot_token: str = DEFAULT_BOT_TOKEN,
        app_token: str = DEFAULT_APP_TOKEN,
        team_id: str = "T0TEST",
        bot_user_id: str = "U0BOT",
        port: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`clock` (seconds since the epoch) stamps messages, as Slack's ts is its own time."""
        super().__init__(port=port)
        self._clock = clock
        self.bot_token = bot_token
        self.app_token = app_token
        # Set by a Socket Mode endpoint (tests/fakes/socket_mode.py): a fresh wss URL per call.
        self.socket_mode_url: Callable[[], str] | None = None
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self._lock = threading.RLock()
        self._methods: dict[str, Callable[[dict], dict]] = {
            "auth.test": self._auth_test,
            "bots.info": self._bots_info,
            "apps.connections.open": self._apps_connections_open,
            "conversations.info": self._conversations_info,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "usergroups.users.list": self._usergroups_users_list,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }
        self.reset()

    # ----- configuration and inspection -------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def reset(self) -> None:
        """Forget everything recorded and configured, as if freshly started (same URL)."""
        with self._lock:
            self._calls: list[tuple[SlackCall, str | None]] = []
            self._channels: dict[str, dict[str, dict]] = {}
            self._ephemerals: list[dict] = []
            self._responses: list[tuple[str, dict]] = []
            self._views: dict[str, dict] = {}
            self._home_views: dict[str, str] = {}
            self._files: dict[str, dict] = {}
            self._uploads: list[dict] = []
            self._faults: list[_Fault] = []
            self._rates = (0.0, 0.0, 1)
            self._rng = random.Random(0)
            self._counter = 0
            self._last_ts_micros = 0
            self.users: dict[str, dict] = {
                self.bot_user_id: {
                    "id": self.bot_user_id,
                    "name": "reviewbot",
                    "real_name": "reviewbot",
                    "tz": "UTC",
                }
            }
            self.usergroups: dict[str, list[str]] = {}
            self.scopes = DEFAULT_SCOPES
            # Channels the bot was invited to; conversations.info of another says not a member.
            self.member_of: set[str] | None = None  # None: every channel
            # Channels that do not exist (or are private without the bot): channel_not_found.
            self.missing_channels: set[str] = set()

    def calls(self, method: str | None = None) -> list[SlackCall]:
        """Every call received, refused ones included, in order."""
        with self._lock:
            return [c for c, _ in self._calls if method is None or c.method == method]

    def ok_calls(self, method: str) -> list[SlackCall]:
        with self._lock:
            return [c for c, error in self._calls if c.method == method and error is None]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[SlackCall]:
        """Wait until `count` successful calls of `method` arrived (for work done off-thread)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.ok_calls(method)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"expected {count} ok {method} call(s) within {timeout}s, got {len(found)}; "
                    f"calls received:\n{self._describe_calls()}"
                )
            time.sleep(0.01)

    def _describe_calls(self) -> str:
        with self._lock:
            lines = [f"  {c.method} -> {error or 'ok'}" for c, error in self._calls]
        return "\n".join(lines) or "  (none)"

    def messages(self, channel: str) -> list[dict]:
        """Top-level messages of a channel as Slack holds them now, oldest first."""
        with self._lock:
            return [copy.deepcopy(m) for m in self._channel(channel).values() if _is_top_level(m)]

    def thread(self, channel: str, ts: str) -> list[dict]:
        """Replies in the thread under `ts` (the parent itself excluded), oldest first."""
        with self._lock:
            return [
                copy.deepcopy(m)
                for m in self._channel(channel).values()
                if m.get("thread_ts") == ts and m["ts"] != ts
            ]

    def ephemerals(self, user: str | None = None) -> list[dict]:
        with self._lock:
            return [copy.deepcopy(e) for e in self._ephemerals if user in (None, e["user"])]

    def response_url(self, key: str = "r1") -> str:
        return f"{self.url}/response/{key}"

    def responses(self, key: str | None = None) -> list[dict]:
        """Bodies accepted at response_url endpoints (refused ones are not shown to users)."""
        with self._lock:
            return [copy.deepcopy(body) for k, body in self._responses if key in (None, k)]

    def views(self) -> list[dict]:
        """Views currently open or published, in the order they were first created."""
        with self._lock:
            return [copy.deepcopy(v) for v in self._views.values()]

    def home_view(self, user_id: str) -> dict | None:
        with self._lock:
            view_id = self._home_views.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def uploads(self) -> list[dict]:
        """Completed uploads: filename, title, channel_id, content (bytes), initial_comment."""
        with self._lock:
            return [dict(u) for u in self._uploads]

    # ----- fault injection ---------------------------------------------------------------

    def fail_next(
        self,
        method: str | None = None,
        *,
        status: int = 429,
        retry_after: int = 1,
        times: int = 1,
        after_success: bool = False,
    ) -> None:
        """`after_success`: do what was asked, then answer with the fault (a 5xx that comes
        after Slack already posted the message)."""
        with self._lock:
            self._faults.append(_Fault(method, status, retry_after, times, after_success))

    def set_fault_rates(
        self, *, rate_429: float = 0.0, rate_5xx: float = 0.0, seed: int = 0, retry_after: int = 1
    ) -> None:
        """Fail a random share of calls (auth.test excepted), reproducibly for a given seed."""
        with self._lock:
            self._rates = (rate_429, rate_5xx, retry_after)
            self._rng = random.Random(seed)

    def _take_fault(self, method: str) -> tuple[int, int, bool] | None:
        for fault in self._faults:
            if fault.method in (None, method):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault.status, fault.retry_after, fault.after_success
        rate_429, rate_5xx, retry_after = self._rates
        if method in _NO_RANDOM_FAULTS or not (rate_429 or rate_5xx):
            return None
        draw = self._rng.random()
        if draw < rate_429:
            return 429, retry_after, False
        if draw < rate_429 + rate_5xx:
            return self._rng.choice((500, 503)), retry_after, False
        return None

    # ----- HTTP --------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        path = request.path
        if path.startswith("/response/"):
            return self._receive_response(path.removeprefix("/response/"), request)
        if path.startswith("/upload/"):
            return self._receive_upload(path.removeprefix("/upload/"), request)
        if path == "/_fake/calls":
            return self._dump_calls()
        if not path.startswith("/api/"):
            return Reply.text("not found", 404)
        method = path.removeprefix("/api/")
        try:
            args, token = parse_args(request, json_allowed=method not in FORM_ONLY_METHODS)
        except _Refusal as refusal:
            return self._answer(SlackCall(method, {}, None), refusal)
        call = SlackCall(method, args, token)
        with self._lock:
            fault = self._take_fault(method)
            if fault is not None:
                status, retry_after, after_success = fault
                if after_success and method in self._methods:
                    self._methods[method](args)
                return self._answer_fault(call, status, retry_after)
            if method not in self._methods:
                self._calls.append((call, "unknown_method"))
                return Reply.json({"ok": False, "error": "unknown_method"}, 404)
            if not token:
                return self._answer(call, _Refusal("not_authed"))
            expected = self.app_token if method in APP_TOKEN_METHODS else self.bot_token
            if token != expected:
                return self._answer(call, _Refusal("invalid_auth"))
            try:
                payload = self._methods[method](args)
            except _Refusal as refusal:
                return self._answer(call, refusal)
            self._calls.append((call, None))
            headers = {"x-oauth-scopes": self.scopes} if method == "auth.test" else None
            return Reply.json({"ok": True, **payload}, headers=headers)

    def _answer(self, call: SlackCall, refusal: _Refusal) -> Reply:
        with self._lock:
            detail = "; ".join(refusal.messages)
            self._calls.append((call, f"{refusal.error}: {detail}" if detail else refusal.error))
        body: dict[str, Any] = {"ok": False, "error": refusal.error}
        if refusal.messages:
            body["response_metadata"] = {"messages": refusal.messages}
        return Reply.json(body)

    def _answer_fault(self, call: SlackCall, status: int, retry_after: int) -> Reply:
        if status == 429:
            self._calls.append((call, "ratelimited"))
            return Reply.json(
                {"ok": False, "error": "ratelimited"}, 429, {"Retry-After": str(retry_after)}
            )
        self._calls.append((call, f"http_{status}"))
        return Reply.text(HTTPStatus(status).phrase, status)

    def _dump_calls(self) -> Reply:
        """For standalone runs (bench/), where the recording is out of the caller's process."""
        with self._lock:
            calls = [
                {"method": c.method, "args": c.args, "error": error, "at": c.at}
                for c, error in self._calls
            ]
        return Reply.json({"calls": calls})

    def _receive_response(self, key: str, request: Request) -> Reply:
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            return Reply.text("invalid_payload", 400)
        if not isinstance(body, dict):
            return Reply.text("invalid_payload", 400)
        if not body.get("delete_original"):
            try:
                _check_content(body)
            except _Refusal as refusal:
                return Reply.text("\n".join([refusal.error, *refusal.messages]), 400)
        with self._lock:
            self._responses.append((key, body))
        return Reply.text("ok")

    def _receive_upload(self, file_id: str, request: Request) -> Reply:
        with self._lock:
            pending = self._files.get(file_id)
            if pending is None:
                return Reply.text("not found", 404)
            pending["content"] = request.body
        return Reply.text(f"OK - {len(request.body)}")

    # ----- state helpers -----------------------------------------------------------------

    def _channel(self, channel: str) -> dict[str, dict]:
        return self._channels.get(channel, {})

    def _next_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter:010d}"

    def _next_ts(self) -> str:
        # The time of posting, as in Slack, and never the same ts twice.
        micros = max(int(self._clock() * 1_000_000), self._last_ts_micros + _TS_STEP_MICROS)
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _find_message(self, args: dict, ts_field: str = "ts") -> dict:
        channel = _require_channel(args)
        message = self._channel(channel).get(str(args.get(ts_field, "")))
        if message is None:
            raise _Refusal("message_not_found")
        return message

    def _post(self, channel: str, message: dict, thread_ts: str | None) -> dict:
        ts = self._next_ts()
        message = {
            "type": "message",
            "ts": ts,
            "user": self.bot_user_id,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": self.team_id,
            **message,
        }
        if thread_ts is not None:
            parent = self._channel(channel).get(thread_ts)
            if parent is None:
                raise _Refusal("thread_not_found")
            # Slack files a reply to a reply under the thread's parent.
            parent = self._channel(channel)[parent.get("thread_ts", parent["ts"])]
            message["thread_ts"] = parent["ts"]
            message["parent_user_id"] = parent["user"]
            parent["thread_ts"] = parent["ts"]
            parent["reply_count"] = parent.get("reply_count", 0) + 1
            parent["reply_users"] = sorted({*parent.get("reply_users", []), message["user"]})
            parent["reply_users_count"] = len(parent["reply_users"])
            parent["latest_reply"] = ts
        self._channels.setdefault(channel, {})[ts] = message
        return message

    def _store_view(self, view: dict, view_id: str | None = None) -> dict:
        view_id = view_id or self._next_id("V")
        previous = self._views.get(view_id, {})
        stored = {
            **view,
            "id": view_id,
            "team_id": self.team_id,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "state": {"values": {}},
            "hash": self._next_id("h"),
            "root_view_id": previous.get("root_view_id", view_id),
            "previous_view_id": previous.get("previous_view_id"),
        }
        self._views[view_id] = stored
        return stored

    # ----- methods -----------------------------------------------------------------------

    def _auth_test(self, args: dict) -> dict:
        return {
            "url": "https://fake.slack.com/",
            "team": "Fake Workspace",
            "user": self.users[self.bot_user_id]["name"],
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _bots_info(self, args: dict) -> dict:
        if args.get("bot") != BOT_ID:
            raise _Refusal("bot_not_found")
        return {"bot": {"id": BOT_ID, "app_id": APP_ID, "name": "reviewbot", "deleted": False}}

    def _apps_connections_open(self, args: dict) -> dict:
        if self.socket_mode_url is not None:
            return {"url": self.socket_mode_url()}
        # No endpoint behind it: enough for a check that the app-level token is accepted.
        return {"url": f"{self.url.replace('http', 'ws', 1)}/socket"}

    def _conversations_info(self, args: dict) -> dict:
        channel = _require_channel(args)
        if channel in self.missing_channels:
            raise _Refusal("channel_not_found")
        member = self.member_of is None or channel in self.member_of
        return {"channel": {"id": channel, "name": channel.lower(), "is_member": member}}

    def _chat_post_message(self, args: dict) -> dict:
        channel = _require_channel(args)
        _check_content(args)
        message = {k: args[k] for k in ("text", "blocks", "attachments", "metadata") if k in args}
        message.setdefault("text", "")
        stored = self._post(channel, message, args.get("thread_ts"))
        return {"channel": channel, "ts": stored["ts"], "message": copy.deepcopy(stored)}

    def _chat_update(self, args: dict) -> dict:
        message = self._find_message(args)
        # Omitted fields keep their old value, as in Slack; `blocks: []` clears them.
        updated = {
            **message,
            **{k: args[k] for k in ("text", "blocks", "attachments", "metadata") if k in args},
        }
        _check_content(updated)
        message.clear()
        message.update(updated)
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": args["channel"],
            "ts": message["ts"],
            "text": message.get("text", ""),
            "message": copy.deepcopy(message),
        }

    def _chat_delete(self, args: dict) -> dict:
        message = self._find_message(args)
        del self._channels[args["channel"]][message["ts"]]
        return {"channel": args["channel"], "ts": message["ts"]}

    def _chat_post_ephemeral(self, args: dict) -> dict:
        channel = _require_channel(args)
        if not args.get("user"):
            raise _Refusal("user_not_found")
        _check_content(args)
        message_ts = self._next_ts()
        self._ephemerals.append(
            {
                "channel": channel,
                "user": args["user"],
                "text": args.get("text", ""),
                "blocks": args.get("blocks"),
                "thread_ts": args.get("thread_ts"),
                "message_ts": message_ts,
            }
        )
        return {"message_ts": message_ts}

    def _chat_get_permalink(self, args: dict) -> dict:
        message = self._find_message(args, ts_field="message_ts")
        channel = args["channel"]
        permalink = f"{PERMALINK_BASE}/{channel}/p{message['ts'].replace('.', '')}"
        if not _is_top_level(message):
            permalink += f"?thread_ts={message['thread_ts']}&cid={channel}"
        return {"channel": channel, "permalink": permalink}

    def _conversations_history(self, args: dict) -> dict:
        channel = _require_channel(args)
        top_level = [m for m in self._channel(channel).values() if _is_top_level(m)]
        return _page(top_level[::-1], args)

    def _conversations_replies(self, args: dict) -> dict:
        channel = _require_channel(args)
        message = self._channel(channel).get(str(args.get("ts", "")))
        if message is None:
            raise _Refusal("thread_not_found")
        parent_ts = message.get("thread_ts", message["ts"])
        thread = [
            m
            for m in self._channel(channel).values()
            if m["ts"] == parent_ts or m.get("thread_ts") == parent_ts
        ]
        return _page(thread, args)

    def _views_open(self, args: dict) -> dict:
        _require_trigger(args)
        return {"view": copy.deepcopy(self._store_view(_checked_view(args, "modal")))}

    def _views_push(self, args: dict) -> dict:
        _require_trigger(args)
        return {"view": copy.deepcopy(self._store_view(_checked_view(args, "modal")))}

    def _views_update(self, args: dict) -> dict:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            view_id = next(
                (k for k, v in self._views.items() if v.get("external_id") == args["external_id"]),
                None,
            )
        if not view_id and not args.get("external_id"):
            raise _Refusal("invalid_arguments", ["[ERROR] view_id or external_id is required"])
        if view_id not in self._views:
            raise _Refusal("not_found")
        if args.get("hash") and args["hash"] != self._views[view_id]["hash"]:
            raise _Refusal("hash_conflict")
        view = _checked_view(args, self._views[view_id]["type"])
        return {"view": copy.deepcopy(self._store_view(view, view_id))}

    def _views_publish(self, args: dict) -> dict:
        user_id = args.get("user_id")
        if not user_id:
            raise _Refusal("invalid_arguments", ["[ERROR] missing required field: user_id"])
        view_id = self._home_views.get(user_id)
        if view_id and args.get("hash") and args["hash"] != self._views[view_id]["hash"]:
            raise _Refusal("hash_conflict")
        stored = self._store_view(_checked_view(args, "home"), view_id)
        self._home_views[user_id] = stored["id"]
        return {"view": copy.deepcopy(stored)}

    def _users_info(self, args: dict) -> dict:
        user_id = str(args.get("user", ""))
        if user_id not in self.users and _DEFAULT_USER_ID.fullmatch(user_id):
            self.users[user_id] = _default_user(user_id)
        user = self.users.get(user_id)
        if user is None:
            raise _Refusal("user_not_found")
        offset = ZoneInfo(user["tz"]).utcoffset(datetime.now())
        return {
            "user": {
                **user,
                "team_id": self.team_id,
                "deleted": False,
                "is_bot": user_id == self.bot_user_id,
                "tz_offset": int(offset.total_seconds()) if offset else 0,
                "profile": {"real_name": user["real_name"], "display_name": user["name"]},
            }
        }

    def _usergroups_users_list(self, args: dict) -> dict:
        members = self.usergroups.get(str(args.get("usergroup", "")))
        if members is None:
            raise _Refusal("no_such_subteam")
        return {"users": list(members)}

    def _files_get_upload_url(self, args: dict) -> dict:
        filename, length = args.get("filename"), str(args.get("length", ""))
        if not filename or not length.isdigit():
            raise _Refusal("invalid_arguments", ["[ERROR] filename and length are required"])
        file_id = self._next_id("F")
        self._files[file_id] = {"filename": filename, "length": int(length), "content": None}
        return {"upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, args: dict) -> dict:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            raise _Refusal("invalid_arguments", ["[ERROR] files must be a non-empty JSON array"])
        pending = [
            self._files.get(str(f.get("id"))) if isinstance(f, dict) else None for f in files
        ]
        if any(p is None or p["content"] is None for p in pending):
            raise _Refusal("file_not_found")
        channel_id = args.get("channel_id") or args.get("channels", "").split(",")[0] or None
        shared = []
        for requested, upload in zip(files, pending, strict=True):
            title = requested.get("title") or upload["filename"]
            self._uploads.append(
                {
                    "filename": upload["filename"],
                    "title": title,
                    "channel_id": channel_id,
                    "content": upload["content"],
                    "initial_comment": args.get("initial_comment"),
                    "thread_ts": args.get("thread_ts"),
                }
            )
            shared.append({"id": requested["id"], "name": upload["filename"], "title": title})
        if channel_id:
            share = {
                "subtype": "file_share",
                "text": args.get("initial_comment", ""),
                "files": shared,
            }
            self._post(channel_id, share, args.get("thread_ts"))
        return {"files": shared}


# ----- request parsing and checks (pure) -------------------------------------------------


def parse_args(request: Request, *, json_allowed: bool = True) -> tuple[dict, str | None]:
    """Arguments from query string plus form, JSON or multipart body; and the token used."""
    args: dict[str, Any] = dict(request.query)
    content_type = request.headers.get_content_type()
    if content_type == "application/json":
        if json_allowed:
            args.update(_json_fields(request))
    elif content_type == "multipart/form-data":
        args.update(_multipart_fields(request))
    elif request.body:
        args.update(parse_qsl(request.body.decode(), keep_blank_values=True))
    args = {k: v for k, v in args.items() if v is not None}
    token = args.pop("token", None)
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        token = authorization.removeprefix("Bearer ").strip()
    for name in JSON_ENCODED_FIELDS:
        if isinstance(args.get(name), str):
            try:
                args[name] = json.loads(args[name])
            except ValueError:
                pass  # left as a string: the method refuses it with Slack's *_format error
    return args, token


def _json_fields(request: Request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise _Refusal("invalid_json") from None
    if not isinstance(body, dict):
        raise _Refusal("invalid_json")
    return body


def _multipart_fields(request: Request) -> dict[str, str | bytes]:
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    fields: dict[str, str | bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        fields[str(name)] = payload if part.get_filename() else payload.decode()
    return fields


def _require_channel(args: dict) -> str:
    channel = args.get("channel")
    if not channel:
        raise _Refusal("channel_not_found")
    return str(channel)


def _require_trigger(args: dict) -> None:
    if not args.get("trigger_id") and not args.get("interactivity_pointer"):
        raise _Refusal("invalid_trigger_id")


def _check_content(args: dict) -> None:
    """What chat.postMessage/update/postEphemeral and response_url refuse in a message."""
    text, blocks, metadata = args.get("text"), args.get("blocks"), args.get("metadata")
    if not text and not blocks and not args.get("attachments"):
        raise _Refusal("no_text")
    if isinstance(text, str) and len(text) > MAX_TEXT_CHARS:
        raise _Refusal("msg_too_long")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise _Refusal("invalid_blocks_format")
        errors = validate_blocks(blocks)
        if errors:
            raise _Refusal("invalid_blocks", errors)
    if metadata is not None and not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    ):
        raise _Refusal("invalid_metadata_format")


def _checked_view(args: dict, expected_type: str) -> dict:
    view = args.get("view")
    if view is None:
        raise _Refusal("invalid_arguments", ["[ERROR] missing required field: view"])
    if len(json.dumps(view)) > MAX_VIEW_BYTES:
        raise _Refusal("view_too_large")
    errors = validate_view(view, expected_type=expected_type)
    if errors:
        raise _Refusal("invalid_arguments", errors)
    return view


def _flag(args: dict, name: str) -> bool:
    return str(args.get(name, "")).lower() in ("1", "true")


def _ts_bound(args: dict, name: str, default: Decimal) -> Decimal:
    value = args.get(name)
    if value in (None, ""):
        return default
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise _Refusal(f"invalid_ts_{name}") from None


def _is_top_level(message: dict) -> bool:
    return message.get("thread_ts", message["ts"]) == message["ts"]


def _page(messages: list[dict], args: dict) -> dict:
    """Filter by oldest/latest, strip metadata unless asked, and cut a cursor page."""
    oldest = _ts_bound(args, "oldest", Decimal(0))
    latest = _ts_bound(args, "latest", Decimal("Infinity"))
    inclusive = _flag(args, "inclusive")

    def in_range(ts: str) -> bool:
        key = Decimal(ts)
        if inclusive:
            return oldest <= key <= latest
        return oldest < key < latest

    selected = [m for m in messages if in_range(m["ts"])]
    try:
        start = int(base64.b64decode(args["cursor"]).decode()) if args.get("cursor") else 0
        limit = max(1, min(int(args.get("limit", 100)), 999))
    except ValueError:
        raise _Refusal("invalid_cursor") from None
    page = [copy.deepcopy(m) for m in selected[start : start + limit]]
    if not _flag(args, "include_all_metadata"):
        for message in page:
            message.pop("metadata", None)
    has_more = start + limit < len(selected)
    next_cursor = base64.b64encode(str(start + limit).encode()).decode() if has_more else ""
    return {
        "messages": page,
        "has_more": has_more,
        "response_metadata": {"next_cursor": next_cursor},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a fake Slack Web API until killed.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--bot-token", default=DEFAULT_BOT_TOKEN)
    parser.add_argument("--rate-429", type=float, default=0.0, help="share of calls answered 429")
    parser.add_argument("--rate-5xx", type=float, default=0.0, help="share of calls answered 5xx")
    parser.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds on 429")
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args(argv)
    with FakeSlack(bot_token=options.bot_token, port=options.port) as slack:
        slack.set_fault_rates(
            rate_429=options.rate_429,
            rate_5xx=options.rate_5xx,
            seed=options.seed,
            retry_after=options.retry_after,
        )
        print(slack.api_url, flush=True)
        wait_until_killed()


if __name__ == "__main__":
    main()
