"""The card settings: approvers, the reply webhook, the display time zone."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings


def test_approvers_are_a_comma_list_of_user_and_group_ids():
    settings = load_settings(approvers="U01ANNA, S02LEADS,W03GRID")

    assert settings.approvers == ("U01ANNA", "S02LEADS", "W03GRID")
    assert load_settings().approvers == ()


def test_a_name_instead_of_an_id_is_refused_with_the_setting_named():
    with pytest.raises(ConfigError, match=r"setting APPROVERS: .*anna"):
        load_settings(approvers="U01ANNA,anna")


def test_a_webhook_without_a_secret_is_refused_and_the_secret_is_never_echoed():
    with pytest.raises(ConfigError, match="REPLY_WEBHOOK_SECRET is not"):
        load_settings(reply_webhook_url="https://hooks.example.com/replies")
    with pytest.raises(ConfigError, match="setting REPLY_WEBHOOK_URL") as refused:
        load_settings(reply_webhook_url="ftp://x", reply_webhook_secret="s3cr3t-value")
    assert "s3cr3t-value" not in str(refused.value)


def test_the_time_zone_must_be_known():
    assert str(load_settings().tz) == "Europe/Stockholm"
    with pytest.raises(ConfigError, match=r"setting TIMEZONE: .*unknown time zone"):
        load_settings(timezone="Europe/Atlantis")
