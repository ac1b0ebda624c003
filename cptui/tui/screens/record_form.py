"""One modal form for every record kind, drawn from ``cptui.forms.FORMS``.

Keyboard only: the first field has the cursor on open (so nothing typed is
lost), tab moves between fields, space toggles a checkbox or a name in a
list, ctrl+s saves, escape closes an open dropdown or else cancels (asking
first when something changed). Each field says what is wrong as you type;
problems are shown beside the field, not in a toast that would cover it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select, SelectionList, Static, TextArea

from cptui.forms import FIRST_FIELD, Field, form_fields, parse, show, suggest_quorate, validate
from cptui.model import Case
from cptui.profiles import Profile
from cptui.tui.screens.confirm import ConfirmScreen
from cptui.tui.widgets.attendance import AttendanceGrid, states_from
from cptui.tui.widgets.form_select import FormSelect

PLACEHOLDER = {
    "date": "2026-11-23, 23/11/2026 or today",
    "datetime": "2026-11-23 10:00 or 23/11/2026",
}


def say(box: Static, text: str) -> None:
    """A field's message; an empty one takes no row."""
    box.update(text)
    box.display = bool(text)


class RecordForm(ModalScreen[dict[str, Any] | None]):
    CSS_PATH = "record_form.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, kind: str, title: str, case: Case, profile: Profile, today: date,
                 initial: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.kind, self.title_text, self.case, self.profile, self.today = (
            kind,
            title,
            case,
            profile,
            today,
        )
        self.fields = form_fields(kind, case)
        self.initial = {f.key: show(f, (initial or {}).get(f.key)) for f in self.fields}
        self.quorate_touched = "quorate" in (initial or {})
        self._setting_quorate = False
        first = FIRST_FIELD.get(kind, self.fields[0].key)
        self.AUTO_FOCUS = f"#f-{first}"  # focused as the form opens, before any key arrives

    # --- building -------------------------------------------------------------
    def _choices(self, f: Field) -> list[tuple[str, str]]:
        if f.kind in ("member", "members"):
            return [(f"{m.name} ({m.role or m.kind})", m.id) for m in self.case.members]
        if f.kind in ("child", "children"):
            return [(c.name, c.id) for c in self.case.children]
        if f.kind == "outcome":
            return [(f"{o.id}: {o.concern[:50]}", o.id) for o in self.case.plan.outcomes]
        opts = list(f.options)
        cur = self.initial.get(f.key)
        if f.open_enum and cur and cur not in opts:
            opts.append(cur)
        return [(o.replace("_", " "), o) for o in opts]

    def _widget(self, f: Field):
        wid = f"f-{f.key}"
        value = self.initial[f.key]
        if f.kind in ("text", "date", "datetime"):
            return Input(value=str(value or ""), placeholder=PLACEHOLDER.get(f.kind, ""), id=wid)
        if f.kind == "longtext":
            return TextArea(str(value or ""), id=wid, classes="long")
        if f.kind == "bool":
            return Checkbox(f.label, value=bool(value), id=wid)
        if f.kind in ("members", "children"):
            chosen = set(value or [])
            return SelectionList(
                *[(label, v, v in chosen) for label, v in self._choices(f)], id=wid
            )
        if f.kind == "attendance":
            return self._attendance(wid)
        choices = self._choices(f)
        current = value if value in {v for _, v in choices} else Select.NULL
        return FormSelect(
            choices,
            value=current,
            allow_blank=not f.required or current is Select.NULL,
            prompt="— choose —",
            id=wid,
        )

    def _attendance(self, wid: str) -> AttendanceGrid:
        """Core group members (and anyone already recorded), everyone attended on a new record."""
        lists = [self.initial.get(k) or [] for k in ("attendees", "apologies", "written_reports")]
        named = {m for lst in lists for m in lst}
        people = [(m.id, f"{m.name} ({m.role or m.kind})") for m in self.case.members
                  if m.core_group or m.id in named]
        fresh = not named
        return AttendanceGrid(
            people, states_from([p for p, _ in people], *lists, fresh=fresh), id=wid
        )

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form"):
            yield Static(
                f"[b]{self.title_text}[/b]   ctrl+s save · escape cancel · tab next field"
                " · [b]*[/b] required",
                id="form-title",
            )
            for f in self.fields:
                if f.kind == "attendance_part":
                    continue
                if f.kind != "bool":
                    yield Label(f.label + (" *" if f.required else ""), classes="label")
                yield self._widget(f)
                if f.kind in ("bool", "members", "children"):
                    yield Static("", id=f"s-{f.key}", classes="state")
                yield Static("", id=f"e-{f.key}", classes="error").set_styles("display: none;")
                if f.key == "attendees" and self.kind == "conference":
                    yield Static("", id="quoracy")

    def on_mount(self) -> None:
        self.app.clear_notifications()  # a toast would sit on the fields for seconds
        self.query_one("#form").border_title = self.title_text
        if self.app.size.height < 40:  # small terminal: fields without borders, labels closer
            self.add_class("small")
            self.query_one("#form").border_title = ""  # the title line says it once
            for w in self.query("Input, Select, TextArea").results((Input, Select, TextArea)):
                w.compact = True
        if self.query(AttendanceGrid):  # the grid's starting state is not a change
            self.initial.update(zip(("attendees", "apologies", "written_reports"),
                                    self.query_one(AttendanceGrid).lists()))
        for f in self.fields:
            self._show_state(f)
        if self.kind == "conference":
            self._update_quoracy(apply=False)  # what the file says stays until attendees change
        # The first field was focused (and scrolled to) before the small layout above
        # shrank the form: open at the top, with the title and the first label in view.
        self.call_after_refresh(self.query_one("#form").scroll_home, animate=False)

    def _show_state(self, f: Field) -> None:
        """Choices in words: Textual's toggles show state by colour only."""
        if f.kind not in ("bool", "members", "children"):
            return
        value = self._raw(f)
        if f.kind == "bool":
            text = "☑ yes" if value else "☐ no"
        else:
            names = dict((v, label) for label, v in self._choices(f))
            text = (
                ("☑ " + ", ".join(names[v].split(" (")[0] for v in value))
                if value
                else "☐ none chosen"
            )
        self.query_one(f"#s-{f.key}", Static).update(text)

    def _field(self, widget_id: str | None) -> Field | None:
        return next((f for f in self.fields if f"f-{f.key}" == widget_id), None)

    # --- reading ----------------------------------------------------------------
    def _raw(self, f: Field) -> Any:
        if f.kind in ("attendance", "attendance_part"):
            return self._attendance_lists()[f.key]
        w = self.query_one(f"#f-{f.key}")
        if isinstance(w, Input):
            return w.value
        if isinstance(w, TextArea):
            return w.text
        if isinstance(w, Checkbox):
            return w.value
        if isinstance(w, SelectionList):  # record order, not the order ticked
            chosen = set(w.selected)
            return [v for _, v in self._choices(f) if v in chosen]
        v = self.query_one(f"#f-{f.key}", Select).value
        return "" if v is Select.NULL or v is Select.BLANK else v

    def _attendance_lists(self) -> dict[str, list[str]]:
        """Only held meetings record who came; a booked or cancelled one records nobody."""
        status = self.query_one("#f-status", Select).value if self.query("#f-status") else "held"
        lists = self.query_one(AttendanceGrid).lists() if status == "held" else ([], [], [])
        return dict(zip(("attendees", "apologies", "written_reports"), lists))

    def raw_values(self) -> dict[str, Any]:
        return {f.key: self._raw(f) for f in self.fields}

    @property
    def dirty(self) -> bool:
        now = self.raw_values()
        return any(now[k] != (self.initial[k] if self.initial[k] is not None else "") for k in now)

    # --- live checks --------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        key = (event.input.id or "")[2:]
        f = next((f for f in self.fields if f.key == key), None)
        if f is not None:
            _, err = parse(f, event.value, self.today)
            say(self.query_one(f"#e-{key}", Static), f"✗ {err}" if err else "")

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        f = self._field(event.selection_list.id)
        if f:
            self._show_state(f)
        if event.selection_list.id == "f-attendees" and self.kind == "conference":
            self._update_quoracy()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        f = self._field(event.checkbox.id)
        if f:
            self._show_state(f)
        if event.checkbox.id == "f-quorate" and not self._setting_quorate:
            self.quorate_touched = True

    def _update_quoracy(self, apply: bool = True) -> None:
        """Say what the profile's quoracy rule makes of the attendees; with ``apply``
        (the attendees just changed) tick or clear the box too, unless the user set it.
        Never as the form opens: a value the user did not change is never written."""
        attendees = next(f for f in self.fields if f.key == "attendees")
        ok, why = suggest_quorate(self.case, self.profile, self._raw(attendees))
        note = (
            why
            if ok is None
            else why + ("" if not self.quorate_touched else " (your choice is kept)")
        )
        self.query_one("#quoracy", Static).update(f"ⓘ {note}")
        if apply and ok is not None and not self.quorate_touched:
            box = self.query_one("#f-quorate", Checkbox)
            if box.value != ok:
                self._setting_quorate = True
                box.value = ok
                self.call_after_refresh(self._done_setting)

    def _done_setting(self) -> None:
        self._setting_quorate = False

    # --- actions ----------------------------------------------------------------------
    def action_save(self) -> None:
        values, errors = validate(self.kind, self.raw_values(), self.today, self.fields)
        for f in self.fields:
            for box in self.query(f"#e-{f.key}").results(Static):
                say(box, f"✗ {errors[f.key]}" if f.key in errors else "")
        if errors:  # said beside each field; a toast would cover the form
            first = next(f for f in self.fields if f.key in errors)
            self.query_one(f"#f-{first.key}").focus()
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        for select in self.query(Select):  # escape on an open dropdown closes only that
            if select.expanded:
                select.expanded = False
                select.focus()
                return
        if not self.dirty:
            self.dismiss(None)
            return
        def answer(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Discard your changes?", "Discard", "Keep editing"), answer
        )
