"""What each record form asks for, how typed text becomes values, and what changed.

UI-free so it is tested directly; the TUI renders these specs as modal forms.
Values use the case file's keys (docs/format.md#the-case-file), so a form result is written as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Mapping, Sequence

from cptui.dates import parse_user_date
from cptui.model import (
    ACTION_STATUSES,
    CATEGORIES,
    CONFERENCE_KINDS,
    EVENT_KINDS,
    MEETING_STATUSES,
    MEMBER_KINDS,
    OUTCOMES,
    Case,
)
from cptui.profiles import Profile, all_profiles


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    # text | longtext | date | datetime | bool | yesno | enum | member | members | child |
    # children | outcome
    kind: str = "text"
    required: bool = False
    options: tuple[str, ...] = ()
    default: Any = None
    always: bool = False  # written on new records even when it equals the default
    open_enum: bool = False  # options are suggestions; other words_like_this allowed
    when: str | None = None  # asked only when the case sets this key (e.g. "interpreter")


# An optional yes/no where blank means "not recorded" (a checkbox cannot say that).
YESNO = ("yes", "no")
INTERPRETER = Field(
    "interpreter_present",
    "An interpreter took part (blank: not recorded)",
    "yesno",
    options=YESNO,
    when="interpreter",
)


CONFIDENTIAL = Field("confidential", "Confidential (left out of parent copies)", "bool",
                     default=False)
FORMS: dict[str, list[Field]] = {
    "visit": [
        Field("date", "Date", "date", required=True),
        Field("by", "By", "member"),
        Field(
            "statutory",
            "Statutory visit (at home, by the lead social worker)",
            "bool",
            default=True,
        ),
        Field("seen", "Children seen (none = no access)", "children", default=[], always=True),
        Field("seen_alone", "Seen alone", "children", default=[]),
        Field("bedroom_seen", "Sleeping area seen", "children", default=[]),
        Field("notes", "Notes", "longtext"),
    ],
    "core_group": [
        Field("date", "Date and time (2026-11-23 10:00)", "datetime", required=True),
        Field("status", "Status", "enum", options=MEETING_STATUSES, default="held", always=True),
        Field("chair", "Chair", "member"),
        # One grid for the three lists: a digit per member cycles attended/apologies/report/absent.
        Field(
            "attendees",
            "Attendance (held meetings): the member's digit cycles it",
            "attendance",
            default=[],
        ),
        Field("apologies", "Apologies", "attendance_part", default=[]),
        Field("written_reports", "Sent a written report", "attendance_part", default=[]),
        Field("location", "Location"),
        Field("notes_circulated", "Notes circulated on", "date"),
        Field("plan_sent", "Updated plan sent out on", "date"),
        INTERPRETER,
        Field("notes", "Notes", "longtext"),
    ],
    "conference": [
        Field("kind", "Kind", "enum", required=True, options=CONFERENCE_KINDS),
        Field("date", "Date", "date", required=True),
        Field("status", "Status", "enum", options=MEETING_STATUSES, default="held", always=True),
        Field("outcome", "Outcome (held only)", "enum", options=OUTCOMES),
        Field("children", "Children considered", "children", default=[]),
        Field("attendees", "Attended", "members", default=[]),
        Field("apologies", "Apologies", "members", default=[]),
        Field("quorate", "Quorate", "bool", default=True),
        Field("report_to_parents", "Report reached parents on", "date"),
        Field("report_to_chair", "Report reached the chair on", "date"),
        Field("decisions_circulated", "Decisions circulated on", "date"),
        Field("record_circulated", "Record circulated on", "date"),
        Field("exceptional_reason", "Exceptional reason (plan ended at first review)", "longtext"),
        INTERPRETER,
    ],
    "event": [
        Field("date", "Date", "date", required=True),
        Field("kind", "Kind", "enum", required=True, options=EVENT_KINDS, open_enum=True),
        Field("summary", "What happened", "longtext"),
        Field(
            "s47", "A section 47 enquiry began here (strategy discussion)", "bool", default=False
        ),
        Field("significant", "Significant (shown in the chronology)", "bool", default=True),
        CONFIDENTIAL,
        Field("responded", "Written response sent on (complaint)", "date"),
    ],
    "outcome": [
        Field("concern", "What the conference was worried about", "longtext", required=True),
        Field("outcome", "What must change, by how much", "longtext"),
        Field("evidence", "What everyone will see when it has changed", "longtext"),
    ],
    "action": [
        Field("action", "Action", "text", required=True),
        Field("outcome", "Outcome it serves", "outcome"),
        Field("owner", "Who", "member"),
        Field("due", "By when", "date"),
        Field("status", "Status", "enum", options=ACTION_STATUSES, default="open", always=True),
        Field("done", "Done on", "date"),
    ],
    "member": [
        Field("name", "Name", required=True),
        Field("role", "Role"),
        Field("agency", "Agency"),
        Field(
            "kind",
            "Family or professional",
            "enum",
            options=MEMBER_KINDS,
            default="professional",
            always=True,
        ),
        Field("core_group", "In the core group", "bool", default=False, always=True),
        Field("contact", "Contact"),
        CONFIDENTIAL,
    ],
    "child": [
        Field("name", "Name", required=True),
        Field("date_of_birth", "Date of birth", "date"),
        Field("expected_date", "Expected date (unborn)", "date"),
        Field("category", "Category", "enum", options=CATEGORIES),
        Field("plan_start", "Plan start (conference date)", "date"),
        Field("plan_end", "Plan ended on", "date"),
        Field("school", "School"),
    ],
    "plan": [
        Field("contingency", "Contingency: what happens if change does not happen", "longtext"),
        Field("child_views", "The child's views", "longtext"),
        Field("parent_views", "Parents' views", "longtext"),
        Field("disagreements", "Disagreements", "longtext"),
    ],
}
# Every record may be left out of parent's copies (v1.1); each form offers it.
for _kind in ("visit", "core_group", "conference", "outcome", "action", "child"):
    FORMS[_kind].append(CONFIDENTIAL)

FORMS["case"] = [
    Field(
        "procedure",
        "Procedure (blank: the team's default)",
        "enum",
        options=tuple(sorted(all_profiles())),
    ),
    Field("lead_social_worker", "Lead social worker", "member"),
    Field("team_manager", "Team manager", "member"),
    Field("interpreter", "Interpreter needed for (language)"),
    Field("closed", "Case closed on", "date"),
]
FORMS["done"] = [Field("done", "Done on", "date", required=True)]
FORMS["new_case"] = [
    Field("id", "Case id (letters, digits, - and _)", required=True),
    Field("procedure", "Procedure", "enum", required=True, options=tuple(sorted(all_profiles()))),
    Field("child_name", "First child's name", required=True),
    Field("date_of_birth", "Date of birth", "date"),
    Field("expected_date", "Expected date (unborn)", "date"),
    Field("category", "Category", "enum", options=CATEGORIES),
    Field("plan_start", "Plan start (conference date)", "date"),
    Field("worker_name", "Lead social worker", required=True),
    Field("worker_agency", "Agency"),
]
# Where the cursor starts when it is not the first field: the one most often changed.
FIRST_FIELD = {"core_group": "attendees"}
LIST_KINDS = ("members", "children", "attendance", "attendance_part")

TITLES = {"visit": "visit", "core_group": "core group meeting", "conference": "conference",
          "event": "event", "outcome": "plan outcome", "action": "plan action",
          "member": "person", "child": "child", "plan": "plan text", "case": "case details"}


def next_case_id(existing: list[str], today: date) -> str:
    """CP-<year>-<n+1>, following the folder's own numbering."""
    nums = [int(m.group(1)) for i in existing if (m := re.fullmatch(rf"CP-{today.year}-(\d+)", i))]
    return f"CP-{today.year}-{max(nums, default=0) + 1:04d}"


