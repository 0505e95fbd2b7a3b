"""The simulation tests read English report text unless a test asks for another language:
the report's default language follows the locale, so it is fixed here."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
