"""A redraw that would show what this process last drew, at the same version, is skipped."""

from __future__ import annotations

from dataclasses import replace

from bot.cards.drawn import DrawnCards
from tests.support.blocks import make_view


def test_the_same_view_at_the_version_drawn_is_shown_already():
    drawn = DrawnCards()
    view = replace(make_view(), card_version=3)
    assert not drawn.shows(7, 3, view)
    drawn.drew(7, view)
    assert drawn.shows(7, 3, view)


def test_another_version_or_another_view_is_drawn_again():
    drawn = DrawnCards()
    view = replace(make_view(), card_version=3)
    drawn.drew(7, view)
    assert not drawn.shows(7, 4, view)  # someone else redrew it since
    assert not drawn.shows(7, 3, replace(view, assignee="U0OTHER"))
    assert not drawn.shows(8, 3, view)


def test_the_oldest_card_is_forgotten_first():
    drawn = DrawnCards(size=2)
    views = {card_id: replace(make_view(), card_version=1) for card_id in (1, 2, 3)}
    for card_id, view in views.items():
        drawn.drew(card_id, view)
    assert not drawn.shows(1, 1, views[1])
    assert drawn.shows(2, 1, views[2]) and drawn.shows(3, 1, views[3])
