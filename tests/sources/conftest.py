"""Fixtures the source tests share."""

from __future__ import annotations

import pytest

from tests.fakes.platforms import FakeGoogleBusiness


@pytest.fixture
def google():
    """A fake Google Business Profile API holding account 100's locations."""
    with FakeGoogleBusiness(account="100") as fake:
        yield fake
