"""One LLM call per review through the official openai client, validated into DraftOutput.

A little over 300 lines: the one drafter class, its request, answer and failure handling
already live in llm_request.py, llm_answer.py and llm_server.py."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import openai
from openai.types.chat import ChatCompletion

from bot.drafting.llm_answer import Completion, InvalidOutput, ProseAnswer, read_answer
from bot.drafting.llm_request import DraftRequest, Messages, draft_request, signed_result
from bot.drafting.llm_server import (
    OUTPUT_MODES,
    OutputMode,
    failure_reason,
    response_format,
    server_host,
    server_text,
    shorten,
)
from bot.drafting.profile import BusinessProfile
from bot.drafting.prompts import PromptLibrary
from bot.drafting.schema import DraftingError, DraftOutput, DraftResult, Example, ReviewInput

log = logging.getLogger(__name__)

# One more call when the model's JSON does not validate; models usually get it right twice.
INVALID_OUTPUT_ATTEMPTS = 2
# Drafted once at start to learn which output mode the server honours.
PROBE_REVIEW = ReviewInput(
    source="probe",
    rating=2,
    title=None,
    text="The delivery was an hour late and the food was cold.",
    author=None,
    language="en",
    location=None,
    length_limit=None,
)


@dataclass(frozen=True)
class ProbeResult:
    """What the configured server does with structured output: for the log and the doctor."""

    server: str
    model: str
    mode: OutputMode | None  # None: not known yet; the first draft asks again
    refused: tuple[str, ...] = ()  # the stronger modes it did not honour, in its own words
    problem: str | None = None  # why the probe could not finish


class _Refused(Exception):
    """The server answered 400/422 to the request in this mode."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(f"HTTP {status}: {text}")
        self.status = status
        self.text = text


