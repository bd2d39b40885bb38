"""`reviewbot init` writes a profile the app loads, names it in .env, and never overwrites
one by accident; prompt files next to it replace the checkout's, file by file."""

from __future__ import annotations

from pathlib import Path

from dotenv import dotenv_values
from typer.testing import CliRunner

from bot.cli import cli
from bot.config import PROJECT_ROOT, Settings
from bot.drafting.profile import BusinessProfile
from bot.drafting.prompts import PromptLibrary

FLAGS = [
    "--brand", "Kaffebaren",
    "--signoff", "Teamet på Kaffebaren",
    "--contact", "hej@kaffebaren.example",
    "--compensation", "En kaffe bjuder vi på när felet var vårt.",
    "--compensation-kinds", "voucher",
    "--languages", "sv,nb,en",
    "--markets", "SE,NO",
    "--locations", "Södermalm; Oslo sentrum=nb,oslo@kaffebaren.example",
    "--lead-contacts", "U0LEADA1",
]  # fmt: skip


def test_init_with_flags_writes_a_profile_that_loads_and_names_it_in_env(tmp_path: Path):
    (tmp_path / ".env").write_text("PORT=3001\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", *FLAGS])
    assert result.exit_code == 0, result.output
    profile = BusinessProfile.from_file(tmp_path / "reviewbot" / "business.yml")
    assert (profile.brand, profile.default_language, profile.countries) == (
        "Kaffebaren",
        "sv",
        ["SE", "NO"],
    )
    assert profile.contact_for("Oslo sentrum") == "oslo@kaffebaren.example"
    assert profile.locations["Oslo sentrum"].language == "nb"
    assert profile.compensation_kinds == ["voucher"]
    env = dotenv_values(tmp_path / ".env")
    assert env == {
        "PORT": "3001",
        "BUSINESS_PROFILE": "reviewbot/business.yml",
        "LANGUAGES": "sv,nb,en",
    }


def test_init_asks_for_what_the_flags_do_not_give(tmp_path: Path):
    answers = "Kaffebaren\nTeamet\n+46 8 123 456 78\n\n\nsv\nSE\n\n\n"
    result = CliRunner().invoke(cli, ["init", "--profile", "team/profile.yml"], input=answers)
    assert result.exit_code == 0, result.output
    assert "Brand" in result.output and "Contact" in result.output
    profile = BusinessProfile.from_file(tmp_path / "team" / "profile.yml")
    assert profile.contact == "+46 8 123 456 78"


def test_init_refuses_to_overwrite_without_force(tmp_path: Path):
    assert CliRunner().invoke(cli, ["init", *FLAGS]).exit_code == 0
    again = CliRunner().invoke(cli, ["init", *FLAGS, "--brand", "Annan"])
    assert again.exit_code == 1
    assert "exists; pass --force" in again.output
    assert BusinessProfile.from_file(tmp_path / "reviewbot" / "business.yml").brand == "Kaffebaren"
    forced = CliRunner().invoke(cli, ["init", *FLAGS, "--brand", "Annan", "--force"])
    assert forced.exit_code == 0
    assert BusinessProfile.from_file(tmp_path / "reviewbot" / "business.yml").brand == "Annan"


def test_init_names_every_wrong_answer(tmp_path: Path):
    wrong = [*FLAGS, "--contact", "ring oss", "--languages", "sv,xx", "--markets", "Sweden"]
    result = CliRunner().invoke(cli, ["init", *wrong])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 3
    assert "--languages" in lines[0] and "--markets" in lines[1] and "contact" in lines[2]
    assert not (tmp_path / "reviewbot").exists()


def test_prompt_files_next_to_the_profile_replace_the_checkouts(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("BUSINESS_PROFILE", str(tmp_path / "reviewbot" / "business.yml"))
    settings = Settings()
    own = settings.prompt_overrides_dir / "languages" / "sv.md"
    own.parent.mkdir(parents=True)
    own.write_text("Skriv som Kaffebaren: kort och varmt.", encoding="utf-8")
    library = PromptLibrary(settings.prompts_dir, overrides=settings.prompt_overrides_dir)
    checkout = PromptLibrary(PROJECT_ROOT / "prompts")
    assert library.style_guide("sv") == "Skriv som Kaffebaren: kort och varmt."
    assert library.style_guide("fi") == checkout.style_guide("fi")
    assert library.prompt_version != checkout.prompt_version
