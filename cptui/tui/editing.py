"""Saving from the TUI: forms in, minimal atomic writes out, screens refreshed.

Screens describe a change (``cptui.changes.Change``); ``Caseload.apply``
runs the one save sequence in the core. A file changed on disk meanwhile is
never overwritten: the edit goes onto the newer file only if the record it
touches is unchanged, otherwise the user is told and offered a reload.
"""

from __future__ import annotations

import tomllib
from typing import Any

from textual.screen import Screen

from cptui.caseload import CaseView
from cptui.dates import fmt_date
from cptui.forms import TITLES, changes
from cptui.changes import Batch, Change
from cptui.storage import ARRAYS, ExternalChange, SaveError


def raw_record(cv: CaseView, kind: str, rid: str | None) -> dict[str, Any] | None:
    """The record as the file has it (all keys, exact types), or None for new."""
    data = tomllib.loads(cv.case.path.read_text(encoding="utf-8"))
    if kind == "plan":
        return dict(data.get("plan", {}))
    if kind == "case":
        return {k: v for k, v in data.items() if not isinstance(v, (dict, list))}
    if rid is None:
        return None
    node: Any = data
    for part in ARRAYS[kind][0]:
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return next((dict(e) for e in node if isinstance(e, dict) and e.get("id") == rid), None)


def write(screen: Screen, cv: CaseView, change: Change | Batch, done_msg: str) -> bool:
    """Hand one change to the core save sequence (``Caseload.apply``); report either way.

    With ``commit_on_save`` in cptui.toml the file is then committed locally
    (author from the user's git config); a failed commit never undoes a save.
    """
    app = screen.app
    load = app.caseload  # type: ignore[attr-defined]
    try:
        saved = load.apply(cv, change)
    except ExternalChange as e:
        from cptui.tui.screens.confirm import ConfirmScreen

        app.notify(str(e), severity="error", timeout=10)
        app.push_screen(ConfirmScreen("This file changed on disk. Reload it now?", "Reload", "Not now"),
                        lambda yes: app.action_reload() if yes else None)  # type: ignore[attr-defined]
        return False
    except (SaveError, OSError) as e:
        app.notify(f"Not saved. {e}", severity="error", timeout=10)
        _refresh(screen)
        return False
    from cptui.gitops import status

    if saved.commit_error:
        app.notify(f"Saved, but not committed: {saved.commit_error}", severity="warning", timeout=10)
    app.git_state = status(load.folder)  # type: ignore[attr-defined]
    _refresh(screen)
    note = " (the file had changed on disk; your edit was added to the newer version)" if saved.rebased else ""
    app.notify(f"{done_msg} {saved.rid}".strip() + f" — saved to {cv.case.path.name}{note}")
    return True


def _refresh(screen: Screen) -> None:
    for s in screen.app.screen_stack:
        refresh = getattr(s, "refresh_data", None)
        if refresh and s.is_mounted:
            refresh()


def edit(screen: Screen, cv: CaseView, kind: str, rid: str | None = None,
         preset: dict[str, Any] | None = None) -> None:
    """Open the form for a new (rid None) or existing record, then save it."""
    from cptui.tui.screens.record_form import RecordForm

    load = screen.app.caseload  # type: ignore[attr-defined]
    old = raw_record(cv, kind, rid)
    if rid is not None and old is None and kind not in ("plan", "case"):
        screen.app.notify(f"{kind} {rid} is no longer in the file: reload", severity="error")
        return
    initial = old if old is not None else dict(preset or {})
    title = (f"Edit {TITLES[kind]} {rid}" if rid else
             f"Edit {TITLES[kind]}" if kind in ("plan", "case") else f"New {TITLES[kind]}") + f" — {cv.case.id}"

    def saved(values: dict[str, Any] | None) -> None:
        if values is None:
            return
        diff = changes(kind, old, values)
        if kind in ("plan", "case"):
            if diff:
                write(screen, cv, Change(kind, values=diff, seen=old or {},  # type: ignore[arg-type]
                                         message=f"Edit {TITLES[kind]} ({cv.case.id})"),
                      f"Saved {TITLES[kind]}")
            else:
                screen.app.notify("No changes to save")
            return
        when = values.get("date")
        on = f" {fmt_date(when)}" if when else ""
        if rid is None:
            write(screen, cv, Change("add", kind, values=diff,
                                     message=f"Record {TITLES[kind]}{on} ({cv.case.id})"),
                  f"Added {TITLES[kind]}")
        elif diff:
            write(screen, cv, Change("update", kind, rid, diff, old,
                                     f"Edit {TITLES[kind]} {rid}{on} ({cv.case.id})"),
                  f"Saved {TITLES[kind]}")
        else:
            screen.app.notify("No changes to save")

    screen.app.push_screen(RecordForm(kind, title, cv.case, cv.profile, load.today, initial), saved)


def delete(screen: Screen, cv: CaseView, kind: str, rid: str, what: str) -> None:
    from cptui.tui.screens.confirm import ConfirmScreen

    def answer(yes: bool | None) -> None:
        if yes:
            write(screen, cv, Change("delete", kind, rid, seen=raw_record(cv, kind, rid),
                                     message=f"Delete {TITLES[kind]} {rid} ({cv.case.id})"),
                  f"Deleted {TITLES[kind]}")

    screen.app.push_screen(ConfirmScreen(f"Delete {TITLES[kind]} {rid}: {what}?", "Delete", "Keep it"),
                           answer)


def mark_done(screen: Screen, cv: CaseView, rid: str) -> None:
    from cptui.tui.screens.record_form import RecordForm

    load = screen.app.caseload  # type: ignore[attr-defined]

    def saved(values: dict[str, Any] | None) -> None:
        if values:
            write(screen, cv, Change("update", "action", rid, {"status": "done", "done": values["done"]},
                                     raw_record(cv, "action", rid),
                                     f"Mark action {rid} done ({cv.case.id})"),
                  "Marked done: action")

    screen.app.push_screen(RecordForm("done", f"Action {rid} done on", cv.case, cv.profile, load.today,
                                      {"done": load.today}), saved)
