"""Cold loads of many changed files, spread over worker processes.

Parsing, validating and ruling a case is pure Python work, so threads would
not help; processes do. Each worker runs exactly the serial per-file path
(``caseload.load_one`` and ``caseload.json_lines``) on a chunk of files the
parent has already read and hashed, so the results are the serial path's
results, returned in file order. Only worth it when many files changed (a
pool costs tens of milliseconds to start), and never on one core.

From the command line (one thread) workers are forked: cheap, and they
inherit everything already imported. The app loads on a worker thread, and
forking a threaded process can copy a held lock, so there the pool uses
``forkserver`` (or ``spawn`` where that is missing). If no pool can be
started (a sandbox without semaphores, say), the caller loads serially.
"""

from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from cptui.bulk import no_cyclic_gc

if TYPE_CHECKING:
    from cptui.dates import WorkCalendar
    from cptui.settings import Settings

POOL_MIN = 200  # fewer stale files than this load faster in one process

Job = tuple[Path, bytes, int | None, str, str]  # path, bytes, st_mode, SHA-256, name shown
# What the parent keeps of a case: its profile and its summary encoded as the cache
# stores it (cptui.summaries.encode), or None if the file did not load; then the
# file's problems and its JSON lines.
Kept = tuple[Any, list]  # Profile, encoded Summary and deadlines
Result = tuple["Kept | None", list, str]


def cpu_count() -> int:
    """CPUs this process may run on (a container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def workers_for(stale: int, workers: int | None) -> int:
    """How many worker processes for ``stale`` changed files; 0 means load serially."""
    if stale < 2 or (workers is None and stale < POOL_MIN):
        return 0  # nothing for a pool to share (and multiprocessing is not even imported)
    if start_method() != "fork" and not main_is_reimportable():
        return 0
    if workers is not None:
        return workers if workers > 1 else 0
    n = cpu_count()
    return n if n > 1 and stale >= POOL_MIN else 0


def main_is_reimportable() -> bool:
    """forkserver and spawn workers re-run the main script as ``__mp_main__``:
    safe for ``python -m``, the ``cptui`` script and any script that guards its
    entry point with ``if __name__ == "__main__"``; a script without that
    guard would start itself again in every worker, so it gets no pool."""
    import sys

    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None)
    if name is not None:
        return True  # run with -m: multiprocessing never re-runs a package's __main__
    path = getattr(main, "__file__", None)
    if path is None:
        return True  # interactive: nothing to re-run
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            source = f.read()
    except OSError:
        return True  # (e.g. "<stdin>") workers fail to start, and loading goes on serially
    return "__name__ == \"__main__\"" in source or "__name__ == '__main__'" in source


def start_method() -> str:
    """fork from a single-threaded process, else forkserver (or spawn)."""
    import multiprocessing as mp

    methods = mp.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


_CTX: tuple[Any, ...] = ()


def _init(settings: Settings, cal: WorkCalendar, today: date, soon_until: date,
          numbers: dict[str, int]) -> None:
    global _CTX
    from cptui.summaries import KnownStrings

    _CTX = (settings, cal, today, soon_until, KnownStrings(numbers))


def _work(jobs: list[Job]) -> list[Result]:
    """In a worker: the serial per-file path for each job of a chunk, and the
    encoding the cache keeps, so the parent has little left to do per file.

    Only what the parent keeps of a case comes back, as plain values (quick to
    pickle, unlike thousands of deadline objects), never the whole case (the
    parent reads that from the file if it is ever opened); a chunk's results
    are pickled together, so the procedure profile they share crosses once.
    """
    from cptui.caseload import json_lines, load_one
    from cptui.summaries import encode

    settings, cal, today, soon_until, strings = _CTX
    with no_cyclic_gc():  # as in the parent: many long-lived objects, no cycles worth finding
        out: list[Result] = []
        for path, raw, mode, digest, name in jobs:
            cv, probs = load_one(path, settings, cal, today, soon_until, raw, mode, digest, name)
            if cv is None:
                out.append((None, probs, ""))
            else:
                out.append(((cv.profile, encode(cv.summary, cv.deadlines, strings)), probs,
                            json_lines(cv.deadlines)))
        return out


def load_stale(jobs: list[Job], workers: int, settings: Settings, cal: WorkCalendar,
               today: date, soon_until: date, numbers: dict[str, int]
               ) -> Iterator[Result] | None:
    """Results for ``jobs`` in order, computed by ``workers`` processes.

    ``numbers``: the shared-strings table the summaries are encoded with (a
    copy: the caller's table must not change while workers use it).
    A generator, so the caller can show progress as chunks finish. None when
    no pool can be started: the caller then loads serially.
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    method = start_method()
    ctx = mp.get_context(method)
    size = max(16, min(256, len(jobs) // (workers * 4) or 1))
    try:
        if method == "forkserver":
            ctx.set_forkserver_preload(["cptui.caseload"])
        _start_resource_tracker()
        ex = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init,
                                 initargs=(settings, cal, today, soon_until, dict(numbers)))
        futures = [ex.submit(_work, jobs[i:i + size]) for i in range(0, len(jobs), size)]
    except Exception:  # no semaphores, no fds, ...: the caller loads serially
        return None
    return _collect(ex, futures)


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a real stderr.

    The tracker hands ``sys.stderr.fileno()`` to its process; inside the app
    Textual has replaced stderr with an object whose fileno() is -1, and
    starting the tracker fails. Its stderr is /dev/null while it starts.
    """
    import sys
    from multiprocessing import resource_tracker

    err = sys.stderr
    try:
        ok = err is not None and err.fileno() >= 0
    except Exception:
        ok = False
    if ok:
        resource_tracker.ensure_running()
        return
    with open(os.devnull, "w") as null:
        sys.stderr = null
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = err


def _collect(ex: Any, futures: list[Any]) -> Iterator[Result]:
    try:
        for f in futures:
            yield from f.result()
    finally:
        ex.shutdown(wait=True, cancel_futures=True)
