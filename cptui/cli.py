"""The command line. ``cptui`` alone opens the TUI; subcommands print.

Textual is imported only when the TUI is opened, so ``check`` and
``deadlines`` start quickly and work where no terminal UI can run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from cptui import __version__
from cptui.paths import default_cases, demo_cases, user_cases, writable_demo

if TYPE_CHECKING:
    from cptui.caseload import Caseload, CaseView


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-23") from None


def _folder(args: argparse.Namespace) -> Path:
    """The cases folder a command works on: --cases, else ./cases (or here), else the demo."""
    return args.cases or default_cases()


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand registers its function with ``set_defaults(func=...)``.

    ``--cases`` and ``--today`` come from one parent parser, so they read the
    same (and may stand before or after the command name) everywhere.
    """
    ap = argparse.ArgumentParser(
        prog="cptui",
        description="Child protection plan deadlines from TOML case files. "
        "With no command, opens the app.")
    ap.add_argument("--version", action="version", version=f"cptui {__version__}")
    ap.add_argument("--cases", type=Path, help="cases folder (default: ./cases, else the demo)")
    ap.add_argument("--today", type=_date, help="pin the clock to this date (YYYY-MM-DD)")
    ap.add_argument("--case", help="open straight into this case id")
    ap.set_defaults(func=cmd_tui)
    # SUPPRESS: given after the command it overrides the top-level one; absent, it leaves it be.
    cases = argparse.ArgumentParser(add_help=False)
    cases.add_argument("--cases", type=Path, default=argparse.SUPPRESS, help="cases folder")
    today = argparse.ArgumentParser(add_help=False)
    today.add_argument("--today", type=_date, default=argparse.SUPPRESS,
                       help="pin the clock to this date (YYYY-MM-DD)")
    both = [cases, today]
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")

    c = sub.add_parser("check", parents=both, help="list every problem in every case file")
    c.add_argument("dir", nargs="?", type=Path, help="cases folder (the same as --cases)")
    c.add_argument("--strict", action="store_true", help="warnings fail too")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.set_defaults(func=cmd_check)

    d = sub.add_parser("deadlines", parents=both, help="every deadline, overdue first")
    d.add_argument("--format", choices=("table", "json", "csv", "ics"), default="table")
    d.add_argument("--all", action="store_true", help="include deadlines already met")
    d.set_defaults(func=cmd_deadlines)

    r = sub.add_parser(
        "render", parents=both, help="a document for one case: agenda, notes, plan, ..."
    )
    r.add_argument("template", help="agenda, notes, plan, plan-child, chronology or record")
    r.add_argument("case_id")
    r.add_argument("--meeting", help="core group meeting id (notes; default the latest held)")
    r.add_argument("--conference", help="conference id (record; default the latest held)")
    r.add_argument("--copy", choices=("full", "parent"), default="full",
                   help="parent: leave out everything marked confidential")
    r.add_argument("--format", choices=("md", "html"), default="md")
    r.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    r.set_defaults(func=cmd_render)

    sv = sub.add_parser(
        "serve", parents=both, help="the app in a browser on this machine (training)"
    )
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--max-sessions", type=int, default=4, help="browser sessions open at once")
    sv.set_defaults(func=cmd_serve)

    ca = sub.add_parser("cache", help="the private cache of loaded cases: where it is, or clear it")
    ca.add_argument("action", choices=("clear", "path"))
    ca.set_defaults(func=cmd_cache)

    st = sub.add_parser(
        "stats", parents=both, help="share of deadlines met on time, per rule or worker"
    )
    st.add_argument("--from", dest="start", type=_date)
    st.add_argument("--to", dest="end", type=_date)
    st.add_argument("--by", choices=("rule", "worker"), default="rule")
    st.set_defaults(func=cmd_stats)

    dm = sub.add_parser("demo", parents=[today], help="write a synthetic caseload for training")
    dm.add_argument("dir", type=Path)
    dm.add_argument("--count", type=int, default=40)
    dm.add_argument("--seed", type=int, default=1)
    dm.set_defaults(func=cmd_demo)

    g = sub.add_parser(
        "git-setup", parents=[cases], help="merge case files by record id in this git clone"
    )
    g.add_argument("dir", nargs="?", type=Path, help="cases folder (the same as --cases)")
    g.set_defaults(func=cmd_git_setup)

    m = sub.add_parser("merge-driver", help="(run by git) three-way merge of one case file")
    for name in ("base", "ours", "theirs"):
        m.add_argument(name, type=Path)
    m.add_argument("path", nargs="?", default="")
    m.set_defaults(func=cmd_merge_driver)

    p = sub.add_parser(
        "profiles",
        parents=[cases],
        help="each profile's timescales with citations; "
        "`profiles new NAME --extends BASE` starts a team profile",
    )
    p.add_argument("name", nargs="?", help="a profile, or `new` to write a starter file")
    p.add_argument("new_name", nargs="?", help=argparse.SUPPRESS)
    p.add_argument("--extends", default="working-together-2023",
                   help="(with `new`) the profile to build on")
    p.set_defaults(func=cmd_profiles)

    b = sub.add_parser("bundle", help="write a folder that installs cptui with no internet")
    b.add_argument("dir", type=Path, help="new folder to write")
    b.add_argument("--platform", action="append", dest="platforms", metavar="NAME",
                   help="repeatable: linux-x86_64, linux-aarch64, windows-x64, macos-arm64, "
                   "macos-x86_64 or current (default: all five named)")
    b.add_argument("--python", action="append", dest="pythons", metavar="X.Y",
                   help="repeatable: Python versions to cover (default: 3.11, 3.12, 3.13)")
    b.set_defaults(func=cmd_bundle)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if sys.stdout.encoding and sys.stdout.encoding.lower() not in ("utf-8", "utf8"):
        sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]
    return args.func(args)


