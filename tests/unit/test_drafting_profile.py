"""Loading the business profile: the example file works, bad files name the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.drafting.profile import BusinessProfile, ProfileError

EXAMPLE = Path(__file__).resolve().parents[2] / "prompts" / "business.example.yml"

MINIMAL = "brand: Kahvila Aamu\nsignoff: Aamun tiimi\ncontact: asiakaspalvelu@aamu.example\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "business.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_profile_loads():
    profile = BusinessProfile.from_file(EXAMPLE)
    assert profile.brand
    assert profile.contact
    assert profile.lead_contacts


def test_norway_stays_a_country_code(tmp_path):
    profile = BusinessProfile.from_file(write(tmp_path, MINIMAL + "countries: [SE, NO, FI]\n"))
    assert profile.countries == ["SE", "NO", "FI"]


def test_a_minimal_profile_gets_defaults(tmp_path):
    profile = BusinessProfile.from_file(write(tmp_path, MINIMAL))
    assert profile.compensation_kinds == []
    assert profile.compensation_policy() == "No compensation may be offered in a public reply."


def test_a_missing_field_is_named(tmp_path):
    with pytest.raises(ProfileError) as error:
        BusinessProfile.from_file(write(tmp_path, "brand: Kahvila Aamu\nsignoff: Tiimi\n"))
    assert "field 'contact'" in str(error.value)
    assert "business.yml" in str(error.value)


def test_a_misspelt_field_is_named(tmp_path):
    with pytest.raises(ProfileError) as error:
        BusinessProfile.from_file(write(tmp_path, MINIMAL + "contcat: x@y.example\n"))
    assert "field 'contcat'" in str(error.value)


def test_a_bad_nested_value_is_named_by_its_path(tmp_path):
    text = MINIMAL + "locations:\n  Tampere:\n    contact: [1, 2]\n"
    with pytest.raises(ProfileError) as error:
        BusinessProfile.from_file(write(tmp_path, text))
    assert "field 'locations.Tampere.contact'" in str(error.value)


def test_an_unknown_compensation_kind_is_named(tmp_path):
    with pytest.raises(ProfileError) as error:
        BusinessProfile.from_file(write(tmp_path, MINIMAL + "compensation_kinds: [cash]\n"))
    assert "field 'compensation_kinds.0'" in str(error.value)


def test_a_blank_contact_is_refused(tmp_path):
    text = "brand: Aamu\nsignoff: Tiimi\ncontact: '   '\n"
    with pytest.raises(ProfileError, match="field 'contact'"):
        BusinessProfile.from_file(write(tmp_path, text))


def test_broken_yaml_and_missing_files_say_so(tmp_path):
    with pytest.raises(ProfileError, match="not valid YAML"):
        BusinessProfile.from_file(write(tmp_path, "brand: [unclosed\n"))
    with pytest.raises(ProfileError, match="not found"):
        BusinessProfile.from_file(tmp_path / "nope.yml")
    with pytest.raises(ProfileError, match="mapping"):
        BusinessProfile.from_file(write(tmp_path, "- just a list\n"))


def test_a_location_contact_replaces_the_brand_contact(tmp_path):
    text = MINIMAL + "locations:\n  Tampere:\n    contact: tampere@aamu.example\n  Oulu: {}\n"
    profile = BusinessProfile.from_file(write(tmp_path, text))
    assert profile.contact_for("Tampere") == "tampere@aamu.example"
    assert profile.contact_for("Oulu") == "asiakaspalvelu@aamu.example"
    assert profile.contact_for(None) == "asiakaspalvelu@aamu.example"
