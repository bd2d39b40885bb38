"""What `reviewbot run` checks before migrations and the scheduler start: every setting and
file, the database and Slack. Each problem is one line; all of them are reported at once."""

from __future__ import annotations

from collections.abc import Callable

from bot.cards.slack_client import Sleep
from bot.config import EXAMPLE_PROFILE, Settings
from bot.drafting.profile import BusinessProfile, ProfileError
from bot.drafting.prompts import PromptFileError, PromptLibrary
from bot.routing import RoutesFileError
from bot.sources.config import SourcesFileError, load_sources
from bot.startup.settings_checks import setting_problems
from bot.startup.slack_checks import SlackProblem, auth_test, open_socket_connection
from bot.wiring import build_routing
from storage.diagnostics import DatabaseProblem, reachable

INIT_HINT = "run `reviewbot init` to write your own"


def is_example_profile(settings: Settings, profile: BusinessProfile) -> bool:
    """The bundled café's profile, where it lies or copied unchanged."""
    if settings.business_profile.resolve() == EXAMPLE_PROFILE:
        return True
    return profile == BusinessProfile.from_file(EXAMPLE_PROFILE)


def unreadable_profile(settings: Settings) -> list[str]:
    """The one line saying why BUSINESS_PROFILE cannot be read; empty when it can."""
    try:
        BusinessProfile.from_file(settings.business_profile)
    except ProfileError as exc:
        missing = not settings.business_profile.exists()
        return [f"BUSINESS_PROFILE: {exc}" + (f"; {INIT_HINT}" if missing else "")]
    return []


def profile_problems(settings: Settings) -> list[str]:
    unreadable = unreadable_profile(settings)
    if unreadable:
        return unreadable
    profile = BusinessProfile.from_file(settings.business_profile)
    if is_example_profile(settings, profile) and not settings.reviewbot_demo:
        return [
            "BUSINESS_PROFILE: this is the example café's profile, not your business; "
            f"{INIT_HINT} (REVIEWBOT_DEMO=1 allows it for a demonstration)"
        ]
    return []


def _prompts_problems(settings: Settings) -> list[str]:
    try:
        PromptLibrary(settings.prompts_dir, overrides=settings.prompt_overrides_dir)
    except PromptFileError as exc:
        return [f"PROMPTS_DIR: {exc}"]
    return []


def _sources_problems(settings: Settings) -> list[str]:
    if settings.sources_file is None:
        return []
    try:
        load_sources(settings.sources_file)
    except SourcesFileError as exc:
        return [f"SOURCES_FILE: {exc}"]
    return []


def _routes_problems(settings: Settings) -> list[str]:
    if settings.routes_file is None or unreadable_profile(settings):
        return []  # the brands' profiles are read over the base profile: it must read first
    try:
        build_routing(settings, BusinessProfile.from_file(settings.business_profile))
    except RoutesFileError as exc:
        return [f"ROUTES_FILE: {exc}"]
    return []


# Each file a setting names, checked in this order.
FILE_CHECKS: tuple[Callable[[Settings], list[str]], ...] = (
    profile_problems,
    _prompts_problems,
    _sources_problems,
    _routes_problems,
)


def file_problems(settings: Settings) -> list[str]:
    return [problem for check in FILE_CHECKS for problem in check(settings)]


def _flagged(problems: list[str], *names: str) -> bool:
    return any(problem.startswith(f"{name}:") for problem in problems for name in names)


def live_problems(settings: Settings, already: list[str], *, sleep: Sleep) -> list[str]:
    """The database and Slack, unless their settings are already known to be wrong."""
    problems = []
    if not _flagged(already, "DATABASE_URL"):
        try:
            reachable(settings.database_url)
        except DatabaseProblem as exc:
            problems.append(f"DATABASE_URL: the database does not answer ({exc})")
    if not _flagged(already, "SLACK_BOT_TOKEN", "SLACK_API_URL") and settings.slack_bot_token:
        try:
            auth_test(settings, sleep=sleep)
        except SlackProblem as exc:
            problems.append(str(exc))
    if settings.socket_mode and not _flagged(already, "SLACK_APP_TOKEN", "SLACK_API_URL"):
        try:
            open_socket_connection(settings, sleep=sleep)
        except SlackProblem as exc:
            if str(exc) not in problems:
                problems.append(str(exc))
    return problems


def preflight(settings: Settings, *, sleep: Sleep) -> list[str]:
    """Every problem that would stop `reviewbot run`, one line each; empty: ready to start."""
    problems = setting_problems(settings) + file_problems(settings)
    return problems + live_problems(settings, problems, sleep=sleep)
