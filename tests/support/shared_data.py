"""Where the real public reviews live: ../shared/data beside the repository (never copied in)."""

from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
