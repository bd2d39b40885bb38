"""One LLM call per review through the official openai client, validated into DraftOutput."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import openai
import pydantic

from bot.drafting.examples import anonymised
from bot.drafting.guardrails import check_draft
from bot.drafting.profile import BusinessProfile
from bot.drafting.prompts import PromptLibrary, needs_translation
from bot.drafting.schema import (
    DraftingError,
    DraftOutput,
    DraftResult,
    Example,
    ReviewInput,
    TranslatedDraftOutput,
    output_model,
)
from bot.drafting.signature import with_sign_off

log = logging.getLogger(__name__)

# One more call when the model's JSON does not validate; models usually get it right twice.
INVALID_OUTPUT_ATTEMPTS = 2
_UNSUPPORTED_FORMAT = re.compile(r"json_schema|response_format|structured", re.IGNORECASE)
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


def build_openai_client(
    *, api_key: str, base_url: str | None, timeout: float, max_retries: int
) -> openai.OpenAI:
    """The client retries timeouts, 429 and 5xx itself, with exponential back-off."""
    return openai.OpenAI(
        api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries
    )


@dataclass(frozen=True)
class _Completion:
    output: DraftOutput
    model: str
    tokens_in: int | None
    tokens_out: int | None


@dataclass(frozen=True)
class DraftRequest:
    """What one draft asks of the model: the output model, and the messages for either mode."""

    output_type: type[DraftOutput]
    _build: Callable[..., list[dict[str, str]]]

    def messages(self, *, schema_in_prompt: bool = False) -> list[dict[str, str]]:
        """`schema_in_prompt` for a server whose JSON mode is sent no schema."""
        return self._build(schema_in_prompt=schema_in_prompt)


class _InvalidOutput(Exception):
    """The model answered, but not with a DraftOutput."""


class LLMDrafter:
    def __init__(
        self,
        client: openai.OpenAI,
        *,
        model: str,
        prompts: PromptLibrary,
        profile: BusinessProfile,
        team_language: str,
        detect_language: Callable[[str], str],
    ) -> None:
        self._client = client
        self._model = model
        self._prompts = prompts
        self._profile = profile
        self._team_language = team_language
        self._detect_language = detect_language
        # Set once a server says it has no structured output; asking again would cost a
        # failed call per review.
        self.json_mode = False

    def request(
        self,
        review: ReviewInput,
        *,
        examples: Sequence[Example] = (),
        instruction: str | None = None,
    ) -> DraftRequest:
        """The prompt and output model a draft of `review` is asked for."""
        template = self._prompts.template(review.language)
        # The app appends the sign-off, so the model may write what the platform leaves of it.
        sign_off_length = len(with_sign_off("", template, brand=self._profile.brand))
        limit = review.length_limit - sign_off_length if review.length_limit else None
        translate = needs_translation(review.language, self._team_language)
        return DraftRequest(
            output_model(translate=translate),
            partial(
                self._prompts.build_messages,
                review,
                profile=self._profile,
                team_language=self._team_language,
                # Other customers' names and contact details never reach the model.
                examples=[anonymised(example, language=review.language) for example in examples],
                instruction=instruction,
                length_limit=limit,
            ),
        )

    def draft(
        self,
        review: ReviewInput,
        *,
        examples: Sequence[Example] = (),
        instruction: str | None = None,
    ) -> DraftResult:
        """Draft a reply; raises DraftingError with a reason a person can act on."""
        request = self.request(review, examples=examples, instruction=instruction)
        started = time.monotonic()
        completion = self._complete_validated(request)
        latency_ms = round((time.monotonic() - started) * 1000)
        output = completion.output
        urgent = output.priority == "urgent"
        log.info(
            "Drafted a %s reply with %s in %d ms (%s tokens in, %s out)",
            review.language,
            completion.model,
            latency_ms,
            completion.tokens_in,
            completion.tokens_out,
        )
        text = with_sign_off(
            output.reply.strip(), self._prompts.template(review.language), brand=self._profile.brand
        )
        review_translation, reply_translation = (
            (output.review_translation, output.reply_translation)
            if isinstance(output, TranslatedDraftOutput)
            else (None, None)
        )
        return DraftResult(
            text=text,
            kind="llm",
            reply_translation=reply_translation,
            review_translation=review_translation,
            themes=list(output.themes),
            feedback_kind=output.feedback_kind,
            priority=output.priority,
            urgent_reason=(output.urgent_reason or None) if urgent else None,
            needs_lead=urgent,
            model=completion.model,
            prompt_version=self._prompts.prompt_version,
            tokens_in=completion.tokens_in,
            tokens_out=completion.tokens_out,
            latency_ms=latency_ms,
            findings=check_draft(
                text,
                review=review,
                profile=self._profile,
                detect_language=self._detect_language,
            ),
        )

    def _complete_validated(self, request: DraftRequest) -> _Completion:
        problem = ""
        for _ in range(INVALID_OUTPUT_ATTEMPTS):
            try:
                return self._complete(request)
            except _InvalidOutput as exc:
                problem = str(exc)
                log.warning("The model's answer did not validate: %s", problem)
        raise DraftingError(
            f"The language model did not return a valid draft after "
            f"{INVALID_OUTPUT_ATTEMPTS} tries ({problem})"
        )

    def _complete(self, request: DraftRequest) -> _Completion:
        try:
            if not self.json_mode:
                try:
                    return self._complete_structured(request)
                except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                    if not _UNSUPPORTED_FORMAT.search(_error_text(exc)):
                        raise
                    log.warning(
                        "Server at %s has no structured output; using JSON mode from now on",
                        self._client.base_url,
                    )
                    self.json_mode = True
            return self._complete_json_mode(request)
        except openai.OpenAIError as exc:
            raise DraftingError(self._reason(exc)) from exc

    def _complete_structured(self, request: DraftRequest) -> _Completion:
        try:
            response = self._client.chat.completions.parse(
                model=self._model,
                messages=request.messages(),
                response_format=request.output_type,
            )
        except pydantic.ValidationError as exc:
            raise _InvalidOutput(_summarise(exc)) from exc
        message = response.choices[0].message
        if message.refusal:
            raise DraftingError(f"The language model refused to draft a reply: {message.refusal}")
        if message.parsed is None:
            raise _InvalidOutput("the answer was empty")
        return _Completion(message.parsed, response.model, *_usage(response))

    def _complete_json_mode(self, request: DraftRequest) -> _Completion:
        response = self._client.chat.completions.create(
            model=self._model,
            messages=request.messages(schema_in_prompt=True),
            response_format={"type": "json_object"},
        )
        choice = response.choices[0]
        if choice.finish_reason == "length":
            raise DraftingError("The language model's answer was cut off (it ran out of tokens)")
        content = choice.message.content or ""
        # Some servers wrap JSON-mode answers in Markdown fences; the object inside is usable.
        found = _JSON_OBJECT.search(content)
        if not found:
            raise _InvalidOutput("the answer held no JSON object")
        try:
            output = request.output_type.model_validate_json(found.group())
        except pydantic.ValidationError as exc:
            raise _InvalidOutput(_summarise(exc)) from exc
        return _Completion(output, response.model, *_usage(response))

    def _reason(self, exc: openai.OpenAIError) -> str:
        attempts = self._client.max_retries + 1
        if isinstance(exc, openai.APITimeoutError):
            return f"The language model timed out after {attempts} attempts"
        if isinstance(exc, openai.APIConnectionError):
            return f"Could not reach the language model at {self._client.base_url}"
        if isinstance(exc, openai.RateLimitError):
            return f"The language model is rate limited (HTTP 429) after {attempts} attempts"
        if isinstance(exc, openai.InternalServerError):
            return (
                f"The language model server failed (HTTP {exc.status_code}) "
                f"after {attempts} attempts"
            )
        if isinstance(exc, openai.AuthenticationError):
            return "The language model rejected the API key (HTTP 401); check OPENAI_API_KEY"
        if isinstance(exc, openai.NotFoundError):
            return f"The language model server does not know the model {self._model!r}"
        if isinstance(exc, openai.APIStatusError):
            return (
                f"The language model refused the request (HTTP {exc.status_code}): "
                f"{_error_text(exc)[:200]}"
            )
        if isinstance(exc, openai.LengthFinishReasonError):
            return "The language model's answer was cut off (it ran out of tokens)"
        if isinstance(exc, openai.ContentFilterFinishReasonError):
            return "The language model's content filter blocked the draft"
        return f"The language model call failed: {type(exc).__name__}"


def _error_text(exc: openai.APIStatusError) -> str:
    body = exc.body
    message = body.get("message") if isinstance(body, dict) else None
    text = str(message) if message else exc.message
    return f"{text} (param: {exc.param})" if exc.param else text


def _usage(response: object) -> tuple[int | None, int | None]:
    usage = getattr(response, "usage", None)
    if usage is None:
        return None, None
    return usage.prompt_tokens, usage.completion_tokens


def _summarise(exc: pydantic.ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "the answer"
    return f"{where}: {first['msg']}"
