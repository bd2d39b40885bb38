"""How figures are shown in Slack: ratings, stars, hours and ages, shares, local times. One
copy for the card, `/reviews` and the digest, so they show the same figure the same way."""

from datetime import UTC, datetime, timedelta, tzinfo

NO_FIGURE = "–"  # a figure with no value (no ratings in the period, nothing approved…)


def rating_words(rating: int | None) -> str:
    return f"{rating}★" if rating is not None else "no rating"


def stars(rating: int | None) -> str:
    if rating is None:
        return "No star rating"
    filled = max(0, min(rating, 5))
    return "★" * filled + "☆" * (5 - filled) + f" {rating}/5"


def average_rating(value: float | None) -> str:
    return NO_FIGURE if value is None else f"{value:.2f}★"


def change_summary(old_rating: int | None, new_rating: int | None, *, text_changed: bool) -> str:
    """What a customer changed, in a few words: "2★ → 4★", "new text", or both."""
    parts = []
    if old_rating != new_rating:
        parts.append(f"{rating_words(old_rating)} → {rating_words(new_rating)}")
    if text_changed or not parts:
        parts.append("new text")
    return ", ".join(parts)


def share(value: float | None) -> str:
    return NO_FIGURE if value is None else f"{value:.0%}"


def format_hours(hours: float | None) -> str:
    """A time in hours as a figure: "15 min", "5.2 h", "3.0 d"."""
    if hours is None:
        return NO_FIGURE
    if hours < 1:
        return f"{round(hours * 60)} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} d"


def format_age(age: timedelta) -> str:
    """How long something has waited, to the hour (or minute, under an hour)."""
    minutes = max(0, int(age.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def duration_words(span: timedelta) -> str:
    """ "45 min", "5 h", "3 days": a span in a sentence, roughly (a reminder, a deadline)."""
    minutes = int(span.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


def local_time(at: datetime, tz: tzinfo) -> str:
    # SQLite hands back naive datetimes; the database stores UTC.
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(tz).strftime("%Y-%m-%d %H:%M")