def form_fields(kind: str, case: Case | None) -> list[Field]:
    """The fields a form asks: some only when the case needs them (an interpreter).

    A procedure is chosen from every profile the case's folder can use, the team's
    own included, and always from the one the case names: a value missing from the
    list would show blank, and blank means "remove it" when the form is saved.
    """
    fields = [
        f
        for f in FORMS[kind]
        if f.when is None or (case is not None and getattr(case, f.when, None))
    ]
    if case is None or not any(f.key == "procedure" for f in fields):
        return fields
    from cptui.profiles import library_for

    names = set(library_for(case.path.parent).profiles) | ({case.procedure} - {None})
    return [replace(f, options=tuple(sorted(names))) if f.key == "procedure" else f
            for f in fields]


def show(field: Field, value: Any) -> Any:
    """A stored value as the form shows it (dates in ISO, times as HH:MM)."""
    if value is None:
        if field.kind in LIST_KINDS:
            return []
        return field.default if field.default is not None else ""
    if field.kind == "yesno" and isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def parse(field: Field, raw: Any, today: date) -> tuple[Any, str | None]:
    """Typed text -> value, or an error message in plain words."""
    if field.kind == "bool" or field.kind in LIST_KINDS:
        return raw, None
    text = raw.strip() if isinstance(raw, str) else raw
    if text in ("", None):
        return None, (f"{field.label.split(' (')[0]} is required" if field.required else None)
    if field.kind == "yesno":
        return (text == "yes", None) if text in YESNO else (None, "choose yes, no, or leave blank")
    if field.kind == "date":
        try:
            return parse_user_date(text, today), None
        except ValueError:
            return None, "not a date: use 2026-11-23, 23/11/2026 or today"
    if field.kind == "datetime":
        m = re.fullmatch(r"(.+?)(?:[ T](\d{1,2}):(\d{2}))?", text)
        try:
            d = parse_user_date(m.group(1), today)  # type: ignore[union-attr]
        except (ValueError, AttributeError):
            return None, "not a date: use 2026-11-23 10:00, 23/11/2026 or today"
        if m and m.group(2):
            h, mi = int(m.group(2)), int(m.group(3))
            if h > 23 or mi > 59:
                return None, "not a time of day: use 10:00"
            return datetime(d.year, d.month, d.day, h, mi), None
        return d, None
    if field.kind == "enum" and field.open_enum and re.fullmatch(r"[a-z][a-z0-9_]*", text):
        return text, None
    if field.kind == "enum" and text not in field.options:
        return None, f"choose one of: {', '.join(field.options)}"
    return text, None


