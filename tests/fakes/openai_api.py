"""A local OpenAI-compatible chat-completions server with scripted answers and faults.

Point `openai.OpenAI(base_url=fake.base_url)` (or `OPENAI_BASE_URL`) at it. `kind` makes it
treat `response_format` and the token limit as one of the servers people use does (see
SERVER_KINDS). Standalone: `python -m tests.fakes.openai_api --port 0 --kind deepseek`.
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from tests.fakes.local_server import LocalServer, Reply, Request, wait_until_killed

MODEL = "fake-model"
# Matches bot/drafting/schema.DraftOutput; tests that need another answer use respond_with.
DEFAULT_CONTENT: dict[str, Any] = {
    "reply": "Hi Anna, thank you for telling us, and we are sorry the visit let you down.",
    "review_translation": "The customer was unhappy with the visit.",
    "reply_translation": "Hi! Thank you for getting in touch, and sorry the visit fell short.",
    "themes": ["other"],
    "feedback_kind": "opinion",
    "priority": "normal",
    "urgent_reason": "",
}
_ERRORS: dict[int, tuple[str, str | None, str]] = {
    # status -> (type, code, message), as OpenAI words them
    400: ("invalid_request_error", None, "Invalid request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    404: ("invalid_request_error", None, "Not found."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached. Please try again later."),
    500: ("server_error", None, "The server had an error while processing your request."),
    502: ("server_error", None, "Bad gateway."),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}
# Faults by name, as OpenAI words them: status, type, code, message ({model}: the one asked for).
_NAMED_FAULTS: dict[str, tuple[int, str, str, str]] = {
    "insufficient_quota": (
        429,
        "insufficient_quota",
        "insufficient_quota",
        "You exceeded your current quota, please check your plan and billing details.",
    ),
    "model_not_found": (
        404,
        "invalid_request_error",
        "model_not_found",
        "The model `{model}` does not exist or you do not have access to it.",
    ),
    "unsupported_country": (
        403,
        "request_forbidden",
        "unsupported_country_region_territory",
        "Country, region, or territory not supported",
    ),
}
_RANDOM_FAILURES = (429, 500, 503)

# What each kind of server does with `response_format`; the rest answers like OpenAI.
SERVER_KINDS = {
    "openai": "json_schema and json_object (which needs the word json in the messages)",
    "deepseek": 'json_object only: json_schema gets 400 {"detail": …}',
    "lm-studio": 'json_schema only: json_object gets 400 {"error": "…"}',
    "text-only": "no response_format at all: any gets 400 in plain text",
    "ignores-format": "takes any response_format and answers whatever the model wrote",
    "fenced": "takes any response_format and wraps the answer in a ```json fence",
    "openai-reasoning": "like openai, but max_tokens gets 400: it wants max_completion_tokens",
}

Responder = Callable[[dict], dict | str]
Fault = int | str | Reply  # a status, a name in _NAMED_FAULTS, or the whole answer


def default_responder(request: dict) -> dict | str:
    return DEFAULT_CONTENT


def openai_error(
    status: int,
    message: str | None = None,
    *,
    param: str | None = None,
    code: str | None = None,
    kind: str | None = None,
    headers: dict | None = None,
) -> Reply:
    default_kind, default_code, default_message = _ERRORS.get(
        status, _ERRORS[500 if status >= 500 else 400]
    )
    error = {
        "message": message or default_message,
        "type": kind or default_kind,
        "param": param,
        "code": code or default_code,
    }
    return Reply.json({"error": error}, status, headers)


def _fault_reply(fault: Fault, body: dict, headers: dict | None) -> Reply:
    if isinstance(fault, Reply):
        return Reply(fault.status, fault.body, {**fault.headers, **(headers or {})})
    if isinstance(fault, str):
        status, kind, code, message = _NAMED_FAULTS[fault]
        message = message.format(model=body.get("model"))
        return openai_error(status, message, code=code, kind=kind, headers=headers)
    return openai_error(fault, headers=headers)


def rough_tokens(text: str) -> int:
    """About four characters a token: enough for `usage` to grow with the prompt."""
    return max(1, len(text) // 4)


class FakeOpenAI(LocalServer):
    def __init__(self, *, kind: str = "openai", port: int = 0) -> None:
        super().__init__(port=port)
        if kind not in SERVER_KINDS:
            raise ValueError(f"unknown server kind {kind!r}; one of {', '.join(SERVER_KINDS)}")
        self.kind = kind
        self._lock = threading.Lock()
        self._requests: list[dict] = []
        self._responder: Responder = default_responder
        self._failures: deque[tuple[Fault, float | None]] = deque()
        self._hangs: deque[float] = deque()
        self._fail_rate = self._hang_rate = 0.0
        self._hang_seconds = 5.0
        self._rng = random.Random(0)
        self._completions = 0

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def requests(self) -> list[dict]:
        """Every parsed /v1/chat/completions body, errors included, in order."""
        with self._lock:
            return [json.loads(json.dumps(r)) for r in self._requests]

    def respond_with(self, fn: Responder) -> None:
        """fn(request) -> message content: a dict is sent as JSON text, a str as is."""
        with self._lock:
            self._responder = fn

    def fail_next(self, *faults: Fault, retry_after: float | None = None) -> None:
        """The next requests fail, one fault each: a status ("429"), a named fault
        ("insufficient_quota", "model_not_found", "unsupported_country") or a whole Reply."""
        with self._lock:
            self._failures.extend((fault, retry_after) for fault in faults)

    def hang_next(self, seconds: float, times: int = 1) -> None:
        with self._lock:
            self._hangs.extend([seconds] * times)

    def set_fault_rates(
        self,
        *,
        fail_rate: float = 0.0,
        hang_rate: float = 0.0,
        hang_seconds: float = 5,
        seed: int = 0,
    ) -> None:
        with self._lock:
            self._fail_rate, self._hang_rate, self._hang_seconds = (
                fail_rate,
                hang_rate,
                hang_seconds,
            )
            self._rng = random.Random(seed)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._responder = default_responder
            self._failures.clear()
            self._hangs.clear()
            self._fail_rate = self._hang_rate = 0.0
            self._hang_seconds = 5.0
            self._rng = random.Random(0)

    # ----- HTTP --------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        route = (request.method, request.path.rstrip("/"))
        if route == ("GET", "/v1/models"):
            return self._authorised(request) or Reply.json(
                {
                    "object": "list",
                    "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "fake"}],
                }
            )
        if route == ("GET", "/_fake/requests"):
            return Reply.json({"requests": self.requests()})
        if route != ("POST", "/v1/chat/completions"):
            return openai_error(404, f"Unknown request URL: {request.method} {request.path}")
        try:
            body = json.loads(request.body)
        except ValueError:
            return openai_error(400, "We could not parse the JSON body of your request.")
        if not isinstance(body, dict):
            return openai_error(400, "The request body must be a JSON object.")
        with self._lock:
            self._requests.append(body)
        return self._authorised(request) or self._after_faults(body) or self._complete(body)

    def _authorised(self, request: Request) -> Reply | None:
        authorization = request.headers.get("Authorization", "")
        if authorization.startswith("Bearer ") and authorization.removeprefix("Bearer ").strip():
            return None
        return openai_error(401, "You didn't provide an API key.")

    def _after_faults(self, body: dict) -> Reply | None:
        with self._lock:
            hang = self._hangs.popleft() if self._hangs else None
            if hang is None and self._hang_rate and self._rng.random() < self._hang_rate:
                hang = self._hang_seconds
            failure = self._failures.popleft() if self._failures else None
            if failure is None and self._fail_rate and self._rng.random() < self._fail_rate:
                failure = (self._rng.choice(_RANDOM_FAILURES), None)
        if hang is not None:
            self.pause(hang)
        if failure is None:
            return None
        fault, retry_after = failure
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return _fault_reply(fault, body, headers)

    def _complete(self, body: dict) -> Reply:
        refusal = _refuse(body) or _refuse_as(self.kind, body)
        if refusal is not None:
            return refusal
        with self._lock:
            responder = self._responder
            self._completions += 1
            number = self._completions
        answer = responder(body)
        content = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
        if self.kind == "fenced":
            content = f"```json\n{content}\n```"
        finish_reason = "stop"
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if limit and rough_tokens(content) > limit:
            content, finish_reason = content[: limit * 4], "length"
        prompt_tokens = sum(rough_tokens(json.dumps(m.get("content"))) for m in body["messages"])
        completion_tokens = rough_tokens(content)
        return Reply.json(
            {
                "id": f"chatcmpl-fake{number:06d}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content, "refusal": None},
                        "logprobs": None,
                        "finish_reason": finish_reason,
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            }
        )


def _refuse(body: dict) -> Reply | None:
    """The 400s a strict OpenAI-compatible server gives for this fake's scope."""
    if not body.get("model"):
        return openai_error(400, "you must provide a model parameter", param="model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return openai_error(400, "'messages' must be a non-empty array", param="messages")
    if any(not isinstance(m, dict) or "role" not in m for m in messages):
        return openai_error(400, "each message needs a 'role'", param="messages")
    if body.get("stream"):
        return openai_error(400, "this fake does not stream", param="stream")
    return None


def _refuse_as(kind: str, body: dict) -> Reply | None:
    """What this kind of server refuses of `response_format` and the token limit."""
    asked = (body.get("response_format") or {}).get("type")
    if kind == "deepseek" and asked == "json_schema":
        return Reply.json({"detail": "This response_format type is unavailable now"}, 400)
    if kind == "lm-studio" and asked == "json_object":
        return Reply.json({"error": "'response_format.type' must be 'json_schema' or 'text'"}, 400)
    if kind == "text-only" and asked:
        return Reply.text(f"response_format {asked} is not supported by this server", 400)
    if kind == "openai-reasoning" and "max_tokens" in body:
        return openai_error(
            400,
            "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead.",
            param="max_tokens",
            code="unsupported_parameter",
        )
    if kind in ("ignores-format", "fenced", "lm-studio"):
        return None
    if asked == "json_object" and "json" not in json.dumps(body["messages"]).lower():
        return openai_error(
            400,
            "'messages' must contain the word 'json' in some form, to use 'response_format' of "
            "type 'json_object'.",
            param="messages",
        )
    if asked == "json_schema":
        schema = body["response_format"].get("json_schema") or {}
        if not schema.get("name") or "schema" not in schema:
            return openai_error(
                400, "json_schema needs a 'name' and a 'schema'", param="response_format"
            )
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a fake OpenAI-compatible API until killed.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share answered 429/5xx")
    parser.add_argument("--delay-rate", type=float, default=0.0, help="share answered late")
    parser.add_argument("--delay-seconds", type=float, default=5.0)
    parser.add_argument("--kind", choices=SERVER_KINDS, default="openai", help="server to mimic")
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args(argv)
    with FakeOpenAI(kind=options.kind, port=options.port) as fake:
        fake.set_fault_rates(
            fail_rate=options.fail_rate,
            hang_rate=options.delay_rate,
            hang_seconds=options.delay_seconds,
            seed=options.seed,
        )
        print(fake.base_url, flush=True)
        wait_until_killed()


if __name__ == "__main__":
    main()
