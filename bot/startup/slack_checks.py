"""Slack as `reviewbot run` and `reviewbot doctor` see it: through the app's own client."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.cards.slack_client import Sleep, build_web_client
from bot.config import Settings

_REFUSED_TOKEN = {"invalid_auth", "not_authed", "account_inactive", "token_revoked"}


class SlackProblem(Exception):
    """One line naming the setting and what to do."""


def _unreachable(settings: Settings, exc: Exception) -> SlackProblem:
    return SlackProblem(
        f"SLACK_API_URL: Slack does not answer at {settings.slack_api_url} ({exc}); "
        "check the network, a proxy, or the URL"
    )


def auth_test(settings: Settings, *, sleep: Sleep) -> SlackResponse:
    """auth.test with SLACK_BOT_TOKEN; the answer's x-oauth-scopes header lists the scopes."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    client = build_web_client(token, settings.slack_api_url, sleep=sleep)
    try:
        return client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error in _REFUSED_TOKEN:
            raise SlackProblem(
                f"SLACK_BOT_TOKEN: Slack refused the token ({error}); copy the Bot User OAuth "
                "Token (xoxb-…) from the app's OAuth & Permissions page, after installing it"
            ) from None
        raise SlackProblem(f"SLACK_BOT_TOKEN: auth.test failed ({error})") from None
    except OSError as exc:
        raise _unreachable(settings, exc) from None


def open_socket_connection(settings: Settings, *, sleep: Sleep) -> None:
    """apps.connections.open with SLACK_APP_TOKEN: what Socket Mode does first."""
    assert settings.slack_app_token is not None
    client = build_web_client(None, settings.slack_api_url, sleep=sleep)
    try:
        client.apps_connections_open(app_token=settings.slack_app_token.get_secret_value())
    except SlackApiError as exc:
        error = exc.response.get("error")
        raise SlackProblem(
            f"SLACK_APP_TOKEN: Slack refused the app-level token ({error}); make one with the "
            "connections:write scope under Basic Information → App-Level Tokens"
        ) from None
    except OSError as exc:
        raise _unreachable(settings, exc) from None
