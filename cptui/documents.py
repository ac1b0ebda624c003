"""Documents from a case: agendas, notes, plans, chronology, conference records.

Templates are Jinja, rendered in a ``SandboxedEnvironment`` with
``StrictUndefined``; record text is passed in as data and never compiled as a
template, so ``{{7*7}}`` in a summary prints as typed. Templates write
Markdown; HTML is made from that Markdown by a small converter that escapes
all text (an ``.html.j2`` template, if a team provides one, is rendered with
Jinja autoescaping instead).

A parent's copy leaves out every record marked confidential and every
member's contact details; the full copy says how many items that would be.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from cptui.caseload import Caseload, CaseView
from cptui.dates import distance, fmt_date, human_span
from cptui.model import Case
from cptui.paths import bundled_templates
from cptui.rules import LABELS

DOCUMENTS = {
    "agenda": "Core group agenda",
    "notes": "Core group notes",
    "plan": "Child protection plan",
    "plan-child": "My plan (for the child and family)",
    "chronology": "Chronology",
    "record": "Conference record",
}


class DocumentError(ValueError):
    pass


@dataclass
class Filtered:
    case: Case
    omitted: int  # how many records/fields a parent's copy leaves out


def parent_view(case: Case) -> Filtered:
    """The case as a parent's copy may show it."""
    omitted = 0

    def keep(items: list) -> list:
        nonlocal omitted
        out = [x for x in items if not getattr(x, "confidential", False)]
        omitted += len(items) - len(out)
        return out

    members = keep(case.members)
    omitted += sum(1 for m in members if m.contact)
    members = [replace(m, contact=None) for m in members]
    kept_ids = {m.id for m in members}
    gone = {m.id for m in case.members} - kept_ids
    cg = [replace(g, attendees=[a for a in g.attendees if a not in gone],
                  apologies=[a for a in g.apologies if a not in gone],
                  written_reports=[a for a in g.written_reports if a not in gone])
          for g in keep(case.core_groups)]
    confs = [replace(k, attendees=[a for a in k.attendees if a not in gone],
                     apologies=[a for a in k.apologies if a not in gone]) for k in keep(case.conferences)]
    new = replace(case, members=members, events=keep(case.events), conferences=confs,
                  core_groups=cg, visits=keep(case.visits), children=keep(case.children))
    return Filtered(new, omitted)