def cmd_tui(args: argparse.Namespace) -> int:
    import os

    from cptui.tui.app import make_app  # only here: the core never needs Textual

    if "web_driver" in os.environ.get("TEXTUAL_DRIVER", ""):
        from cptui.tui.serve import watch_parent

        watch_parent()

    folder = _folder(args)
    if folder == demo_cases():
        folder = writable_demo()  # edits go to a private copy, never into the installed package
    app = make_app(folder, today=args.today, case_id=args.case)
    app.run()
    return app.return_code or 0  # 1 after a crash: scripts and launchers can tell


def cmd_check(args: argparse.Namespace) -> int:
    from cptui.caseload import load_caseload
    from cptui.profiles import library_for

    folder, fmt = args.dir or _folder(args), args.format
    load = load_caseload(folder, args.today)
    problems = sorted(load.problems, key=lambda p: (p.path, p.line or 0, p.col or 0))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if fmt == "json":
        print(json.dumps([p.as_json() for p in problems], indent=2, ensure_ascii=False))
    else:
        for p in problems:
            print(p)
    files = len(load.cases) + len(load.broken)
    teams = len(library_for(folder).files)  # <cases>/profiles/*.toml, checked by load_settings
    team_note = f" and {teams} team profile{'' if teams == 1 else 's'}" if teams else ""
    print(f"{files} case files{team_note} checked ({len(load.broken)} broken): {errors} errors, "
          f"{warnings} warnings. {load.clock_note()}.", file=sys.stderr)
    return 1 if errors or (args.strict and warnings) else 0


def _report_broken(load: Caseload) -> None:
    for p in load.problems:
        if p.severity == "error":
            print(p, file=sys.stderr)


def cmd_deadlines(args: argparse.Namespace) -> int:
    from cptui.caseload import load_caseload

    fmt = args.format
    load = load_caseload(_folder(args), args.today, models=fmt != "json")
    _report_broken(load)
    if fmt == "json":
        # Files sort by name and a case's id is its file name, so per-case lines
        # joined in file order are the whole output in the order docs/format.md#json-output gives.
        parts = [p for p in load.json_lines if p]
        print("[\n  " + ",\n  ".join(parts) + "\n]" if parts else "[]")
    elif fmt in ("csv", "ics"):
        from cptui.export import to_csv, to_ics

        rows = sorted(
            load.deadlines(), key=lambda d: (d.case, d.due, d.rule, d.child or "", d.source)
        )
        sys.stdout.write(to_csv(rows) if fmt == "csv" else to_ics(rows, load.today))
    if fmt != "table":
        if load.pinned:
            print(load.clock_note(), file=sys.stderr)
    else:
        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
        print(render_table(load, args.all, width))
    return 1 if load.has_errors else 0


def _case_key(cv: CaseView) -> tuple:
    from cptui.rules import STATUS_ORDER

    open_ = cv.open_deadlines
    worst = min((STATUS_ORDER[d.status] for d in open_), default=9)
    first = min((d.due for d in open_), default=date.max)
    return (worst, first, cv.id)


