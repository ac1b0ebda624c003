"""Synthetic caseloads for training and benchmarks: realistic, obviously fictional.

Every case is built relative to ``today`` so a trainer always gets a live
picture (some overdue, some due soon, some met late), and the same seed
gives the same folder byte for byte. Names are taken from lists of words
that are plainly not surnames ("Example", "Placeholder").
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from cptui.dates import WorkCalendar
from cptui.profiles import all_profiles
from cptui.fsio import private_mode, write_atomic

FIRST = [
    "Ava",
    "Leo",
    "Mia",
    "Noah",
    "Isla",
    "Finn",
    "Zara",
    "Theo",
    "Ruby",
    "Jacob",
    "Ella",
    "Oscar",
    "Ivy",
    "Max",
    "Esme",
    "Kai",
    "Nell",
    "Remi",
    "Skye",
    "Toby",
    "Lila",
    "Arlo",
    "Maya",
    "Ezra",
]
ADULT = ["Sam", "Jo", "Alex", "Robin", "Charlie", "Quinn", "Morgan", "Taylor", "Jamie", "Frankie",
         "Drew", "Billie", "Casey", "Rowan", "Sasha", "Jules", "Ash", "Dana", "Lee", "Pat"]
SURNAME = [
    "Example",
    "Sample",
    "Placeholder",
    "Testwell",
    "Invented",
    "Fictional",
    "Madeup",
    "Demo",
    "Specimen",
    "Mockford",
    "Dummyton",
    "Pretendly",
]
AGENCIES = [("Class teacher", "Example Primary"), ("Health visitor", "Community Health"),
            ("School nurse", "Community Health"), ("GP", "Example Surgery"),
            ("Police officer", "Police"), ("Family support worker", "Early Help"),
            ("Midwife", "Maternity Services"), ("Youth worker", "Youth Service")]
CATEGORIES = ["neglect", "emotional", "physical", "sexual"]


def q(v: Any) -> str:
    """A TOML value: json escaping is valid TOML for basic strings."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(q(x) for x in v) + "]"
    if isinstance(v, int):
        return str(v)
    return json.dumps(str(v), ensure_ascii=False)


def table(header: str, values: dict[str, Any]) -> str:
    lines = [header] + [f"{k} = {q(v)}" for k, v in values.items() if v is not None]
    return "\n".join(lines) + "\n"


class _Case:

    def __init__(
        self, rng: random.Random, cal: WorkCalendar, today: date, n: int, profile: str
    ) -> None:
        self.rng, self.cal, self.today = rng, cal, today
        self.id = f"CP-{today.year}-{n:05d}"
        self.profile = all_profiles()[profile]
        self.parts: list[str] = []
        self.ids: dict[str, int] = {}

    def next_id(self, prefix: str) -> str:
        self.ids[prefix] = self.ids.get(prefix, 0) + 1
        return f"{prefix}{self.ids[prefix]}"

    def wd(self, d: date, n: int) -> date:
        return self.cal.add_working_days(d, n)

    def jitter(self, d: date, late_chance: float = 0.15) -> date:
        """Mostly on time or early; sometimes a few working days late."""
        r = self.rng.random()
        shift = self.rng.randint(1, 6) if r < late_chance else -self.rng.randint(0, 3)
        return self.wd(d, shift)


# The profiles a training caseload cycles through: the six whose timescales the format's own
# table fixes, so a caseload is the same whatever other profiles ship.
DEMO_PROFILES = ("berkshire", "blackburn-with-darwen", "darlington", "hillingdon", "west-midlands",
                 "working-together-2023")