def environment(cases_dir: Path | None) -> SandboxedEnvironment:
    """Team templates in ``<cases>/templates`` win over the bundled ones."""
    loaders = []
    if cases_dir is not None and (cases_dir / "templates").is_dir():
        loaders.append(FileSystemLoader(str(cases_dir / "templates")))
    loaders.append(FileSystemLoader(str(bundled_templates())))
    env = SandboxedEnvironment(loader=ChoiceLoader(loaders), undefined=StrictUndefined,
                               autoescape=lambda name: bool(name and name.endswith(".html.j2")),
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["d"] = fmt_date
    env.filters["first_word"] = lambda s: str(s).split(" ")[0]
    env.filters["and_list"] = lambda xs: (", ".join(xs[:-1]) + " and " + xs[-1]) if len(xs) > 1 else "".join(xs)
    env.filters["cell"] = lambda s: " ".join(str(s or "").split()).replace("|", "/")
    return env


def _pick(items: list, rid: str | None, what: str, default):
    if rid is None:
        if default is None:
            raise DocumentError(f"this case has no {what} to use; name one with its id")
        return default
    found = next((x for x in items if x.id == rid), None)
    if found is None:
        raise DocumentError(f"no {what} {rid!r} in this case")
    return found


def context(cv: CaseView, load: Caseload, copy: str = "full", meeting: str | None = None,
            conference: str | None = None) -> dict[str, Any]:
    full = cv.case
    filtered = parent_view(full)
    case = filtered.case if copy == "parent" else full
    today = load.today
    S = full.plan_start(today)
    held_cg = sorted((g for g in case.core_groups if g.held), key=lambda g: g.date)
    booked_cg = sorted((g for g in case.core_groups if g.status == "scheduled" and g.date >= today),
                       key=lambda g: g.date)
    held_conf = sorted((k for k in case.conferences if k.held), key=lambda k: k.date)
    due = {d.rule: d for d in sorted(cv.open_deadlines, key=lambda d: d.due, reverse=True)}
    next_cg_due = min((d for d in cv.open_deadlines if d.rule in ("first_core_group", "core_group")),
                      key=lambda d: d.due, default=None)
    next_review_due = due.get("first_review") or due.get("review")
    booked_review = min((k for k in case.conferences if k.status == "scheduled" and k.date >= today),
                        key=lambda k: k.date, default=None)
    m = _pick(held_cg, meeting, "held core group meeting", held_cg[-1] if held_cg else None) \
        if meeting or held_cg else None
    k = _pick(held_conf, conference, "held conference", held_conf[-1] if held_conf else None) \
        if conference or held_conf else None
    first_after = (next((g for g in sorted(case.core_groups, key=lambda g: g.date) if g.date >= k.date
                         and g.status != "cancelled"), None) if k else None)
    since = held_cg[-1].date if held_cg else (S or today)
    return {
        "case": case,
        "copy": copy,
        "omitted": filtered.omitted,
        "profile": cv.profile,
        "today": today,
        "pinned": load.pinned,
        "plan_start": S,
        "children_on_plan": [c for c in case.children if c.plan_start],
        "core_members": [x for x in case.members if x.core_group],
        "held_meetings": held_cg,
        "first_meeting": not [g for g in held_cg if S is None or g.date >= S],
        "next_meeting": booked_cg[0] if booked_cg else None,
        "next_meeting_due": next_cg_due,
        "next_review": booked_review,
        "next_review_due": next_review_due,
        "meeting": m,
        "conference": k,
        "first_core_group_after": first_after,
        "actions_since": [a for a in case.plan.actions if a.due and since <= a.due <= today]
        if since else [],
        "open_actions": [a for a in case.plan.actions if a.status == "open"],
        "timeline": _chronology(case),
        "name": case.member_name,
        "child_name": case.child_name,
        "first_name": lambda cid: case.child_name(cid).split(" ")[0],
        "age": lambda c: human_span(c.date_of_birth, today) if c.date_of_birth else "unborn",
        "distance": lambda d: distance(load.calendar, d, today),
        "label": lambda rule: LABELS.get(rule, rule),
        "actions_for": lambda oid: [a for a in case.plan.actions if a.outcome == oid],
    }


def _chronology(case: Case) -> list[dict[str, Any]]:
    """Date, what happened, source, action taken: the chronology's four columns."""
    rows: list[dict[str, Any]] = []
    for e in case.events:
        if e.significant:
            rows.append({"date": e.date, "what": e.summary or e.kind.replace("_", " "),
                         "source": e.kind.replace("_", " "),
                         "action": f"response sent {fmt_date(e.responded)}" if e.responded else ""})
    for k in case.conferences:
        if k.held:
            rows.append({"date": k.date, "what": f"{k.kind.replace('_', ' ').capitalize()} conference",
                         "source": "conference", "action": (k.outcome or "").replace("_", " ")
                         + ("" if k.quorate else " (not quorate)")})
    for g in case.core_groups:
        if g.held:
            rows.append({"date": g.date, "what": "Core group meeting", "source": "core group",
                         "action": f"chaired by {case.member_name(g.chair)}" if g.chair else ""})
    for v in case.visits:
        if v.statutory:
            seen = ", ".join(case.child_name(c) for c in v.seen)
            rows.append({"date": v.date, "what": "Home visit", "source": case.member_name(v.by),
                         "action": f"seen: {seen}" if seen else "no access: children not seen"})
    return sorted(rows, key=lambda r: r["date"])


def render(name: str, cv: CaseView, load: Caseload, copy: str = "full", fmt: str = "md",
           meeting: str | None = None, conference: str | None = None) -> str:
    if name not in DOCUMENTS:
        raise DocumentError(f"unknown document {name!r}; choose from: {', '.join(DOCUMENTS)}")
    if copy not in ("full", "parent"):
        raise DocumentError("--copy is full or parent")
    env = environment(load.folder)
    ctx = context(cv, load, copy, meeting, conference)
    title = DOCUMENTS[name]
    if fmt == "html":
        try:
            tpl = env.get_template(f"{name}.html.j2")
            return tpl.render(**ctx)
        except TemplateNotFound:
            pass
    body = env.get_template(f"{name}.md.j2").render(**ctx)
    if fmt == "md":
        return body
    if fmt != "html":
        raise DocumentError("--format is md or html")
    page = env.get_template("page.html.j2")
    banner = "Parent's copy" if copy == "parent" else "Full copy — confidential"
    return page.render(title=f"{title} — {cv.case.id}", banner=banner, parent=copy == "parent",
                       body=Markup(markdown_to_html(body)))


_INLINE = [(re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
           (re.compile(r"(?<![\w*])_(.+?)_(?![\w*])"), r"<em>\1</em>")]


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    for pat, rep in _INLINE:
        out = pat.sub(rep, out)
    return out


def markdown_to_html(md: str) -> str:
    """The Markdown our templates write: headings, lists, tables, paragraphs.

    All text is HTML-escaped before any tag is added, so record text can
    never inject markup into the printed page.
    """
    out: list[str] = []
    lines = md.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if not line.strip():
            i += 1
            continue
        h = re.match(r"^(#{1,4})\s+(.*)$", line)
        if h:
            n = len(h.group(1))
            out.append(f"<h{n}>{_inline(h.group(2))}</h{n}>")
            i += 1
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            head, *body = rows
            out.append("<table><thead><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head)
                       + "</tr></thead><tbody>" + "".join(
                           "<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in body)
                       + "</tbody></table>")
        elif re.match(r"^\s*[-*] ", line):
            items = []
            while i < len(lines) and re.match(r"^\s*[-*] ", lines[i]):
                items.append(re.sub(r"^\s*[-*] ", "", lines[i]))
                i += 1
            out.append("<ul>" + "".join(f"<li>{_inline(t)}</li>" for t in items) + "</ul>")
        elif line.startswith(">"):
            quote = []
            while i < len(lines) and lines[i].startswith(">"):
                quote.append(lines[i].lstrip("> ").rstrip())
                i += 1
            out.append(f"<div class=\"notice\">{'<br>'.join(_inline(q) for q in quote)}</div>")
        elif line.strip() == "---":
            out.append("<hr>")
            i += 1
        else:
            para = []
            while i < len(lines) and lines[i].strip() and not re.match(r"^(#|\||\s*[-*] |>|---)", lines[i]):
                para.append(lines[i].strip())
                i += 1
            out.append(f"<p>{'<br>'.join(_inline(p) for p in para)}</p>")
    return "\n".join(out)


def output_dir(load: Caseload) -> Path:
    """Where the TUI writes documents: ``out/`` beside the cases folder (not in it)."""
    configured = load.settings.output_dir
    if configured:
        return (load.folder / configured).resolve()
    return load.folder.resolve().parent / "out"


def write_document(name: str, cv: CaseView, load: Caseload, copy: str, fmt: str) -> Path:
    from cptui.storage import write_atomic

    text = render(name, cv, load, copy, fmt)
    folder = output_dir(load)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # the umask can only narrow this
    suffix = "-parent" if copy == "parent" else ""
    path = folder / f"{cv.case.id}-{name}{suffix}-{load.today.isoformat()}.{fmt}"
    write_atomic(path, text.encode("utf-8"))
    return path

