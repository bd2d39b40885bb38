"""The digest's chart: daily reviews and negatives as bars, the average rating as a line."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DailyFigures:
    day: date
    reviews: int
    negatives: int
    average_rating: float | None


def render_chart(days: list[DailyFigures], title: str) -> bytes:
    """A PNG. Drawn on a bare Figure with the Agg canvas: no pyplot, no global state, so it
    is safe from the scheduler's worker threads."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 4), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    counts = figure.add_subplot()
    labels = [f"{d.day:%a} {d.day.day}" for d in days]
    positions = list(range(len(days)))
    width = 0.38
    counts.bar(
        [p - width / 2 for p in positions],
        [d.reviews for d in days],
        width,
        label="Reviews",
        color="#4c78a8",
    )
    counts.bar(
        [p + width / 2 for p in positions],
        [d.negatives for d in days],
        width,
        label="Negative",
        color="#e45756",
    )
    counts.set_xticks(positions, labels)
    counts.set_ylabel("Reviews")
    locator = counts.yaxis.get_major_locator()
    assert isinstance(locator, MaxNLocator)  # an axis starts with an AutoLocator, one of them
    locator.set_params(integer=True)
    ratings = counts.twinx()
    rated = [
        (p, d.average_rating) for p, d in zip(positions, days, strict=True) if d.average_rating
    ]
    ratings.plot(
        [p for p, _ in rated],
        [r for _, r in rated],
        marker="o",
        color="#f2a900",
        label="Average rating",
    )
    ratings.set_ylim(0.5, 5.5)
    ratings.set_ylabel("Average rating (★)")
    handles = counts.get_legend_handles_labels()
    more = ratings.get_legend_handles_labels()
    counts.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left", fontsize="small")
    counts.set_title(title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
