"""The business profile: who is answering, how they sound, and what they may offer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

CompensationKind = Literal["refund", "voucher", "discount", "free_item", "replacement"]


class _Yaml12BoolLoader(yaml.SafeLoader):
    """YAML 1.1 reads NO (Norway), no, on and off as booleans; only true/false are here."""


_Yaml12BoolLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12BoolLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class ProfileError(ValueError):
    """The business profile file is missing or invalid; the message names the field."""


class LocationProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: str | None = None
    contact: str | None = None


class BusinessProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    brand: str = Field(min_length=1)
    voice: str = ""
    # The signature when no responder is named (a first draft is written before anyone claims it).
    signoff: str = Field(min_length=1)
    # The one channel customers are invited to use; the model must never invent another.
    contact: str = Field(min_length=1)
    compensation: str = ""
    # The guardrail flags any remedy a draft mentions that is not listed here.
    compensation_kinds: list[CompensationKind] = []
    max_compensation_amount: float | None = Field(default=None, ge=0)
    currency: str = ""
    allowed_links: list[str] = []
    lead_contacts: list[str] = []
    default_language: str = "en"
    countries: list[str] = []
    locations: dict[str, LocationProfile] = {}

    @field_validator("brand", "signoff", "contact")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @classmethod
    def from_file(
        cls, path: Path | str, *, defaults: BusinessProfile | None = None
    ) -> BusinessProfile:
        """The profile in `path`; with `defaults`, the fields the file leaves out are theirs."""
        path = Path(path)
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Yaml12BoolLoader)  # noqa: S506
        except FileNotFoundError:
            raise ProfileError(f"Business profile {path} not found") from None
        except yaml.YAMLError as exc:
            raise ProfileError(f"Business profile {path} is not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise ProfileError(f"Business profile {path} must be a mapping of fields")
        if defaults is not None:
            data = {**defaults.model_dump(), **data}
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"field '{'.'.join(str(part) for part in error['loc'])}': {error['msg']}"
                for error in exc.errors()
            )
            raise ProfileError(f"Business profile {path}: {problems}") from None

    def contact_for(self, location: str | None) -> str:
        """The contact channel for a review, preferring the location's own."""
        local = self.locations.get(location) if location else None
        return local.contact if local and local.contact else self.contact

    def known_contacts(self) -> list[str]:
        return [self.contact, *(loc.contact for loc in self.locations.values() if loc.contact)]

    def compensation_policy(self) -> str:
        """The compensation rule in one line, as the model and the card should read it."""
        policy = self.compensation.strip() or "No compensation may be offered in a public reply."
        if self.max_compensation_amount is not None:
            policy += f" Never more than {self.max_compensation_amount:g} {self.currency}".rstrip()
            policy += "."
        return policy
