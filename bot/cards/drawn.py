"""What this process last drew on each card, so a redraw that would show the same is skipped.

Every redraw takes a new card version, and buttons of older versions are refused. A redraw
asked for twice in a row (a draft that lands while its card is being posted, say) would
otherwise turn the buttons a responder is about to click stale for nothing. Only a redraw of
the version this process drew itself is skipped: if any process redrew the card since, the
version moved on and the redraw goes ahead.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from bot.blocks.card_view import CardView

# Cards remembered per process; the oldest is forgotten first (a forgotten card just redraws).
REMEMBERED = 2000


class DrawnCards:
    def __init__(self, size: int = REMEMBERED) -> None:
        self._size = size
        self._drawn: OrderedDict[int, tuple[int, CardView]] = OrderedDict()
        self._lock = threading.Lock()

    def shows(self, card_id: int, version: int, view: CardView) -> bool:
        """Whether the card, still at `version`, already shows `view` as this process drew it."""
        with self._lock:
            return self._drawn.get(card_id) == (version, view)

    def drew(self, card_id: int, view: CardView) -> None:
        with self._lock:
            self._drawn[card_id] = (view.card_version, view)
            self._drawn.move_to_end(card_id)
            while len(self._drawn) > self._size:
                self._drawn.popitem(last=False)