def render_table(load: Caseload, show_all: bool = False, width: int | None = None) -> str:
    """The people's view: grouped by case, cases with overdue items first.

    ``width``: the terminal's, when it is one; a row that would not fit puts its
    "when" words on a line of their own under the deadline's name.
    """
    from cptui.dates import distance, fmt_date
    from cptui.rules import STATUS_ORDER, STATUS_TEXT

    out = [load.clock_note() + ".", ""]
    for b in load.broken:
        out.append(f"{b.stem}  BROKEN FILE — not read: {b.first_error}")
        out.append("")
    for cv in sorted(load.cases, key=_case_key):
        rows = cv.deadlines if show_all else cv.open_deadlines
        c = cv.summary  # the whole case is not needed (nor read again) for this view
        kids = ", ".join(c.child_names)
        parts = [f"{c.id}  {kids}", f"lead: {c.lead}", cv.profile.name]
        parts += [f"closed {fmt_date(c.closed)}"] if c.closed else []
        header = [parts[0]]
        for part in parts[1:]:  # on the case's line while it fits, else under it
            if width is not None and len(f"{header[-1]} · {part}") > width:
                header.append(" " * (len(c.id) + 2) + part)
            else:
                header[-1] += f" · {part}"
        out += header
        if not rows:
            out.append("    nothing open")
        for d in sorted(rows, key=lambda d: (STATUS_ORDER[d.status], d.due, d.rule)):
            head = f"    {STATUS_TEXT[d.status]:<11} {fmt_date(d.due):<16} "
            when = distance(load.calendar, d.due, load.today, d.done)
            line = f"{head}{d.label(c):<44} {when}"
            if width is not None and len(line) > width:
                out += [f"{head}{d.label(c)}".rstrip(), " " * len(head) + when]
            else:
                out.append(line)
        out.append("")
    counts = {s: sum(cv.count(s) for cv in load.cases) for s in ("overdue", "due_soon")}
    out.append(f"{len(load.cases)} cases, {len(load.broken)} broken files: "
               f"{counts['overdue']} overdue, {counts['due_soon']} due soon.")
    return "\n".join(out)


def cmd_git_setup(args: argparse.Namespace) -> int:
    from cptui.gitops import GitError, setup

    folder = args.dir or args.cases or user_cases()
    if folder is None:
        print("cptui: no cases folder here (no ./cases, and this folder holds no case files). "
              "Run it in your cases folder, or name it: cptui git-setup PATH", file=sys.stderr)
        return 1
    try:
        for line in setup(folder):
            print(line)
    except GitError as e:
        print(f"cptui: {e}", file=sys.stderr)
        return 1
    return 0


def cmd_merge_driver(args: argparse.Namespace) -> int:
    """Git's contract: leave the result in OURS; exit 0 if clean, 1 if conflicted."""
    from cptui.merge import run_driver

    name = args.path
    try:
        code, notes = run_driver(args.base, args.ours, args.theirs)
    except (OSError, UnicodeDecodeError) as e:
        print(
            f"cptui merge: {name}: cannot merge ({e}); the file is left as git gave it",
            file=sys.stderr,
        )
        return 1
    for line in notes:
        print(f"cptui merge: {name}: {line}", file=sys.stderr)
    return code


