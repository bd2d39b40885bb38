"""A ROUTES_FILE with two brands and four rules, and their profiles, written for a test."""

from __future__ import annotations

from pathlib import Path

ROUTES = """\
brands:
  lumi:
    profile: business.lumi.yml
    channel: C0LUMI
    digest_channel: C0LUMILEADS
    approvers: [U0ANNA, S0LUMILEADS]
    escalation_contacts: [S0LUMILEADS]
    sla: 12h
    locations: [Södermalm, "Oslo *"]
  norr:
    profile: business.norr.yml
    channel: C0NORR
routes:
  - match: {brand: lumi, location: "Oslo *"}
    channel: C0OSLO
  - match: {source: app_store, rating: "1-2"}
    channel: C0APPS
    assign: S0APPTEAM
  - match: {language: fi}
    channel: C0SUOMI
  - match: {language: "no"}
    channel: C0NORGE
"""


def write_routes(folder: Path, text: str = ROUTES) -> Path:
    (folder / "business.lumi.yml").write_text(
        "brand: Café Lumi\ncontact: hej@lumi.example\n", encoding="utf-8"
    )
    (folder / "business.norr.yml").write_text(
        "brand: Norr Hotell\nsignoff: Norr\ncontact: info@norr.example\n", encoding="utf-8"
    )
    path = folder / "routes.yml"
    path.write_text(text, encoding="utf-8")
    return path
