"""Who signs a reply, and how the language writes the sign-off.

A draft is written before anyone has claimed it, so it ends in the language's sign-off with a
visible slot where the responder's name goes ("Vänliga hälsningar / [your name] / Café Lumi",
"Café Lumi [your name] 敬上"). Approving fills the slot with the approver's name; without one
(a bot, an unknown user) the brand's own sign-off takes its place.
"""

from __future__ import annotations

from string import Template

from bot.drafting.prompts import ReplyTemplate

SIGNATURE_SLOT = "[your name]"
SIGNATURE_MAX = 120  # characters of a signature a person sets for themselves


def sign_off(template: ReplyTemplate, *, brand: str) -> str:
    """The language's sign-off with the responder's slot, in the order its guide gives."""
    # safe_substitute: a "$" in a brand name must not break the draft.
    return Template(template.signoff).safe_substitute(responder=SIGNATURE_SLOT, brand=brand).strip()


def with_sign_off(body: str, template: ReplyTemplate, *, brand: str) -> str:
    """`body` ending in the sign-off, unless it already carries the slot."""
    body = body.rstrip()
    if SIGNATURE_SLOT in body:
        return body
    return f"{body}\n\n{sign_off(template, brand=brand)}"


def fill_signature(text: str, name: str | None, *, fallback: str) -> str:
    """The reply as published: the slot holds `name`, or the brand's sign-off without one."""
    signer = (name or "").strip() or fallback
    return text.replace(SIGNATURE_SLOT, signer)
