"""Saving from the TUI: forms in, changes handed to the core, screens refreshed.

Screens describe a change (``cptui.changes.Change``); ``Caseload.apply``
runs the one save sequence in the core. A file changed on disk meanwhile is
never overwritten: the edit goes onto the newer file only if the record it
touches is unchanged, otherwise the user is told and offered a reload.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from cptui.caseload import CaseView
from cptui.dates import fmt_date
from cptui.changes import Batch, Change
from cptui.forms import TITLES, booked_near, changes, core_group_start
from cptui.gitops import status
from cptui.storage import CaseFile, ExternalChange, SaveError
from cptui.tui.messages import cptui_app
from cptui.tui.screens.confirm import ConfirmScreen
from cptui.tui.screens.record_form import RecordForm


def raw_record(cv: CaseView, kind: str, rid: str | None) -> dict[str, Any] | None:
    """The record as the screens show it, or None for new (``CaseFile.record``).

    Read from the text the case was loaded from, never from the file as it is now:
    every edit names what the user saw, so a record a colleague changed meanwhile
    (or an id that now names another record) is refused, not edited or deleted.
    """
    case = cv.case  # every load gives it its text (``Case.source``)
    return CaseFile(case.path, raw=case.source.encode("utf-8")).record(kind, rid)


def write(screen: Screen, cv: CaseView, change: Change | Batch, done_msg: str) -> bool:
    """Hand one change to the core save sequence (``Caseload.apply``); report either way.

    With ``commit_on_save`` in cptui.toml the core then commits the file
    locally (author from the user's git config); a failed commit never undoes
    a save.
    """
    app = cptui_app(screen)
    load = app.caseload
    try:
        saved = load.apply(cv, change)
    except ExternalChange as e:
        app.announce()
        app.notify(str(e), severity="error", timeout=10)
        app.push_screen(
            ConfirmScreen("This file changed on disk. Reload it now?", "Reload", "Not now"),
            lambda yes: app.action_reload() if yes else None,
        )
        return False
    except (SaveError, OSError) as e:
        app.announce()
        app.notify(f"Not saved. {e}", severity="error", timeout=10)
        return False
    if saved.commit_error:
        app.notify(
            f"Saved, but not committed: {saved.commit_error}", severity="warning", timeout=10
        )
    app.git_state = status(load.folder)
    app.announce()
    note = (
        " (the file had changed on disk; your edit was added to the newer version)"
        if saved.rebased
        else ""
    )
    app.notify(f"{done_msg} {saved.rid}".strip() + f" — saved to {cv.case.path.name}{note}")
    return True


def edit(screen: Screen, cv: CaseView, kind: str, rid: str | None = None,
         preset: dict[str, Any] | None = None) -> None:
    """Open the form for a new (rid None) or existing record, then save it."""
    load = cptui_app(screen).caseload
    adopted = ""
    if kind == "core_group" and rid is None and preset is None:
        rid, preset = core_group_start(cv.case, load.today)
        if rid is not None:
            booked = next(g for g in cv.case.core_groups if g.id == rid)
            adopted = f" (was booked for {fmt_date(booked.date)}: it becomes the held meeting)"
    old = raw_record(cv, kind, rid)
    if rid is not None and old is None and kind not in ("plan", "case"):
        screen.app.notify(f"{kind} {rid} is no longer in the file: reload", severity="error")
        return
    initial = old if old is not None else dict(preset or {})
    if adopted and old is not None:
        initial = {**old, **(preset or {})}
    title = (
        f"Record {TITLES[kind]} {rid}{adopted}"
        if adopted
        else (
            f"Edit {TITLES[kind]} {rid}"
            if rid
            else f"Edit {TITLES[kind]}" if kind in ("plan", "case") else f"New {TITLES[kind]}"
        )
    ) + f" — {cv.case.id}"

    def saved(values: dict[str, Any] | None) -> None:
        if values is None:
            return
        diff = changes(kind, old, values)
        if kind in ("plan", "case"):
            if diff:
                write(
                    screen,
                    cv,
                    Change(
                        kind,
                        values=diff,
                        seen=old or {},  # type: ignore[arg-type]
                        message=f"Edit {TITLES[kind]} ({cv.case.id})",
                    ),
                    f"Saved {TITLES[kind]}",
                )
            else:
                screen.app.notify("No changes to save")
            return
        when = values.get("date")
        on = f" {fmt_date(when)}" if when else ""
        if rid is None and kind == "core_group" and values.get("status") == "held" and when:
            booked = booked_near(cv.case, when.date() if hasattr(when, "date") else when)
            if booked is not None:
                offer_merge(screen, cv, values, booked)
                return
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


def offer_merge(screen: Screen, cv: CaseView, values: dict[str, Any], booked: Any) -> None:
    """A held meeting near a booked one: offer to make the booked record the held one."""
    def answer(yes: bool | None) -> None:
        when = fmt_date(values["date"])
        if yes:
            seen = raw_record(cv, "core_group", booked.id)
            diff = changes("core_group", seen, values)
            write(
                screen,
                cv,
                Change(
                    "update",
                    "core_group",
                    booked.id,
                    diff,
                    seen,
                    f"Record core group meeting {when} (was booked) ({cv.case.id})",
                ),
                "Held: core group meeting",
            )
        else:
            diff = changes("core_group", None, values)
            write(screen, cv, Change("add", "core_group", values=diff,
                                     message=f"Record core group meeting {when} ({cv.case.id})"),
                  "Added core group meeting")

    screen.app.push_screen(
        ConfirmScreen(
            f"A core group is booked for {fmt_date(booked.date)} ({booked.id}). "
            "Is this that meeting? "
            "Yes turns the booked one into the held one; no keeps both.",
            "Same meeting",
            "Keep both",
        ),
        answer,
    )


def delete(screen: Screen, cv: CaseView, kind: str, rid: str, what: str) -> None:
    def answer(yes: bool | None) -> None:
        if yes:
            write(screen, cv, Change("delete", kind, rid, seen=raw_record(cv, kind, rid),
                                     message=f"Delete {TITLES[kind]} {rid} ({cv.case.id})"),
                  f"Deleted {TITLES[kind]}")

    screen.app.push_screen(
        ConfirmScreen(f"Delete {TITLES[kind]} {rid}: {what}?", "Delete", "Keep it"), answer
    )


def mark_done(screen: Screen, cv: CaseView, rid: str) -> None:
    """Ask the done date for an open action; for a done one, offer to reopen it.

    A done date is never overwritten without a word: reopening says so and
    clears it only when the user answers yes.
    """
    load = cptui_app(screen).caseload
    action = next((a for a in cv.case.plan.actions if a.id == rid), None)
    text = action.action if action else rid
    if action is not None and action.status == "done":
        when = f" on {fmt_date(action.done)}" if action.done else ""

        def reopen(yes: bool | None) -> None:
            if yes:
                write(
                    screen,
                    cv,
                    Change(
                        "update",
                        "action",
                        rid,
                        {"status": "open", "done": None},
                        raw_record(cv, "action", rid),
                        f"Reopen action {rid} ({cv.case.id})",
                    ),
                    "Reopened: action",
                )

        screen.app.push_screen(
            ConfirmScreen(
                f"“{text}” was done{when}. Reopen it (the done date is " "removed)?",
                "Reopen",
                "Keep it done",
            ),
            reopen,
        )
        return

    def saved(values: dict[str, Any] | None) -> None:
        if values:
            done = {"status": "done", "done": values["done"]}
            write(screen, cv, Change("update", "action", rid, done, raw_record(cv, "action", rid),
                                     f"Mark action {rid} done ({cv.case.id})"),
                  "Marked done: action")

    screen.app.push_screen(
        RecordForm(
            "done",
            f"Done: “{text}” — on",
            cv.case,
            cv.profile,
            load.today,
            {"done": load.today},
        ),
        saved,
    )
