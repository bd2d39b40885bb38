"""The routes file as the operator writes it, and where it sends each review."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.drafting.profile import BusinessProfile
from bot.routing import ReviewFacts, RoutesFileError, base_brand, load_routing
from tests.support.routes import write_routes

BASE = BusinessProfile(brand="Base AB", signoff="Base", contact="hej@base.example")
BASE_BRAND = base_brand(
    BASE,
    channel="C0REVIEWS",
    digest_channel="C0DIGEST",
    approvers=("U0BASE",),
    escalation_contacts=("S0BASE",),
    sla=timedelta(hours=24),
)


def facts(**given: object) -> ReviewFacts:
    values: dict[str, object] = {
        "brand": None,
        "source": "google",
        "location": None,
        "language": "sv",
        "rating": 1,
    }
    values.update(given)
    return ReviewFacts(**values)  # type: ignore[arg-type]


def test_without_a_file_every_card_goes_to_the_reviews_channel(tmp_path):
    routing = load_routing(None, base=BASE_BRAND)
    where = routing.destination(facts())
    assert (where.brand, where.channel, where.rule, where.reason) == (None, "C0REVIEWS", None, "")
    assert routing.team(None).approvers == ("U0BASE",)


def test_brand_profiles_take_what_they_leave_out_from_the_base_profile(tmp_path):
    routing = load_routing(write_routes(tmp_path), base=BASE_BRAND)
    lumi, norr = routing.brands["lumi"], routing.brands["norr"]
    assert (lumi.name, lumi.profile.contact, lumi.profile.signoff) == (
        "Café Lumi",
        "hej@lumi.example",
        "Base",
    )
    assert (lumi.sla, lumi.approvers, lumi.digest_channel) == (
        timedelta(hours=12),
        ("U0ANNA", "S0LUMILEADS"),
        "C0LUMILEADS",
    )
    # What norr leaves out is the settings': approvers, contacts, SLA; its digest, its channel.
    assert (norr.approvers, norr.escalation_contacts, norr.sla, norr.digest_channel) == (
        ("U0BASE",),
        ("S0BASE",),
        timedelta(hours=24),
        "C0NORR",
    )


def test_the_brand_comes_from_the_review_then_its_source_then_its_location(tmp_path):
    routing = load_routing(write_routes(tmp_path), base=BASE_BRAND)
    assert routing.brand_of(given="norr", source_brand="lumi", location="Oslo sentrum") == "norr"
    assert routing.brand_of(given=None, source_brand="norr", location="Oslo sentrum") == "norr"
    assert routing.brand_of(given=None, source_brand=None, location="oslo sentrum") == "lumi"
    assert routing.brand_of(given=None, source_brand=None, location="SÖDERMALM") == "lumi"
    assert routing.brand_of(given=None, source_brand=None, location="Göteborg") is None
    assert routing.brand_of(given=None, source_brand=None, location=None) is None


@pytest.mark.parametrize(
    ("review", "channel", "rule", "reason"),
    [
        (
            {"brand": "lumi", "location": "Oslo Grünerløkka"},
            "C0OSLO",
            1,
            "routed by rule 1: brand lumi, location Oslo *",
        ),
        (
            {"source": "app_store", "rating": 2},
            "C0APPS",
            2,
            "routed by rule 2: source app_store, rating 1-2",
        ),
        ({"source": "app_store", "rating": 3}, "C0REVIEWS", None, "no route matched"),
        ({"source": "app_store", "rating": None}, "C0REVIEWS", None, "no route matched"),
        ({"language": "fi"}, "C0SUOMI", 3, "routed by rule 3: language fi"),
        ({"language": "nn"}, "C0NORGE", 4, "routed by rule 4: language no"),
        ({"language": "nb"}, "C0NORGE", 4, "routed by rule 4: language no"),
        ({"brand": "norr"}, "C0NORR", None, "brand norr's channel"),
        ({"brand": "lumi", "location": "Södermalm"}, "C0LUMI", None, "brand lumi's channel"),
    ],
)
def test_the_first_route_that_matches_wins_else_the_brand_channel_else_reviews_channel(
    tmp_path, review, channel, rule, reason
):
    routing = load_routing(write_routes(tmp_path), base=BASE_BRAND)
    where = routing.destination(facts(**review))
    assert (where.channel, where.rule, where.reason) == (channel, rule, reason)


def test_assign_names_the_cards_owner(tmp_path):
    routing = load_routing(write_routes(tmp_path), base=BASE_BRAND)
    assert routing.destination(facts(source="app_store", rating=1)).assign == "S0APPTEAM"
    assert routing.destination(facts(language="fi")).assign is None


def test_zh_matches_both_scripts(tmp_path):
    path = write_routes(tmp_path, "routes:\n  - match: {language: zh}\n    channel: C0ZHONGWEN\n")
    routing = load_routing(path, base=BASE_BRAND)
    for language in ("zh-Hans", "zh-Hant"):
        assert routing.destination(facts(language=language)).channel == "C0ZHONGWEN"
    assert routing.destination(facts(language="sv")).channel == "C0REVIEWS"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "brands:\n  lumi:\n    profile: business.lumi.yml\n    colour: red\n",
            "brands.lumi.colour: unknown key",
        ),
        ("routes:\n  - match: {rating: '1-9'}\n    channel: C0APPS\n", "rule 1: match.rating:"),
        ("routes:\n  - match: {rating: '4-2'}\n    channel: C0APPS\n", "the range runs backwards"),
        (
            "routes:\n  - match: {location: 'Oslo [sentrum'}\n    channel: C0OSLO\n",
            "rule 1: match.location:",
        ),
        (
            "routes:\n  - match: {language: klingon}\n    channel: C0X12345\n",
            "unknown language 'klingon'",
        ),
        ("routes:\n  - match: {brand: ghost}\n    channel: C0X12345\n", "unknown brand 'ghost'"),
        (
            "routes:\n  - match: {source: google}\n    channel: '#reviews'\n",
            "rule 1: channel: '#reviews' is not a channel id",
        ),
        ("routes:\n  - match: {source: google}\n", "rule 1: a route needs a channel"),
        ("brands:\n  Lumi:\n    profile: business.lumi.yml\n", "brand id 'Lumi'"),
        ("brands:\n  lumi:\n    profile: missing.yml\n", "brands.lumi.profile: Business profile"),
        ("brands:\n  lumi:\n    profile: business.lumi.yml\n    sla: soon\n", "brands.lumi.sla:"),
        ("- just a list\n", "must be a mapping"),
        ("brands: [\n", "not valid YAML"),
    ],
)
def test_a_wrong_file_is_one_line_naming_the_file_the_place_and_the_problem(
    tmp_path, text, problem
):
    path = write_routes(tmp_path, text)
    with pytest.raises(RoutesFileError) as raised:
        load_routing(path, base=BASE_BRAND)
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert "\n" not in message


def test_a_brand_profile_that_does_not_validate_is_named(tmp_path):
    path = write_routes(tmp_path, "brands:\n  lumi:\n    profile: business.lumi.yml\n")
    (tmp_path / "business.lumi.yml").write_text("brand: ''\n", encoding="utf-8")
    with pytest.raises(RoutesFileError, match=r"brands\.lumi\.profile: .*brand"):
        load_routing(path, base=BASE_BRAND)
