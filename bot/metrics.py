"""Prometheus metrics: one registry per Services (built in build_services), never the global one.

Counters move where the events happen (intake, the pipeline, the card outbox); every Slack
Web API attempt is counted by a retry handler placed first on each client, which the SDK asks
about every answer (200s too) and which Bolt copies onto the clients it makes per request;
the backlog is read from storage at scrape time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.drafting import DraftResult

# Model answers take from under a second to the 30 s timeout.
LLM_SECONDS_BUCKETS = (0.5, 1, 2, 4, 8, 15, 30, 60)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.reviews_stored = Counter(
            "reviewbot_reviews_stored",
            "Reviews stored (accepted new, or updated by the customer), by source",
            ["source", "status"],
            registry=r,
        )
        self.cards_posted = Counter(
            "reviewbot_cards_posted", "Review cards posted to Slack", registry=r
        )
        self.drafts = Counter(
            "reviewbot_drafts",
            "Drafts written, by outcome: llm, template, failed",
            ["outcome"],
            registry=r,
        )
        self.llm_seconds = Histogram(
            "reviewbot_llm_draft_seconds",
            "Time the model took over a draft (retries included)",
            buckets=LLM_SECONDS_BUCKETS,
            registry=r,
        )
        self.llm_tokens = Counter(
            "reviewbot_llm_tokens",
            "Tokens the model counted in its usage, by kind: prompt, completion",
            ["kind"],
            registry=r,
        )
        self.slack_calls = Counter(
            "reviewbot_slack_api_calls",
            "Slack Web API attempts by method and outcome (ok, a Slack error code such as "
            "ratelimited for a 429, http_5xx, connection_error); each retry counts",
            ["method", "outcome"],
            registry=r,
        )

    def draft_written(self, result: DraftResult) -> None:
        self.drafts.labels(result.kind).inc()
        if result.kind != "llm":
            return
        self.llm_seconds.observe(result.latency_ms / 1000)
        if result.tokens_in is not None:
            self.llm_tokens.labels("prompt").inc(result.tokens_in)
        if result.tokens_out is not None:
            self.llm_tokens.labels("completion").inc(result.tokens_out)

    def draft_failed(self) -> None:
        self.drafts.labels("failed").inc()

    def slack_counter(self) -> RetryHandler:
        return _SlackCalls(self.slack_calls)

    def watch_backlog(self, read: Callable[[], Mapping[str, int]]) -> None:
        """`read()`: reviews waiting for the app's own work, by stage; asked at each scrape."""
        self.registry.register(_Backlog(read))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _SlackCalls(RetryHandler):
    """Counts each attempt and never asks for a retry; the handlers after it decide that."""

    def __init__(self, calls: Counter) -> None:
        super().__init__(max_retry_count=0)
        self._calls = calls

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        method = urlsplit(request.url).path.rsplit("/", 1)[-1]
        self._calls.labels(method, _outcome(response)).inc()
        return False


def _outcome(response: HttpResponse | None) -> str:
    if response is None:
        return "connection_error"
    if response.status_code == 429:
        return "ratelimited"
    if response.status_code >= 500:
        return "http_5xx"
    if response.status_code != 200:
        return f"http_{response.status_code}"
    body = response.body or {}
    if body.get("ok", True):
        return "ok"
    return str(body.get("error") or "error")


class _Backlog(Collector):
    def __init__(self, read: Callable[[], Mapping[str, int]]) -> None:
        self._read = read

    def describe(self) -> list[Metric]:
        return [self._family()]  # described without a database query at registration

    def collect(self) -> Iterator[Metric]:
        family = self._family()
        for stage, count in self._read().items():
            family.add_metric([stage], count)
        yield family

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "reviewbot_backlog",
            "Reviews waiting for the app: to triage, to draft (or being drafted), cards to post",
            labels=["stage"],
        )
