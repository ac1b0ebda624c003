"""Golden Markdown: every template on a fixed case, compared byte for byte.

The case in tests/golden/cases is frozen (demo edits do not move it). After a
deliberate template change, regenerate with ``CPTUI_UPDATE_GOLDEN=1 pytest
tests/test_golden.py``, read the diff by eye, and commit it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import shared_load
from cptui.caseload import Caseload
from cptui.documents import DOCUMENTS, render

GOLDEN = Path(__file__).resolve().parent / "golden"


def golden_load() -> Caseload:
    return shared_load(GOLDEN / "cases", use_cache=False)


@pytest.mark.parametrize("copy", ["full", "parent"])
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_matches_golden(name: str, copy: str) -> None:
    load = golden_load()
    assert not load.has_errors, [str(p) for p in load.problems]
    text = render(name, load.get("CP-G-1"), load, copy, "md")
    path = GOLDEN / f"{name}-{copy}.md"
    if os.environ.get("CPTUI_UPDATE_GOLDEN"):
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"no golden file {path.name}: run with CPTUI_UPDATE_GOLDEN=1 and review it"
    assert text.encode("utf-8") == path.read_bytes(), f"{path.name} differs: review, then update"
