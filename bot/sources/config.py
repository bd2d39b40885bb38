"""The sources file (SOURCES_FILE): which review platforms to poll and answer, per location or app.

Credentials are never written in this file: it names the environment variables (or entries of
the secrets file, SOURCES_SECRETS_FILE) that hold them, so the file can be committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, ClassVar, Literal

import yaml
from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.routing.routes_file import BRAND_ID

_ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
EnvName = Annotated[str, Field(pattern=_ENV_NAME)]
# A brand id of ROUTES_FILE; whether that file defines it is checked when the process starts.
BrandId = Annotated[str | None, Field(default=None, pattern=f"^{BRAND_ID.pattern}$")]
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 - an endpoint, not a secret


class SourcesFileError(Exception):
    """The sources file is missing or malformed; the message is one line naming the field."""


class MissingCredential(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(f"missing credential {name} (set it in the environment or secrets file)")
        self.name = name


class Credentials:
    """Secret values by name. Holds them without ever showing them (repr hides the values)."""

    def __init__(self, values: Mapping[str, str | None]) -> None:
        self._values = {k: v for k, v in values.items() if v}

    @classmethod
    def load(cls, environ: Mapping[str, str], secrets_file: Path | None = None) -> Credentials:
        """The secrets file (KEY=value lines, as in .env) overlaid by the environment."""
        values: dict[str, str | None] = {}
        if secrets_file is not None:
            if not secrets_file.is_file():
                raise SourcesFileError(f"secrets file {secrets_file} does not exist")
            values.update(dotenv_values(secrets_file))
        values.update(environ)
        return cls(values)

    def get(self, name: str) -> str:
        try:
            return self._values[name]
        except KeyError:
            raise MissingCredential(name) from None

    def missing(self, names: list[str]) -> list[str]:
        return [name for name in names if name not in self._values]

    def __repr__(self) -> str:
        return f"Credentials({len(self._values)} values)"


class Scope(BaseModel):
    """One location, business unit or app of a source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=200)
    # Shown as the review's location; the business profile may give it a language.
    name: str | None = Field(default=None, max_length=256)
    brand: BrandId = None  # its reviews' brand; None: the source's

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: object) -> object:
        # YAML reads numeric ids (App Store app ids, GBP location ids) as integers.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    brand: BrandId = None  # the brand of its reviews, unless a location or app names its own
    enabled: bool = True
    poll_minutes: int = Field(default=15, ge=1, le=24 * 60)
    timeout: float = Field(default=20.0, gt=0, le=300)
    # Tries of one HTTP call on 429/5xx/network failure before the poll gives up until later.
    attempts: int = Field(default=4, ge=1, le=10)
    # The longest Retry-After waited for inline; a longer one postpones the next poll instead.
    max_wait_seconds: float = Field(default=60.0, ge=0, le=3600)
    api_url: str
    token_url: str | None = None
    # The key its locations or apps are listed under, as the file spells it.
    scopes_key: ClassVar[str]

    @field_validator("api_url", "token_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return value

    @property
    def scopes(self) -> tuple[Scope, ...]:
        return getattr(self, self.scopes_key)

    @field_validator("api_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        # Paths are joined onto it, so it must end at a directory.
        return value if value.endswith("/") else value + "/"


class GoogleBusinessSource(_Source):
    """Google Business Profile: reviews of each location, OAuth refresh-token flow."""

    scopes_key = "locations"
    platform: Literal["google"]
    api_url: str = "https://mybusiness.googleapis.com/v4/"
    token_url: str | None = GOOGLE_TOKEN_URL
    account: str = Field(min_length=1)
    locations: tuple[Scope, ...] = Field(min_length=1)
    client_id_env: EnvName
    client_secret_env: EnvName
    refresh_token_env: EnvName

    @field_validator("account", mode="before")
    @classmethod
    def _account_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @property
    def credential_names(self) -> list[str]:
        return [self.client_id_env, self.client_secret_env, self.refresh_token_env]


class TrustpilotSource(_Source):
    """Trustpilot: private reviews of each business unit, business-user OAuth."""

    scopes_key = "business_units"
    platform: Literal["trustpilot"]
    api_url: str = "https://api.trustpilot.com/"
    business_units: tuple[Scope, ...] = Field(min_length=1)
    business_user_id: str = Field(min_length=1)  # the author of our replies
    # Trustpilot lists by creation date; reviews this recent are read again to catch edits.
    edit_window_days: int = Field(default=14, ge=0, le=365)
    api_key_env: EnvName
    api_secret_env: EnvName
    username_env: EnvName
    password_env: EnvName

    @property
    def credential_names(self) -> list[str]:
        return [self.api_key_env, self.api_secret_env, self.username_env, self.password_env]


class AppStoreSource(_Source):
    """App Store Connect: customer reviews of each app, ES256 JWT from a .p8 key."""

    scopes_key = "apps"
    platform: Literal["app_store"]
    api_url: str = "https://api.appstoreconnect.apple.com/"
    apps: tuple[Scope, ...] = Field(min_length=1)
    issuer_id: str = Field(min_length=1)
    key_id: str = Field(min_length=1)
    private_key_env: EnvName  # the .p8 file's PEM text
    # Apple's limit is per hour; a 429 without Retry-After waits this long.
    max_wait_seconds: float = Field(default=60.0, ge=0, le=3600)

    @property
    def credential_names(self) -> list[str]:
        return [self.private_key_env]


class GooglePlaySource(_Source):
    """Google Play: reviews of each app (package name), service-account JWT bearer grant."""

    scopes_key = "apps"
    platform: Literal["google_play"]
    api_url: str = "https://androidpublisher.googleapis.com/"
    apps: tuple[Scope, ...] = Field(min_length=1)
    service_account_env: EnvName  # the service account's JSON key
    # token_url: None means the token_uri of the service account key.

    @property
    def credential_names(self) -> list[str]:
        return [self.service_account_env]


SourceConfig = Annotated[
    GoogleBusinessSource | TrustpilotSource | AppStoreSource | GooglePlaySource,
    Field(discriminator="platform"),
]


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: tuple[SourceConfig, ...] = ()

    @model_validator(mode="after")
    def _unambiguous(self) -> SourcesFile:
        names = [s.name for s in self.sources]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"sources: name used twice: {', '.join(twice)}")
        # A reply must go out through exactly one source, so a location or app belongs to one.
        scopes = [(s.platform, scope.id) for s in self.sources for scope in s.scopes]
        shared = sorted({f"{p} {i}" for p, i in scopes if scopes.count((p, i)) > 1})
        if shared:
            raise ValueError(f"sources: configured twice: {', '.join(shared)}")
        return self

    def brands_named(self) -> list[tuple[str, str]]:
        """(where in the file, brand id) of every `brand` key, to check against ROUTES_FILE."""
        named = []
        for number, source in enumerate(self.sources):
            if source.brand is not None:
                named.append((f"sources.{number}.brand", source.brand))
            for index, scope in enumerate(source.scopes):
                if scope.brand is not None:
                    where = f"sources.{number}.{source.scopes_key}.{index}.brand"
                    named.append((where, scope.brand))
        return named

    def get(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)


def load_sources(path: Path) -> SourcesFile:
    """Read and validate the sources file; errors are one line naming the field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourcesFileError(f"sources file {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise SourcesFileError(f"sources file {path}: not valid YAML ({exc})") from None
    try:
        return SourcesFile.model_validate(raw or {})
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "sources"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SourcesFileError(f"sources file {path}: {where}: {message}") from None
