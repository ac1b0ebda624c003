"""`cptui.bulk.no_cyclic_gc`: the one way bulk loading and drawing pause the cyclic GC."""

from __future__ import annotations

import gc

import pytest

from cptui.bulk import no_cyclic_gc


@pytest.fixture(autouse=True)
def _restore_gc():
    was = gc.isenabled()
    yield
    gc.unfreeze()
    (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("before", [True, False])
def test_the_gc_is_off_inside_and_as_it_was_after(before: bool) -> None:
    (gc.enable if before else gc.disable)()
    with no_cyclic_gc():
        assert not gc.isenabled()
    assert gc.isenabled() is before


def test_an_error_inside_still_turns_the_gc_back_on() -> None:
    gc.enable()
    with pytest.raises(KeyError), no_cyclic_gc():
        raise KeyError("x")
    assert gc.isenabled()


def test_freeze_moves_what_was_built_out_of_later_collections_only_if_the_gc_was_on() -> None:
    gc.enable()
    gc.unfreeze()
    with no_cyclic_gc(freeze=True):
        kept = [[i] for i in range(1000)]
    assert gc.get_freeze_count() >= len(kept) and gc.isenabled()
    gc.unfreeze()
    gc.disable()  # a caller that turned the GC off itself keeps it off, nothing frozen
    with no_cyclic_gc(freeze=True):
        kept = [[i] for i in range(1000)]
    assert gc.get_freeze_count() == 0 and not gc.isenabled()