class LLMDrafter:
    def __init__(
        self,
        client: openai.OpenAI,
        *,
        model: str,
        max_tokens: int,
        prompts: PromptLibrary,
        profile: BusinessProfile,
        team_language: str,
        detect_language: Callable[[str], str],
    ) -> None:
        self._client = client
        self._model = model
        self._max_tokens = max_tokens
        # `max_tokens` is what OpenAI-compatible servers (vLLM, llama.cpp, Ollama, LM Studio,
        # DeepSeek, Mistral) read; OpenAI's reasoning models refuse it and want the newer
        # name, so that refusal switches to the newer name for good.
        self._max_completion_tokens = False
        self._prompts = prompts
        self._profile = profile  # for a review that brings no brand's profile of its own
        self._team_language = team_language
        self._detect_language = detect_language
        self._probe = ProbeResult(server_host(client), model, None)
        # Held while a probe finds the output mode, so drafts that start meanwhile wait for
        # its answer instead of each asking the server the same questions.
        self._finding_mode = threading.Lock()

    @property
    def mode(self) -> OutputMode | None:
        """The output mode in use; None until the server has answered one."""
        return self._probe.mode

    def request(
        self,
        review: ReviewInput,
        *,
        examples: Sequence[Example] = (),
        instruction: str | None = None,
    ) -> DraftRequest:
        """The prompt and output model a draft of `review` is asked for."""
        return draft_request(
            self._prompts,
            review,
            profile=review.profile or self._profile,
            team_language=self._team_language,
            examples=examples,
            instruction=instruction,
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
        log.info(
            "Drafted a %s reply with %s in %d ms (%s tokens in, %s out)",
            review.language,
            completion.model,
            latency_ms,
            completion.tokens_in,
            completion.tokens_out,
        )
        return signed_result(
            completion,
            review,
            prompts=self._prompts,
            profile=review.profile or self._profile,
            latency_ms=latency_ms,
            detect_language=self._detect_language,
            team_language=self._team_language,
        )

    # ----- the output mode ---------------------------------------------------------------

    def probe(self) -> ProbeResult:
        """Find the output mode now (one short draft per mode tried); known modes are kept."""
        with self._finding_mode:
            return self._probe_holding_the_lock()

    def start_probe(self) -> None:
        """Find the output mode in the background; drafts started meanwhile wait for it."""
        self._finding_mode.acquire()
        try:
            threading.Thread(target=self._probe_then_release, name="llm-probe", daemon=True).start()
        except RuntimeError:
            self._finding_mode.release()
            raise

    def _probe_then_release(self) -> None:
        try:
            self._probe_holding_the_lock()
        finally:
            self._finding_mode.release()

    def _probe_holding_the_lock(self) -> ProbeResult:
        if self._probe.mode is None:
            try:
                self._walk(self.request(PROBE_REVIEW), OUTPUT_MODES, finding=True)
            except DraftingError as exc:
                self._probe = dataclasses.replace(self._probe, problem=exc.reason)
                log.warning(
                    "The probe of the AI service at %s failed (%s)%s",
                    self._probe.server,
                    exc.reason,
                    "; the first draft tries again" if self._probe.mode is None else "",
                )
        return self._probe

    def _complete_validated(self, request: DraftRequest) -> Completion:
        if self._probe.mode is None:
            with self._finding_mode:
                pass  # a probe under way answers the question for this draft too
        mode = self._probe.mode
        if mode is None:
            # Drafts find the mode side by side rather than in a queue: when the server is
            # down, each would otherwise wait out the timeouts of all those before it.
            return self._walk(request, OUTPUT_MODES, finding=True)
        # A server that refuses its mode now (a proxy routing elsewhere) gets the next one.
        return self._walk(request, OUTPUT_MODES[OUTPUT_MODES.index(mode) :], finding=False)

    def _walk(
        self,
        request: DraftRequest,
        modes: Sequence[OutputMode],
        *,
        finding: bool,
    ) -> Completion:
        refused: list[str] = []
        for mode in modes:
            last = mode is modes[-1]
            try:
                # While finding the mode, prose means the server ignored the format: a server
                # that honours one cannot answer prose in it. Once known, prose is a slip.
                return self._in_mode(mode, request, refused, prose_moves_on=finding and not last)
            except _Refused as exc:
                log.warning(
                    "The AI service at %s refused %s output (%s)", self._probe.server, mode, exc
                )
                if last:
                    raise DraftingError(
                        f"the AI service refused the request (HTTP {exc.status}): "
                        f"{shorten(exc.text)}"
                    ) from exc
                refused.append(f"{mode}: {shorten(str(exc))}")
            except ProseAnswer as exc:
                log.warning(
                    "The AI service at %s ignored %s output: %s",
                    self._probe.server,
                    mode,
                    shorten(str(exc)),
                )
                refused.append(f"{mode}: ignored, answered prose")
        raise AssertionError("the last mode returns or raises DraftingError")

    def _in_mode(
        self, mode: OutputMode, request: DraftRequest, refused: list[str], *, prose_moves_on: bool
    ) -> Completion:
        # Without json_schema the server is sent no schema, so the prompt has to spell it out.
        messages = request.messages(schema_in_prompt=mode is not OutputMode.JSON_SCHEMA)
        problem = ""
        for _ in range(INVALID_OUTPUT_ATTEMPTS):
            response = self._request(mode, messages, request.output_type)
            try:
                completion = read_answer(response, request.output_type)
            except ProseAnswer as exc:
                if prose_moves_on:
                    raise
                problem = f"it answered in prose: “{shorten(str(exc), 120)}”"
            except InvalidOutput as exc:
                problem = str(exc)
            except DraftingError:
                self._settle(mode, refused)  # a cut-off or filtered answer is still an answer
                raise
            else:
                self._settle(mode, refused)
                return completion
            self._settle(mode, refused)
            log.warning("The model's answer did not validate: %s", problem)
        raise DraftingError(
            f"the AI service did not return a valid draft in {INVALID_OUTPUT_ATTEMPTS} tries "
            f"({problem})"
        )

    def _settle(self, mode: OutputMode, refused: list[str]) -> None:
        if self._probe.mode is mode:
            return
        self._probe = ProbeResult(self._probe.server, self._model, mode, tuple(refused))
        log.info(
            "The AI service at %s (model %s) takes %s output%s",
            self._probe.server,
            self._model,
            mode,
            f"; not {'; '.join(refused)}" if refused else "",
        )

    # ----- one call ----------------------------------------------------------------------

    def _request(
        self, mode: OutputMode, messages: Messages, output_type: type[DraftOutput]
    ) -> ChatCompletion:
        newer = self._max_completion_tokens
        try:
            response = self._client.chat.completions.create(
                model=self._model,
                messages=messages,  # type: ignore[arg-type]  # plain role/content dicts
                response_format=response_format(mode, output_type),
                max_tokens=openai.omit if newer else self._max_tokens,
                max_completion_tokens=self._max_tokens if newer else openai.omit,
            )
        except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
            text = server_text(exc, secret=self._client.api_key)
            if not newer and "max_completion_tokens" in text:
                log.info("The model %s wants max_completion_tokens; using it", self._model)
                self._max_completion_tokens = True
                return self._request(mode, messages, output_type)
            raise _Refused(exc.status_code, text) from exc
        except openai.APIStatusError as exc:
            log.warning(
                "The AI service at %s answered HTTP %s: %s",
                self._probe.server,
                exc.status_code,
                server_text(exc, secret=self._client.api_key),
            )
            raise DraftingError(self._reason(exc)) from exc
        except openai.OpenAIError as exc:
            raise DraftingError(self._reason(exc)) from exc
        if not isinstance(response, ChatCompletion):
            # The client hands back the raw text of a 200 that is not JSON: a web page, a
            # proxy's login form, another API at the base URL.
            body = str(response).strip()
            raise DraftingError(
                f"the AI service at {self._probe.server} did not answer like an OpenAI-compatible "
                f"server ({f'“{shorten(body, 120)}”' if body else 'an empty answer'}): "
                "check OPENAI_BASE_URL"
            )
        return response

    def _reason(self, exc: openai.OpenAIError) -> str:
        return failure_reason(exc, client=self._client, model=self._model)