def build(n: int, today: date, seed: int, cal: WorkCalendar) -> tuple[str, str]:
    rng = random.Random(f"{seed}-{n}")
    names = DEMO_PROFILES
    c = _Case(rng, cal, today, n, names[n % len(names)])
    surname = rng.choice(SURNAME)
    # A few slips on fixed case numbers, so every caseload of a dozen or more cases shows each
    # newer practice flag to a trainer: a plan made days ago and no core group booked, a visit
    # typed in before it happened, an interpreter who was not there, a first meeting not
    # chaired by the manager.
    recent, typed_ahead, no_interpreter = n % 11 == 3, n % 13 == 5, n % 12 == 7
    tm_not_chair = n % 4 == 3
    transfer = rng.random() < 0.1
    closed = rng.random() < 0.1 and not recent
    unborn_only = rng.random() < 0.07 and not (recent or typed_ahead or no_interpreter)
    start = cal.add_working_days(today - timedelta(days=rng.randint(7, 420)), 0)
    if recent:
        start = cal.add_working_days(today, -3)
    while not cal.is_working_day(start):
        start += timedelta(days=1)
    kids = []
    for _ in range(1 if unborn_only else rng.choice([1, 1, 1, 2, 2, 3])):
        kid = {"id": c.next_id("c"), "name": f"{rng.choice(FIRST)} {surname}"}
        if unborn_only:
            kid["expected_date"] = today + timedelta(days=rng.randint(40, 150))
        else:
            kid["date_of_birth"] = today - timedelta(days=rng.randint(200, 16 * 365))
            kid["category"] = rng.choice(CATEGORIES)
            kid["plan_start"] = start
        kids.append(kid)
    plan_end = None
    if closed and not unborn_only:
        plan_end = cal.add_working_days(start, rng.randint(60, 200))
        if plan_end >= today:
            plan_end, closed = None, False
        else:
            for k in kids:
                k["plan_end"] = plan_end
    members = [
        {
            "id": "m1",
            "name": f"{rng.choice(ADULT)} {rng.choice(SURNAME)}",
            "role": "Lead social worker",
            "agency": "Children's Social Care",
            "kind": "professional",
            "core_group": True,
        },
        {
            "id": "m2",
            "name": f"{rng.choice(ADULT)} {rng.choice(SURNAME)}",
            "role": "Team manager",
            "agency": "Children's Social Care",
            "kind": "professional",
            "core_group": False,
        },
        {
            "id": "m3",
            "name": f"{rng.choice(ADULT)} {surname}",
            "role": "Parent",
            "kind": "family",
            "core_group": True,
            "contact": f"07700 9{rng.randint(0, 99999):05d}",
        },
    ]
    for role, agency in rng.sample(AGENCIES, rng.randint(1, 3)):
        members.append(
            {
                "id": f"m{len(members) + 1}",
                "name": f"{rng.choice(ADULT)} {rng.choice(SURNAME)}",
                "role": role,
                "agency": agency,
                "kind": "professional",
                "core_group": True,
            }
        )
    head = {
        "schema": 1,
        "id": c.id,
        "procedure": c.profile.name,
        "lead_social_worker": "m1",
        "team_manager": "m2",
        "closed": cal.add_working_days(plan_end, 10) if closed and plan_end else None,
    }
    if head["closed"] and head["closed"] > today:
        head["closed"] = None
    if rng.random() < 0.08 or no_interpreter:
        head["interpreter"] = rng.choice(["Polish", "Romanian", "Arabic", "Urdu", "Portuguese"])
    out = [table("", head).lstrip("\n")]
    out += [table("\n[[children]]", k) for k in kids]
    out += [table("\n[[members]]", m) for m in members]
    events, confs, groups, visits = [], [], [], []

    def past(d: date) -> date | None:
        """A done date is only written once it has happened
        (docs/format.md#nothing-from-the-future)."""
        return d if d <= today else None

    end = min(today, plan_end) if plan_end else today
    if unborn_only:
        confs.append({"id": c.next_id("k"), "kind": "pre_birth", "status": "scheduled",
                      "date": c.wd(today, rng.randint(-3, 10)), "children": [kids[0]["id"]]})
    else:
        if transfer:
            agreed = c.wd(start, -rng.randint(8, 20))
            events.append({"id": c.next_id("e"), "date": agreed, "kind": "transfer_agreed",
                           "summary": "Two authorities agree the family has moved here."})
            kind = "transfer"
        else:
            sd = c.wd(start, -rng.randint(8, 18))
            events.append(
                {
                    "id": c.next_id("e"),
                    "date": sd,
                    "kind": "strategy_discussion",
                    "s47": True,
                    "summary": "Strategy discussion; section 47 enquiry begins.",
                }
            )
            kind = "initial"
        quorate = rng.random() > 0.06
        attendees = ["m1", "m3"] + [m["id"] for m in members[3:]]
        confs.append(
            {
                "id": c.next_id("k"),
                "kind": kind,
                "date": start,
                "outcome": "plan",
                "children": [k["id"] for k in kids],
                "attendees": attendees,
                "quorate": quorate,
                "decisions_circulated": c.jitter(c.wd(start, 2), 0.2),
            }
        )
        # reviews
        review_due = start + timedelta(days=91)
        while review_due <= end:
            held = c.jitter(review_due - timedelta(days=rng.randint(0, 6)), 0.1)
            if held > end:
                break
            outcome = "end" if plan_end and held >= plan_end - timedelta(days=3) else "continue"
            confs.append({"id": c.next_id("k"), "kind": "review", "date": held, "outcome": outcome,
                          "children": [k["id"] for k in kids], "attendees": attendees})
            review_due = held + timedelta(days=182)
        # core groups at the profile's rhythm
        ts = c.profile.timescales
        due = c.wd(start, 10)
        rhythm = ts.get("core_group")
        while due <= end:
            held = c.jitter(due, 0.2)
            if held > end:
                break
            first = not groups
            others = members[3:]
            came = [m["id"] for m in others if rng.random() < .7]
            away = [m["id"] for m in others if m["id"] not in came and rng.random() < .5]
            lead = [] if rng.random() < 0.04 else ["m1"]  # the lead social worker missed it
            g = {
                "id": c.next_id("g"),
                "date": datetime(held.year, held.month, held.day, rng.choice([10, 13, 14])),
                "chair": "m1" if not first or tm_not_chair else "m2",
                "attendees": lead + (["m2"] if first else []) + ["m3"] + came,
                "apologies": away or None,
                "written_reports": [a for a in away if rng.random() < 0.85] or None,
            }
            if rng.random() < 0.95 and held < today:
                g["notes_circulated"] = past(c.jitter(c.wd(held, 3), 0.25))
            if "core_group_plan" in ts and rng.random() < 0.95 and held < today:
                g["plan_sent"] = past(c.jitter(held + timedelta(days=4), 0.25))
            if "interpreter" in head:
                g["interpreter_present"] = not (no_interpreter and first)
            groups.append(g)
            if rhythm is None:
                break
            due = cal.add(held, rhythm.timescale)
        if not plan_end and not recent and rng.random() < 0.5:
            groups.append({"id": c.next_id("g"), "date": c.wd(today, rng.randint(1, 15)),
                           "status": "scheduled", "chair": "m1"})
        # visits
        step = (ts.get("visit").timescale.n if ts.get("visit") else 10)
        day, misses = start, 0
        while True:
            day = c.wd(day, max(1, step + rng.randint(-4, 2 if rng.random() < 0.85 else 8)))
            if day > end:
                break
            missed = rng.random() < 0.07
            misses = misses + 1 if missed else 0
            seen = [] if missed else [k["id"] for k in kids]
            v = {"id": c.next_id("v"), "date": day, "by": "m1", "seen": seen}
            if seen and rng.random() < 0.3:
                v["bedroom_seen"] = seen
            if not seen:
                v["notes"] = "No answer at the door."
            visits.append(v)
        if typed_ahead and not plan_end:
            visits.append(
                {
                    "id": c.next_id("v"),
                    "date": c.wd(today, 3),
                    "by": "m1",
                    "seen": [k["id"] for k in kids],
                    "notes": "Typed in ahead of the planned visit.",
                }
            )
        if rng.random() < 0.08:
            events.append(
                {
                    "id": c.next_id("e"),
                    "date": today - timedelta(days=rng.randint(1, 25)),
                    "kind": "missing",
                    "summary": "Child missing overnight; returned next day.",
                }
            )
        if rng.random() < 0.1:
            events.append(
                {
                    "id": c.next_id("e"),
                    "date": today - timedelta(days=rng.randint(20, 90)),
                    "kind": "incident",
                    "summary": "Police called to the home after an argument.",
                    "confidential": True,
                }
            )
    for k in confs:
        if k.get("status", "held") == "held":
            k["report_to_parents"] = c.jitter(c.wd(k["date"], -2), 0.12)
            k["report_to_chair"] = c.jitter(c.wd(k["date"], -3), 0.12)
            k.setdefault("decisions_circulated", c.jitter(c.wd(k["date"], 2), 0.15))
            k["decisions_circulated"] = past(k["decisions_circulated"])
            if "interpreter" in head:
                k["interpreter_present"] = True
            rec = c.jitter(c.wd(k["date"], 20), 0.2)
            if rec < today:
                k["record_circulated"] = rec
    out += [table("\n[[events]]", e) for e in events]
    out += [table("\n[[conferences]]", k) for k in confs]
    out += [table("\n[[core_groups]]", g) for g in groups]
    out += [table("\n[[visits]]", v) for v in visits]
    if not unborn_only:
        out.append(
            table(
                "\n[plan]",
                {
                    "contingency": "If things do not improve, legal advice will be sought.",
                    "child_views": "Wants things at home to be calmer.",
                },
            )
        )
        out.append(
            table(
                "\n[[plan.outcomes]]",
                {
                    "id": "o1",
                    "concern": "Basic care is not reliable.",
                    "outcome": "Reliable care every day.",
                    "evidence": "Seen on visits; school reports.",
                },
            )
        )
        for i in range(rng.randint(1, 3)):
            due_d: Any = c.wd(start, rng.randint(10, 80))
            if rng.random() < 0.08:
                due_d = rng.choice(["ASAP", "ongoing"])
            done = isinstance(due_d, date) and due_d < today and rng.random() < 0.6
            out.append(table("\n[[plan.actions]]", {
                "id": f"a{i + 1}", "outcome": "o1", "action": "Agreed task from the core group.",
                "owner": rng.choice([m["id"] for m in members]), "due": due_d,
                "status": "done" if done else "open", "done": due_d if done else None}))
    return c.id, "".join(out)


def generate(folder: Path, count: int, today: date, seed: int = 1) -> list[Path]:
    """Write ``count`` cases and a cptui.toml pinning ``today``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True, mode=private_mode(0o700))
    cal = WorkCalendar()
    write_atomic(folder / "cptui.toml", (
        "# A synthetic training caseload: every person and place is invented.\n"
        f"today = {today.isoformat()}\n").encode("utf-8"))
    paths = []
    for n in range(1, count + 1):
        cid, text = build(n, today, seed, cal)
        path = folder / f"{cid}.toml"
        write_atomic(path, text.encode("utf-8"))
        paths.append(path)
    return paths