def cmd_render(args: argparse.Namespace) -> int:
    from cptui.caseload import load_caseload
    from cptui.documents import DocumentError, check_output_path, render, write_text

    load = load_caseload(_folder(args), args.today)
    cv = load.get(args.case_id)
    if cv is None:
        broken = next((b for b in load.broken if b.stem == args.case_id), None)
        why = f"the file is broken: {broken.first_error}" if broken else "no such case"
        print(f"cptui: cannot render {args.case_id}: {why}", file=sys.stderr)
        return 1
    try:
        text = render(
            args.template, cv, load, args.copy, args.format, args.meeting, args.conference
        )
    except DocumentError as e:
        print(f"cptui: {e}", file=sys.stderr)
        return 2
    if args.output:
        # Never into the shared cases folder, never through a symlink; a full disk is a message.
        try:
            write_text(check_output_path(args.output, load.folder), text)
        except DocumentError as e:
            print(f"cptui: {e}", file=sys.stderr)
            return 1
        print(f"Wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    """Each profile's timescales, saying where every value comes from; or `profiles new`."""
    from cptui.flags import GENERAL_FLAGS
    from cptui.profiles import ProfileError, TERMS, TIMESCALES, library_for
    from cptui.settings import load_settings

    if args.name == "new":
        return cmd_profiles_new(args.new_name, args.extends, args.cases or Path("cases"))
    name, folder = args.name, args.cases
    overrides: dict[str, str] = {}
    if folder is not None:
        settings, probs = load_settings(folder)  # checks the team's profile files too
        for p in probs:
            print(p, file=sys.stderr)
        overrides = settings.timescales
    lib = library_for(folder)
    try:
        names = [lib.get(name).name] if name else sorted(lib.profiles)
    except ProfileError as e:
        print(f"cptui: {e}", file=sys.stderr)
        return 2
    for n in names:
        prof = lib.get(n).with_overrides(overrides, "cptui.toml")
        head = f"{prof.name} — {prof.title}"
        if prof.extends:
            head += f" (extends {prof.extends})"
        print(head)
        print(f"  from: {'team file ' + prof.path if prof.path else 'shipped with cptui'}")
        if "core_group_notes" in prof.timescales:
            print(f"  core group notes: {_scope(prof.core_group_notes_scope)}")
        if "core_group_plan" in prof.timescales:
            print(f"  plan after a core group: {_scope(prof.core_group_plan_scope)}")
        print("  terms: " + "; ".join(f"{k.replace('_', ' ')} = {prof.term(k)!r}" for k in TERMS))
        for rule in TIMESCALES:
            s = prof.get(rule)
            if s is None:
                continue
            inherited = "" if s.origin == prof.name else f" [from {s.origin}]"
            if s.origin == prof.name and s.overrides:
                o_name, o_text = s.overrides
                inherited = (f" [same as {o_name}]" if o_text == s.text
                             else f" [overrides {o_name}: {o_text}]")
            if s.team:
                inherited += " (team file)"
            where = f" <{s.url}>" if s.url else ""
            print(f"  {rule:<30} {s.text:<17} {s.cite}{where}{inherited}")
        if prof.quoracy:
            q = prof.quoracy
            print(
                f"  quorate: {q['lead_agency']} and at least {q['other_agencies']} other agencies "
                f"— {q['cite']}"
            )
        print(f"  flags: every profile's ({', '.join(GENERAL_FLAGS)})"
              + (", and:" if prof.flags else ""))
        for flag, f in prof.flags.items():
            inherited = "" if f.origin == prof.name else f" [from {f.origin}]"
            print(f"  {flag:<30} {f.value:<17} {f.cite}{inherited}")
        print()
    return 0


def _scope(scope: str) -> str:
    return "first meeting only" if scope == "first" else "every meeting"


def cmd_profiles_new(name: str | None, base: str, folder: Path) -> int:
    from cptui.profiles import ProfileError

    from cptui.profile_starter import write_starter

    if not name:
        print(
            "cptui: usage: cptui profiles new NAME [--extends BASE] [--cases DIR]", file=sys.stderr
        )
        return 2
    try:
        path = write_starter(folder, name, base)
    except ProfileError as e:
        print(f"cptui: {e}", file=sys.stderr)
        return 1
    print(f"Wrote {path}: every timescale of {base}, commented out. Uncomment what your "
          f"procedure changes, cite it, then run: cptui check {folder}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from cptui.tui.serve import serve

    return serve(_folder(args), args.today, "127.0.0.1", args.port, max(1, args.max_sessions))


def cmd_cache(args: argparse.Namespace) -> int:
    from cptui.cache import cache_dir, clear, usable_folder

    if args.action == "path":
        print(cache_dir())
        if not usable_folder(cache_dir()):
            print("cptui: not used: this folder is not yours alone (owner or permissions); "
                  "cptui loads without a cache", file=sys.stderr)
        return 0
    folder, n = clear()
    print(f"Removed {n} cache file{'s' if n != 1 else ''} from {folder}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from cptui.caseload import load_caseload
    from cptui.dates import fmt_date

    from cptui.stats import render_text, timeliness

    load = load_caseload(_folder(args), args.today)
    _report_broken(load)
    rows, total = timeliness(load, args.by, args.start, args.end)
    span = f" from {fmt_date(args.start)}" if args.start else ""
    span += f" to {fmt_date(args.end)}" if args.end else ""
    print(f"Timeliness{span}: deadlines that fell due. {load.clock_note()}.\n")
    print(render_text(rows, total, args.by))
    return 1 if load.has_errors else 0


def cmd_demo(args: argparse.Namespace) -> int:
    from cptui.dates import fmt_date

    from cptui.demo import generate

    if any(args.dir.glob("*.toml")):
        print(
            f"cptui: {args.dir} already holds TOML files; choose an empty folder", file=sys.stderr
        )
        return 1
    today = args.today or date.today()
    paths = generate(args.dir, args.count, today, args.seed)
    print(f"Wrote {len(paths)} synthetic cases to {args.dir} (clock pinned to "
          f"{fmt_date(today)}). Open them with: cptui --cases {args.dir}")
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    from cptui.bundle import main as bundle_main

    return bundle_main(args.dir, args.platforms, args.pythons)
