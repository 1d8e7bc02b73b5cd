from pathlib import Path

import pytest

REFERENCE_PLAN = (
    Path(__file__).resolve().parent.parent / "workflows" / "data" / "reference_plan_kunzhengbanfa_2017_169.txt"
)


@pytest.fixture(scope="session")
def reference_bytes() -> bytes:
    return REFERENCE_PLAN.read_bytes()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Give every test its own file store, so stored and stray files can be counted."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
