"""The one Settings class. Read once in the entry point (bot/cli.py) and passed down."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.jobs.working_time import WorkingTime, parse_days, parse_duration, parse_hours

PROJECT_ROOT = Path(__file__).resolve().parent.parent

CommaList = Annotated[tuple[str, ...], NoDecode]

# Scheduler settings written as durations (4h, 30m, 7d).
_DURATIONS = (
    "nudge_after",
    "nudge_every",
    "sla",
    "follow_up_after",
    "job_interval",
    "leader_retry",
)
# Slack user (U…, W… in Enterprise Grid) and user group (S…) ids.
_APPROVER_ID = re.compile(r"[UWS][A-Z0-9]{2,20}")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    reviews_channel: str | None = None
    digest_channel: str | None = None
    # Who may approve or decline: user ids and/or user group ids; empty means everyone.
    approvers: CommaList = ()
    # Seconds between messages posted to one channel (Slack allows about one a second).
    card_post_interval: float = Field(default=1.0, ge=0, le=60)
    timezone: str = "Europe/Stockholm"  # for times shown in Slack

    # Publishing approved replies: an outgoing webhook; without it, replies are posted by hand.
    reply_webhook_url: str | None = None
    reply_webhook_secret: SecretStr | None = None

    # LLM
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_timeout: float = Field(default=30.0, gt=0)
    openai_max_retries: int = Field(default=3, ge=0, le=10)
    # A cap on each answer: a reply, its translation and the review's (99% of real reviews
    # are under 400 tokens); it stops a runaway model, and a cut-off says to raise it.
    openai_max_tokens: int = Field(default=1000, ge=100, le=100_000)

    # Storage and HTTP
    database_url: str = "sqlite:///reviewbot.db"
    host: str = "0.0.0.0"  # noqa: S104 - a server process is meant to listen on all interfaces
    port: int = Field(default=3000, ge=1, le=65535)
    ingest_token: SecretStr | None = None
    ingest_max_bytes: int = Field(default=5_000_000, ge=1_000)
    ingest_max_reviews: int = Field(default=1_000, ge=1)

    # Triage and drafting
    languages: CommaList = ("sv", "nb", "nn", "da", "fi", "zh", "en")
    team_language: str = "en"
    negative_at_most: int = Field(default=2, ge=0, le=5)  # ratings up to this are negative
    ambiguous_rating: int = Field(default=3, ge=1, le=5)  # negative when its text complains
    card_positive: bool = False  # also post cards for positive reviews
    pipeline_workers: int = Field(default=4, ge=1, le=32)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Personal data: reviews written longer ago than this are anonymised (unset: kept).
    retention_days: int | None = Field(default=None, ge=1)
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    business_profile: Path = PROJECT_ROOT / "prompts" / "business.example.yml"

    # --- Review sources (issue 8): platforms polled for reviews and answered through their APIs.
    # The YAML file lists them (see bot/sources/sources.example.yml); unset: no platform sources.
    sources_file: Path | None = None
    # KEY=value lines holding the credentials the sources file names (the environment wins).
    sources_secrets_file: Path | None = None

    # --- Scheduler (issue 5): nudges, SLA escalation, follow-up, weekly digest, patterns ---
    # Durations are written like 4h, 30m, 7d or 1h30m.
    scheduler_enabled: bool = True  # SCHEDULER_ENABLED=false: this process never runs jobs
    nudge_after: timedelta = timedelta(hours=4)  # a pending card's first reminder
    nudge_every: timedelta = timedelta(hours=4)  # then again until someone decides
    working_hours: str = "08:00-17:00"  # reminders wait for these hours, in TIMEZONE
    working_days: str = "mon-fri"
    sla: timedelta = timedelta(hours=24)  # from when the customer wrote the review
    escalation_contacts: CommaList = ()  # user (U…) and user group (S…) ids
    escalate_anytime: bool = False  # true: escalations go out at night and at weekends too
    follow_up_after: timedelta = timedelta(days=7)  # after the reply went out
    digest_cron: str = "0 8 * * mon"  # minute hour day month weekday, in TIMEZONE
    pattern_min: int = Field(default=3, ge=2, le=1000)  # negatives on one theme in 7 days
    job_interval: timedelta = timedelta(minutes=5)  # how often the sweeps look
    leader_retry: timedelta = timedelta(seconds=30)  # a standby instance tries to lead

    @field_validator(*_DURATIONS, mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return parse_duration(value) if isinstance(value, str) else value

    @field_validator(*_DURATIONS)
    @classmethod
    def _positive_duration(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be longer than zero")
        return value

    @field_validator("working_hours")
    @classmethod
    def _working_hours(cls, value: str) -> str:
        parse_hours(value)
        return value

    @field_validator("working_days")
    @classmethod
    def _working_days(cls, value: str) -> str:
        parse_days(value)
        return value

    @field_validator("digest_cron")
    @classmethod
    def _digest_cron(cls, value: str) -> str:
        fields = value.split()
        # APScheduler 3 counts weekday 0 as Monday where cron counts it as Sunday: names only.
        if len(fields) == 5 and any(ch.isdigit() for ch in fields[4]):
            raise ValueError("write the weekday as a name (mon, tue…), not a number")
        CronTrigger.from_crontab(value, timezone=UTC)
        return value

    @property
    def working_time(self) -> WorkingTime:
        return WorkingTime.parse(self.working_hours, self.working_days, self.tz)

    @field_validator("languages", "approvers", "escalation_contacts", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # slack_sdk joins base_url and the method name by plain concatenation.
        return value if value.endswith("/") else value + "/"

    @field_validator("approvers", "escalation_contacts")
    @classmethod
    def _approver_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        wrong = [v for v in value if not _APPROVER_ID.fullmatch(v)]
        if wrong:
            raise ValueError(f"not Slack user (U…) or user group (S…) ids: {', '.join(wrong)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use e.g. Europe/Stockholm") from None
        return value

    @field_validator("reply_webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return value or None

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        # An unsigned webhook would let anyone who learns its URL publish replies.
        if self.reply_webhook_url and not self.reply_webhook_secret:
            raise ValueError("REPLY_WEBHOOK_URL is set but REPLY_WEBHOOK_SECRET is not")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def digest_channel_id(self) -> str | None:
        return self.digest_channel or self.reviews_channel

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    def require_for_run(self) -> None:
        """`reviewbot run` needs Slack; the demo and the importer do not."""
        missing = [
            name
            for name, value in (
                ("SLACK_BOT_TOKEN", self.slack_bot_token),
                ("REVIEWS_CHANNEL", self.reviews_channel),
            )
            if not value
        ]
        if not self.socket_mode and not self.slack_signing_secret:
            missing.append("SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)")
        if missing:
            raise ConfigError(f"missing setting: {', '.join(missing)}")
        token = self.slack_bot_token.get_secret_value() if self.slack_bot_token else ""
        if not token.startswith("xoxb-"):
            raise ConfigError("setting SLACK_BOT_TOKEN: must be a bot token starting with xoxb-")
        if self.slack_app_token and not self.slack_app_token.get_secret_value().startswith("xapp-"):
            raise ConfigError("setting SLACK_APP_TOKEN: must be an app token starting with xapp-")


def load_settings(**overrides: object) -> Settings:
    """Build Settings from the environment and .env, turning validation errors into one line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        # Never echo the input: it may be a secret.
        raise ConfigError(f"setting {name}: {first['msg']}") from None
