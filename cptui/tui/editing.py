"""Saving from the TUI: forms in, minimal atomic writes out, screens refreshed.

All writes go through ``cptui.storage.CaseFile`` with the content hash the
case was loaded with, so a file changed on disk meanwhile is never
overwritten; the user is told and offered a reload instead.
"""

from __future__ import annotations

import tomllib
from typing import Any, Callable

from textual.screen import Screen

from cptui.caseload import CaseView
from cptui.dates import fmt_date
from cptui.forms import TITLES, booked_near, changes, core_group_start
from cptui.gitops import GitError, commit, status
from cptui.storage import ARRAYS, CaseFile, ExternalChange, SaveError
from cptui.tui.messages import cptui_app
from cptui.tui.screens.confirm import ConfirmScreen
from cptui.tui.screens.record_form import RecordForm


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


def write(screen: Screen, cv: CaseView, change: Callable[[CaseFile], str | None], done_msg: str,
          commit_msg: str | None = None, what: str = "") -> bool:
    """Apply one change to the case file and save it; report either way.

    With ``commit_on_save`` in cptui.toml the file is then committed locally
    (author from the user's git config); a failed commit never undoes a save.
    """
    app = cptui_app(screen)
    try:
        cf = CaseFile(cv.case.path, cv.case.digest)
        what = change(cf) or what  # a new record's id comes back from the change
        cf.save()
    except ExternalChange as e:
        app.notify(str(e), severity="error", timeout=10)
        app.push_screen(ConfirmScreen("This file changed on disk. Reload it now?", "Reload", "Not now"),
                        lambda yes: app.action_reload() if yes else None)
        return False
    except (SaveError, OSError) as e:
        app.notify(f"Not saved. {e}", severity="error", timeout=10)
        return False
    load = app.caseload
    if load.settings.commit_on_save:
        message = f"{commit_msg or (done_msg + ' ' + what).strip()} ({cv.case.id})"
        try:
            commit(load.folder, cv.case.path, message)
        except GitError as e:
            app.notify(f"Saved, but not committed: {e}", severity="warning", timeout=10)
    app.git_state = status(load.folder)
    load.reload_file(cv.case.path)
    app.announce()
    app.notify(f"{done_msg} {what}".strip() + f" — saved to {cv.case.path.name}")
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
    title = (f"Record {TITLES[kind]} {rid}{adopted}" if adopted else f"Edit {TITLES[kind]} {rid}" if rid else
             f"Edit {TITLES[kind]}" if kind in ("plan", "case") else f"New {TITLES[kind]}") + f" — {cv.case.id}"

    def saved(values: dict[str, Any] | None) -> None:
        if values is None:
            return
        diff = changes(kind, old, values)
        if kind in ("plan", "case"):
            if diff:
                def save_table(cf: CaseFile) -> None:
                    if kind == "plan":
                        cf.set_table("plan", diff)
                    else:
                        cf.set_root(diff)

                write(screen, cv, save_table, f"Saved {TITLES[kind]}")
            else:
                screen.app.notify("No changes to save")
            return
        when = values.get("date")
        if rid is None and kind == "core_group" and values.get("status") == "held" and when:
            booked = booked_near(cv.case, when.date() if hasattr(when, "date") else when)
            if booked is not None:
                offer_merge(screen, cv, values, booked)
                return
        if rid is None:
            msg = f"Record {TITLES[kind]}" + (f" {fmt_date(when)}" if when else "")
            write(screen, cv, lambda cf: cf.add(kind, diff), f"Added {TITLES[kind]}", msg)
        elif diff:
            write(screen, cv, lambda cf: cf.update(kind, rid, diff), f"Saved {TITLES[kind]}",
                  f"Edit {TITLES[kind]} {rid}" + (f" {fmt_date(when)}" if when else ""), what=rid)
        else:
            screen.app.notify("No changes to save")

    screen.app.push_screen(RecordForm(kind, title, cv.case, cv.profile, load.today, initial), saved)


def offer_merge(screen: Screen, cv: CaseView, values: dict[str, Any], booked: Any) -> None:
    """A held meeting near a booked one: offer to make the booked record the held one."""
    def answer(yes: bool | None) -> None:
        when = fmt_date(values["date"])
        if yes:
            diff = changes("core_group", raw_record(cv, "core_group", booked.id), values)
            write(screen, cv, lambda cf: cf.update("core_group", booked.id, diff), "Held: core group meeting",
                  f"Record core group meeting {when} (was booked)", what=booked.id)
        else:
            diff = changes("core_group", None, values)
            write(screen, cv, lambda cf: cf.add("core_group", diff), "Added core group meeting",
                  f"Record core group meeting {when}")

    screen.app.push_screen(ConfirmScreen(
        f"A core group is booked for {fmt_date(booked.date)} ({booked.id}). Is this that meeting? "
        "Yes turns the booked one into the held one; no keeps both.", "Same meeting", "Keep both"), answer)


def delete(screen: Screen, cv: CaseView, kind: str, rid: str, what: str) -> None:
    def answer(yes: bool | None) -> None:
        if yes:
            write(screen, cv, lambda cf: cf.delete(kind, rid), f"Deleted {TITLES[kind]}", what=rid)

    screen.app.push_screen(ConfirmScreen(f"Delete {TITLES[kind]} {rid}: {what}?", "Delete", "Keep it"),
                           answer)


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
                write(screen, cv, lambda cf: cf.update("action", rid, {"status": "open", "done": None}),
                      "Reopened: action", what=rid)

        screen.app.push_screen(ConfirmScreen(f"“{text}” was done{when}. Reopen it (the done date is "
                                             "removed)?", "Reopen", "Keep it done"), reopen)
        return

    def saved(values: dict[str, Any] | None) -> None:
        if values:
            done = {"status": "done", "done": values["done"]}
            write(screen, cv, lambda cf: cf.update("action", rid, done), "Marked done: action", what=rid)

    screen.app.push_screen(RecordForm("done", f"Done: “{text}” — on", cv.case, cv.profile, load.today,
                                      {"done": load.today}), saved)
