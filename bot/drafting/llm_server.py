"""Talking to an OpenAI-compatible server: the client, the output modes, failures in plain words."""

from __future__ import annotations

import enum
import functools
import json
import re
from typing import TYPE_CHECKING, Any

import openai
from openai.lib import type_to_response_format_param

from bot.drafting.schema import DraftOutput

if TYPE_CHECKING:
    import httpx2

# How much of a server's own error text a card shows; the log gets all of it.
SERVER_TEXT_LIMIT = 200
_TAG = re.compile(r"<[^>]+>")


class OutputMode(enum.StrEnum):
    """How a draft is asked for, strongest first; a server gets the first one it honours."""

    JSON_SCHEMA = "json_schema"  # strict structured output: the server enforces the schema
    JSON_OBJECT = "json_object"  # any JSON object; the prompt has to say which fields
    TEXT = "text"  # no response_format at all; the answer is parsed and validated as JSON


OUTPUT_MODES = tuple(OutputMode)


def build_openai_client(
    *, api_key: str, base_url: str | None, timeout: float, max_retries: int
) -> openai.OpenAI:
    """The client retries timeouts, 429 and 5xx itself with back-off, but not a spent quota."""
    return openai.OpenAI(
        api_key=api_key,
        base_url=base_url,
        timeout=timeout,
        max_retries=max_retries,
        http_client=openai.DefaultHttpxClient(
            event_hooks={"response": [_no_retry_when_the_quota_is_spent]}
        ),
    )


def _no_retry_when_the_quota_is_spent(response: httpx2.Response) -> None:
    # OpenAI answers a spent quota with 429 like a rate limit, and the client would wait and
    # ask again; it obeys `x-should-retry`, so the answer says what waiting cannot change.
    if response.status_code == 429:
        response.read()
        if "insufficient_quota" in response.text:
            response.headers["x-should-retry"] = "false"


def response_format(mode: OutputMode, output_type: type[DraftOutput]) -> Any:
    """The `response_format` argument of a mode (`openai.omit` for plain text); json_schema
    holds the schema of `output_type`, the draft with or without its translations."""
    if mode is OutputMode.JSON_SCHEMA:
        return _strict_schema(output_type)
    if mode is OutputMode.JSON_OBJECT:
        return {"type": "json_object"}
    return openai.omit


@functools.cache
def _strict_schema(output_type: type[DraftOutput]) -> Any:
    return type_to_response_format_param(output_type)


def server_host(client: openai.OpenAI) -> str:
    """The server's host and port: what a responder can check, without any credentials."""
    url = client.base_url
    return f"{url.host}:{url.port}" if url.port else str(url.host)


def server_text(exc: openai.APIStatusError, *, secret: str | None = None) -> str:
    """The server's own words from any body shape: OpenAI's error.message, {"detail": …},
    {"error": "…"}, plain text or HTML; the HTTP status when it said nothing."""
    words = _words(exc.body)
    text = " ".join(_TAG.sub(" ", words).split()) if words else ""
    if exc.param and exc.param not in text:
        text = f"{text} (param: {exc.param})"
    if secret:
        text = text.replace(secret, "[API key]")
    return text or f"HTTP {exc.status_code}"


def _words(body: object) -> str:
    # The client has already unwrapped OpenAI's {"error": {...}} and {"error": "…"}.
    if isinstance(body, str):
        return body
    if isinstance(body, list):
        return "; ".join(filter(None, (_words(item) for item in body)))
    if isinstance(body, dict):
        for key in ("message", "detail", "msg", "error", "error_message"):
            if body.get(key):
                return _words(body[key])
        return json.dumps(body, ensure_ascii=False)
    return "" if body is None else str(body)


def shorten(text: str, limit: int = SERVER_TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def failure_reason(exc: openai.OpenAIError, *, client: openai.OpenAI, model: str) -> str:
    """Why a call failed, worded for the responder who reads it on the card."""
    host = server_host(client)
    tries = client.max_retries + 1
    if isinstance(exc, openai.APITimeoutError):
        timeout = client.timeout
        seconds = timeout if isinstance(timeout, int | float) else getattr(timeout, "read", 0)
        tried = f" ({tries} tries)" if tries > 1 else ""
        return f"the AI service did not answer within {seconds or 0:g} s{tried}"
    if isinstance(exc, openai.APIConnectionError):
        return f"the AI service could not be reached at {host}"
    if not isinstance(exc, openai.APIStatusError):
        return f"the AI service call failed ({type(exc).__name__})"
    text = shorten(server_text(exc, secret=client.api_key))
    status = exc.status_code
    if status == 402 or exc.code == "insufficient_quota":
        # 402 is how DeepSeek and OpenRouter say the balance is spent.
        return "the AI service has no quota left: check the account's billing"
    if status == 401:
        return "the AI service refused the API key: check OPENAI_API_KEY"
    if status == 403:
        return f"the AI service refused the API key: check OPENAI_API_KEY ({text})"
    if status == 429:
        return "the AI service is busy (rate limited): use Try again in a minute"
    if status == 404:
        if exc.code == "model_not_found" or model in text:
            return f"the model {model} does not exist on the AI service"
        return f"the AI service at {host} has no chat completions: check OPENAI_BASE_URL ({text})"
    if status >= 500:
        tried = f", {tries} tries" if tries > 1 else ""
        return f"the AI service failed (HTTP {status}{tried}): {text}"
    return f"the AI service refused the request (HTTP {status}): {text}"
