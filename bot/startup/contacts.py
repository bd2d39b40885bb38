"""Whether a profile's contact is something a customer can use: an e-mail address, a web
address or a phone number (checked with phonenumbers, in the markets the business serves)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

import phonenumbers

from bot.drafting.guardrails.contacts import EMAIL


def contact_problem(contact: str, countries: Sequence[str] = ()) -> str | None:
    """None when `contact` is well-formed; otherwise what is wrong with it."""
    contact = contact.strip()
    if "@" in contact and " " not in contact:
        return None if EMAIL.fullmatch(contact) else f"{contact!r} is not a valid e-mail address"
    if contact.startswith(("https://", "http://")):
        return None if urlsplit(contact).hostname else f"{contact!r} is not a valid web address"
    for region in [None, *countries] if contact.startswith("+") else countries:
        try:
            number = phonenumbers.parse(contact, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return None
    return (
        f"{contact!r} is not an e-mail address, a web address (https://…) or a phone number "
        "valid in the profile's countries (write +46… for another)"
    )
