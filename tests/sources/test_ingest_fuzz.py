"""Generated payloads against POST /reviews: never a 5xx, always a JSON error naming the problem,
and the database only ever holds what was accepted."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import Session, select

from storage.models import Review

FIELDS = [
    "source",
    "external_id",
    "rating",
    "title",
    "text",
    "author",
    "language",
    "created_at",
    "url",
    "location",
]
NASTY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\u200b\u200c\u200d",  # zero-width
        "\u202eעברית ו-العربية\u202c",  # right-to-left
        "🙁💩👍🏽" * 10,
        "\x01\x02\x1b[31m",  # control characters
        "<!channel> <@U123> <https://evil|click> *bold* `code`",
        "x" * 100_000,  # 100 kB, at the limit
        "x" * 100_001,
        "\ud800",  # a lone surrogate, which JSON can carry but UTF-8 cannot
        "\x00",
    ]
)
JSON_SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50)
)
ANY_JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELD_VALUE = st.one_of(ANY_JSON, NASTY_TEXT, st.integers(min_value=-10, max_value=10))
# Mostly plausible reviews with one or two bad fields, so validation is exercised past the first check.
PLAUSIBLE = {
    "source": st.just("fuzz"),
    "external_id": st.text(min_size=1, max_size=20),
    "rating": st.integers(min_value=1, max_value=5),
    "text": st.text(max_size=200) | NASTY_TEXT,
    "title": st.text(max_size=50),
    "author": st.text(max_size=50),
    "location": st.text(max_size=50),
    "language": st.sampled_from(["sv", "nb-NO", "nn", "fi", "zh-TW", "zh-Hans", "da"]),
    "created_at": st.datetimes().map(lambda d: d.isoformat()),
    "url": st.just("https://example.com/r/1"),
}
REQUIRED = ("source", "external_id", "text")


def plausible_or_bad(field: str) -> st.SearchStrategy:
    # Nine to one for a plausible value: most reviews carry at most one bad field.
    return st.integers(0, 9).flatmap(lambda n: PLAUSIBLE[field] if n else FIELD_VALUE)


REVIEW = st.fixed_dictionaries(
    {field: plausible_or_bad(field) for field in REQUIRED},
    optional={field: plausible_or_bad(field) for field in FIELDS if field not in REQUIRED},
)
BODY = st.one_of(REVIEW, st.lists(REVIEW, max_size=5), ANY_JSON)

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def count(app) -> int:
    with Session(app.services.engine) as session:
        return session.exec(select(func.count()).select_from(Review)).one()


def check(app, response, before: int) -> None:
    event(f"HTTP {response.status_code}")
    assert response.status_code in (202, 400, 413, 422), response.text
    body = response.json()
    if response.status_code == 202:
        assert count(app) == before + body["accepted"]
    else:
        assert body["error"] and body["message"]
        for problem in body.get("problems", []):
            assert problem["field"] and problem["problem"]
        assert count(app) == before


@FUZZ
@given(body=BODY)
def test_generated_bodies_never_break_the_server(app, body):
    before = count(app)
    raw = json.dumps(body).encode("utf-8", "surrogatepass")
    check(app, app.post_reviews(None, raw=raw), before)


@FUZZ
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_get_a_json_error(app, raw):
    before = count(app)
    response = app.post_reviews(None, raw=raw)
    check(app, response, before)


def test_the_hundred_kilobyte_text_is_stored_whole_and_one_more_character_is_named(app):
    ok = app.post_reviews({"source": "fuzz", "external_id": "big", "text": "å" * 100_000})
    too_long = app.post_reviews({"source": "fuzz", "external_id": "bigger", "text": "å" * 100_001})
    assert ok.status_code == 202
    assert too_long.status_code == 422
    assert too_long.json()["problems"][0]["field"] == "text"
    with Session(app.services.engine) as session:
        assert len(session.exec(select(Review.text)).one()) == 100_000


def test_a_lone_surrogate_is_named_not_a_server_error(app):
    response = app.post_reviews(
        None, raw=b'{"source": "fuzz", "external_id": "s", "text": "bad \\ud800 text"}'
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "text"
