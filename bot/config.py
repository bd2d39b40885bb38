"""The one Settings class. Read once in the entry point (bot/cli.py) and passed down."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.timewords import WorkingTime, parse_days, parse_duration, parse_hours

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The fictitious café every example drafts for; `reviewbot run` refuses it outside the demo.
EXAMPLE_PROFILE = PROJECT_ROOT / "prompts" / "business.example.yml"
# Where `reviewbot init` writes the team's profile: the operator's folder, next to .env.
DEFAULT_PROFILE = Path("reviewbot") / "business.yml"

CommaList = Annotated[tuple[str, ...], NoDecode]

# Scheduler settings written as durations (4h, 30m, 7d).
_DURATIONS = (
    "nudge_after",
    "nudge_every",
    "sla",
    "follow_up_after",
    "job_interval",
    "leader_retry",
    "work_lease",
)
# Slack user (U…, W… in Enterprise Grid) and user group (S…) ids.
SLACK_PERSON_ID = re.compile(r"[UWS][A-Z0-9]{2,20}")
# Public (C…) and private (G…) channel ids, as "Copy link" gives them.
SLACK_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{4,}")
# What Slack accepts as a command name: lower case, no spaces, 32 characters in all.
_SLASH_COMMAND = re.compile(r"/[a-z0-9_-]{1,31}")


class ConfigError(Exception):
    """Settings are missing or malformed: one line per problem, each naming its setting."""

    def __init__(self, *problems: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)
        self.fields = fields  # the settings refused, when each is one field


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        # An empty line of .env.example (SLACK_APP_TOKEN=) means unset, not an empty value.
        env_ignore_empty=True,
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
    # The slash command as the Slack app declares it (manifest.yml, `reviewbot manifest`).
    slash_command: str = "/reviews"

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
    # GET /metrics then needs Authorization: Bearer <METRICS_TOKEN>; unset: served to anyone
    # who reaches it, so keep the path inside (docs/observability.md).
    metrics_token: SecretStr | None = None

    # Triage and drafting
    languages: CommaList = ("sv", "nb", "nn", "da", "fi", "zh", "en")
    team_language: str = "en"
    negative_at_most: int = Field(default=2, ge=0, le=5)  # ratings up to this are negative
    ambiguous_rating: int = Field(default=3, ge=1, le=5)  # negative when its text complains
    card_positive: bool = False  # also post cards for positive reviews
    pipeline_workers: int = Field(default=4, ge=1, le=32)
    # A step a worker claimed and did not finish (it died, or lost the database) is taken
    # over by another worker this long after its last renewal.
    work_lease: timedelta = timedelta(seconds=60)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one object per line, for collectors

    # Personal data: reviews written longer ago than this are anonymised (unset: kept).
    retention_days: int | None = Field(default=None, ge=1)
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    business_profile: Path = DEFAULT_PROFILE
    # REVIEWBOT_DEMO=1: `reviewbot run` may draft as the example business (a demonstration).
    reviewbot_demo: bool = False

    # --- Review sources: platforms polled for reviews and answered through their APIs.
    # The YAML file lists them (see bot/sources/sources.example.yml); unset: no platform sources.
    sources_file: Path | None = None
    # KEY=value lines holding the credentials the sources file names (the environment wins).
    sources_secrets_file: Path | None = None
    # Several brands in one deployment: their profiles, channels and teams, and the rules that
    # route each card (docs/routing.md). Unset: one brand, every card in REVIEWS_CHANNEL.
    routes_file: Path | None = None

    # --- Scheduler: nudges, SLA escalation, follow-up, weekly digest, patterns ---
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

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _case(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        return value.upper() if info.field_name == "log_level" else value.lower()

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # slack_sdk joins base_url and the method name by plain concatenation.
        return value if value.endswith("/") else value + "/"

    @field_validator("approvers", "escalation_contacts")
    @classmethod
    def _approver_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        wrong = [v for v in value if not SLACK_PERSON_ID.fullmatch(v)]
        if wrong:
            raise ValueError(f"not Slack user (U…) or user group (S…) ids: {', '.join(wrong)}")
        return value

    @field_validator("slash_command")
    @classmethod
    def _slash_command(cls, value: str) -> str:
        if not _SLASH_COMMAND.fullmatch(value):
            raise ValueError(
                "must be / and up to 31 lowercase letters, digits, - or _, e.g. /reviews"
            )
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
    def prompt_overrides_dir(self) -> Path:
        """The operator's own prompt files, next to the profile; each replaces the checkout's."""
        return self.business_profile.parent / "prompts"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def digest_channel_id(self) -> str | None:
        return self.digest_channel or self.reviews_channel

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    def run_problems(self) -> list[str]:
        """What `reviewbot run` needs of Slack that the demo and the importer do not, one line
        per problem, each starting with the setting's name."""
        problems = []
        bot = self.slack_bot_token.get_secret_value() if self.slack_bot_token else ""
        if not bot:
            problems.append(
                "SLACK_BOT_TOKEN: missing; copy the Bot User OAuth Token (xoxb-…) from the "
                "app's OAuth & Permissions page"
            )
        elif not bot.startswith("xoxb-"):
            problems.append("SLACK_BOT_TOKEN: must be a bot token starting with xoxb-")
        if not self.reviews_channel:
            problems.append("REVIEWS_CHANNEL: missing; the id (C…) of the channel for the cards")
        if self.slack_app_token is not None:  # Socket Mode
            if not self.slack_app_token.get_secret_value().startswith("xapp-"):
                problems.append("SLACK_APP_TOKEN: must be an app-level token starting with xapp-")
        elif not self.slack_signing_secret:
            problems.append(
                "SLACK_SIGNING_SECRET: missing; copy it from the app's Basic Information page "
                "(or set SLACK_APP_TOKEN for Socket Mode)"
            )
        return problems


def load_settings(**overrides: object) -> Settings:
    """Build Settings from the environment and .env; every validation error is one line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems, fields = [], []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "settings"
            fields.append(str(error["loc"][0]) if error["loc"] else "")
            message = error["msg"].removeprefix("Value error, ")
            # Never echo the input: it may be a secret.
            problems.append(f"setting {name}: {message}")
        raise ConfigError(*problems, fields=tuple(fields)) from None
