"""Pausing Python's cyclic garbage collector around bulk work.

Loading or drawing thousands of cases builds hundreds of thousands of small,
long-lived objects and no reference cycles worth finding; every automatic
collection meanwhile rescans all of them for nothing. Cache reads, loads, pool
workers and the caseload's redraw all pause it the same way, here.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cyclic_gc(freeze: bool = False) -> Iterator[None]:
    """Turn the cyclic GC off for the block, and back on after it only if it was on.

    With ``freeze``, what the block built is moved to the permanent generation as
    the GC comes back on, so later collections do not rescan a whole caseload.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
            if freeze:
                gc.freeze()