def validate(
    kind: str, raw: Mapping[str, Any], today: date, fields: Sequence[Field] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed values and errors; ``fields``: as the form asked them (``form_fields``)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in FORMS[kind] if fields is None else fields:
        if f.when is not None and f.key not in raw:
            continue  # not asked for this case: leave the stored value alone
        v, err = parse(f, raw.get(f.key), today)
        if err:
            errors[f.key] = err
        values[f.key] = v
    if (
        kind == "new_case"
        and values.get("id")
        and not re.fullmatch(r"[A-Za-z0-9_-]+", values["id"])
    ):
        errors["id"] = "use only letters, digits, '-' and '_'"
    if kind in ("child", "new_case") and not errors and not (values.get("date_of_birth")
                                                            or values.get("expected_date")):
        errors["date_of_birth"] = "give a date of birth, or an expected date for an unborn child"
    if kind == "action" and values.get("status") == "done" and not values.get("done"):
        errors["done"] = "when was it done?"
    return values, errors


def changes(kind: str, old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> dict[str, Any]:
    """Only what differs from the stored record; None means remove the key.

    A key the file does not have counts as its default, so saving an
    untouched form writes nothing.
    """
    out: dict[str, Any] = {}
    for f in FORMS[kind]:
        if f.when is not None and f.key not in new:
            continue  # not asked: unchanged
        value = new.get(f.key)
        if isinstance(value, list) and not value and f.default is None:
            value = None
        if old is None:
            if value is not None and (f.always or value != f.default):
                out[f.key] = value
            continue
        if f.key in old:
            stored = old[f.key]
            if stored == "" and value is None:
                continue  # an empty text and no text are the same to a reader
            if _untouched(f, stored, value):
                continue  # shown and read back as the form does: the user left it alone
            if value is None and f.default is not None and f.kind != "enum":
                value = f.default
            if stored != value or type(stored) is not type(value):
                out[f.key] = value
        elif value is not None and value != f.default:
            out[f.key] = value
    return out


def _untouched(f: Field, stored: Any, value: Any) -> bool:
    """Is ``value`` what the form gives back for ``stored`` when nobody edits it?

    A form shows a value its own way (text trimmed, a time as HH:MM); reading that
    back is not an edit, so the stored value (a note's final newline, a time's
    seconds) is kept as it is in the file.
    """
    if f.kind == "bool" or f.kind in LIST_KINDS or value is None:
        return False
    echo, err = parse(f, show(f, stored), date.today())
    return err is None and echo == value and type(echo) is type(value)


def suggest_quorate(case: Case, profile: Profile, attendees: list[str]) -> tuple[bool | None, str]:
    """The profile's quoracy rule applied to who attended, or None if it has none."""
    rule = profile.quoracy
    if not rule:
        return None, f"{profile.name} sets no quoracy rule"
    lead = rule["lead_agency"]
    agencies = {
        case.member(m).agency for m in attendees if case.member(m)  # type: ignore[union-attr]
    }
    others = {a for a in agencies if a and a != lead}
    ok = lead in agencies and len(others) >= rule["other_agencies"]
    why = (f"{lead} {'present' if lead in agencies else 'absent'}, "
           f"{len(others)} other agenc{'y' if len(others) == 1 else 'ies'} "
           f"(needs {rule['other_agencies']})")
    return ok, f"suggested {'quorate' if ok else 'NOT quorate'}: {why}"


NEAR_DAYS = 14  # a booked core group this close to a held one is taken to be the same meeting


def booked_near(case: Case, day: date, exclude: str | None = None) -> Any:
    """The booked (scheduled) core group closest to ``day``, within NEAR_DAYS, or None."""
    near = [g for g in case.core_groups if g.status == "scheduled" and g.id != exclude
            and abs((g.date - day).days) <= NEAR_DAYS]
    return min(near, key=lambda g: (abs((g.date - day).days), g.date), default=None)


def usual_chair(case: Case) -> str | None:
    """Who chaired most held core groups (the latest wins a tie)."""
    held = sorted(
        (g for g in case.core_groups if g.status == "held" and g.chair), key=lambda g: g.date
    )
    counts: dict[str, int] = {}
    for g in held:
        counts[g.chair] = counts.get(g.chair, 0) + 1  # type: ignore[index]
    last = {g.chair: i for i, g in enumerate(held)}
    return max(counts, key=lambda m: (counts[m], last[m]), default=None)


def core_group_start(case: Case, today: date) -> tuple[str | None, dict[str, Any]]:
    """What "record a core group" opens on: today, held, the usual chair.

    If a meeting is booked near today, that record is opened instead (the
    booked meeting becomes the held one, keeping its time and place), so
    the file never holds a held and a booked copy of one meeting.
    """
    booked = booked_near(case, today)
    at = getattr(booked, "at", None)
    when = datetime.combine(today, at.time()) if at else today
    preset = {"date": when, "status": "held",
              "chair": (booked.chair if booked and booked.chair else usual_chair(case))}
    return (booked.id if booked else None), preset
