"""Given-name list (see build.py for provenance): FIRST_NAMES, loaded once at import (~20k names, ~10 ms)."""

from __future__ import annotations

from pathlib import Path

FIRST_NAMES = frozenset((Path(__file__).resolve().parent / "first_names.txt").read_text(encoding="utf-8").split())
