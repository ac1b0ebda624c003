"""Mutation testing on demand (never in CI: far too slow on 2 cores). See docs/mutants.md.

    .venv/bin/python benchmarks/mutation.py [MODULE ...] [--max-children 2]
    .venv/bin/python benchmarks/mutation.py cptui/rules.py cptui/flags.py
    .venv/bin/python benchmarks/mutation.py cptui/rules.py --rerun-survivors
    .venv/bin/python benchmarks/mutation.py --report

Why a script and not bare ``mutmut run``: mutmut 3 takes the files to mutate only
from ``[tool.mutmut] only_mutate`` in pyproject.toml, and the whole core takes hours
here. So the script copies the working tree into a work folder (default
``out/mutation/``, git-ignored), narrows ``only_mutate`` there to the modules asked
for, runs mutmut in that copy, and prints the score per module. The repository's
own pyproject.toml is never edited.

Score = killed / (killed + survived). Mutants with no covering test, timeouts and
anything mutmut calls suspicious are shown in their own columns, not counted as kills.

``--rerun-survivors`` re-tests only the mutants that were not killed last time,
against the current tests: valid when only tests changed since the full run (a test
added cannot un-kill a mutant). After any change to cptui/ start again with ``--fresh``.

``--apply-survivors`` is the second opinion mutmut needs here: mutmut switches a
mutant on when its function is *called*, so a function that runs once at import
(cptui/rules.py builds its RULES table with small factories such as
``_per_child_visits``) keeps its original code in every mutmut run, and all its
mutants "survive" whatever the tests say. This option writes each survivor into a
scratch copy of the source for real (``mutmut apply``), runs the fast tests
(FAST_TESTS below, plus tests/test_mutants_*.py) against it, and records the verdict
in ``applied.json``; the report counts a survivor the real tests fail on as
"killed (applied)". A verdict is forgotten when the module or those tests change.
"""

from __future__ import annotations

import argparse
import filecmp
import fnmatch
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# mutmut 3's exit-code meanings (mutmut/stats.py), folded into the columns we print.
KILLED = {1, 3, 37}
SURVIVED = {0}
NO_TESTS = {5, 33}
TIMEOUT = {24, -24, 152, 255, 36}
NOT_CHECKED = {None}
# Slow test files about saving, git, printing (Chromium) and scale: --skip-slow leaves them
# out, which is fine for rules/flags/export but not for storage, merge or cache.
SLOW_TESTS = ["tests/test_print.py", "tests/test_reliability.py", "tests/test_scale.py",
              "tests/test_concurrent_saves.py", "tests/test_git.py", "tests/test_merge_driver.py",
              "tests/test_record_edits_property.py"]
# Tests run against each applied survivor: quick (seconds), and between them they
# exercise every deadline rule and practice flag. test_mutants_*.py are added.
FAST_TESTS = ["tests/test_rules.py", "tests/test_spec11.py", "tests/test_flags.py",
              "tests/test_golden.py", "tests/test_docs_format.py", "tests/test_export.py",
              "tests/test_viewmodel.py"]


def configured_core() -> list[str]:
    """The modules pyproject.toml names as the core to mutate."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(data["tool"]["mutmut"]["only_mutate"])


def sync_tree(work: Path) -> None:
    """Copy tracked and new (not ignored) files into the work folder, changed ones only.

    Copying only what changed keeps mtimes stable, so mutmut does not regenerate the
    mutants of an untouched module and its earlier results stand.
    """
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout.splitlines()
    for rel in listed:
        src, dst = ROOT / rel, work / rel
        if not src.is_file():
            continue
        if dst.exists() and filecmp.cmp(src, dst, shallow=False):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)


def narrow_config(work: Path, modules: list[str], skip_tests: list[str] = ()) -> None:
    """Set only_mutate in the work copy's pyproject.toml to the modules asked for,
    and leave out the test files named in ``skip_tests``."""
    path = work / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    wanted = "only_mutate = [" + ", ".join(json.dumps(m) for m in modules) + "]"
    new, n = re.subn(r"only_mutate\s*=\s*\[.*?\]", wanted, text, count=1, flags=re.S)
    if n != 1:
        sys.exit("pyproject.toml has no [tool.mutmut] only_mutate to narrow")
    if skip_tests:
        # A file is left out whole; FILE::TEST leaves out that one test.
        extra = "".join(f'"--deselect={t}", ' if "::" in t else f'"--ignore={t}", '
                        for t in skip_tests)
        new, n = re.subn(r"(pytest_add_cli_args_test_selection\s*=\s*\[)", r"\g<1>" + extra, new, count=1)
        if n != 1:
            sys.exit("pyproject.toml has no pytest_add_cli_args_test_selection to extend")
    path.write_text(new, encoding="utf-8")


def results(work: Path, module: str) -> dict[str, int | None]:
    """Mutant name -> last exit code, from mutmut's per-file .meta record."""
    meta = work / "mutants" / (module + ".meta")
    if not meta.exists():
        return {}
    return json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]


def fast_tests() -> list[str]:
    return FAST_TESTS + sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("tests/test_mutants_*.py"))


def fingerprint(work: Path, module: str, tests: list[str]) -> str:
    """What an applied verdict depends on: the module's source and the tests run."""
    h = hashlib.sha256()
    for rel in [module, *tests]:
        h.update(rel.encode() + b"\0" + (work / rel).read_bytes())
    return h.hexdigest()


def load_applied(work: Path) -> dict[str, dict[str, str]]:
    path = work / "applied.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def applied_verdicts(work: Path, module: str) -> dict[str, str]:
    """Mutant name -> verdict of the apply check, only if still current."""
    tests = fast_tests()
    if not all((work / t).exists() for t in [module, *tests]):
        return {}
    fp = fingerprint(work, module, tests)
    return {n: v["verdict"] for n, v in load_applied(work).items()
            if v["module"] == module and v["fingerprint"] == fp}


def apply_survivors(work: Path, modules: list[str], match: str = "*") -> None:
    """Write each survivor into a scratch copy for real and run the fast tests on it."""
    scratch = work / "apply"
    scratch.mkdir(exist_ok=True)
    sync_tree(scratch)
    narrow_config(scratch, modules)
    link = scratch / "mutants"
    if not link.exists():
        link.symlink_to(work / "mutants", target_is_directory=True)
    tests = fast_tests()
    pytest = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *tests]
    clean = subprocess.run(pytest, cwd=scratch, capture_output=True, text=True)
    if clean.returncode != 0:  # a kill must mean the mutant, never a broken scratch copy
        print(clean.stdout[-2000:])
        sys.exit("the fast tests fail on the unmutated scratch copy: no verdicts recorded")
    applied = load_applied(work)
    for module in modules:
        fp = fingerprint(work, module, tests)
        done = applied_verdicts(work, module)
        names = sorted(n for n, c in results(work, module).items()
                       if column(c) == "survived" and fnmatch.fnmatchcase(n, match))
        pristine = (scratch / module).read_bytes()
        for i, name in enumerate(names, 1):
            if name in done:
                continue
            try:
                a = subprocess.run([sys.executable, "-m", "mutmut", "apply", name], cwd=scratch,
                                   capture_output=True, text=True)
                if a.returncode != 0:
                    print(f"  could not apply {name}: {a.stderr.strip()[-200:]}", flush=True)
                    continue  # nothing recorded: tried again next time
                if (scratch / module).read_bytes() == pristine:
                    verdict = "not applied"
                else:
                    r = subprocess.run(pytest, cwd=scratch, capture_output=True, text=True)
                    verdict = {0: "survived", 1: "killed"}.get(r.returncode, f"error {r.returncode}")
            finally:
                (scratch / module).write_bytes(pristine)
            print(f"  [{i}/{len(names)}] {verdict}: {name}", flush=True)
            applied[name] = {"module": module, "fingerprint": fp, "verdict": verdict}
            (work / "applied.json").write_text(json.dumps(applied, indent=1), encoding="utf-8")


def column(code: int | None) -> str:
    for name, codes in (("killed", KILLED), ("survived", SURVIVED), ("no tests", NO_TESTS),
                        ("timeout", TIMEOUT), ("not checked", NOT_CHECKED)):
        if code in codes:
            return name
    return "suspicious"


COLS = ("killed", "killed (applied)", "survived", "no tests", "timeout", "suspicious", "not checked")


def row(label: str, counts: Counter[str]) -> str:
    return (f"{label:<18}" + "".join(f"{counts[c]:>{max(9, len(c) + 1)}}" for c in COLS)
            + f"{score(counts):>8}")


def report(work: Path, modules: list[str], list_survivors: bool) -> None:
    print(f"{'module':<18}" + "".join(f"{c:>{max(9, len(c) + 1)}}" for c in COLS) + f"{'score':>8}")
    total: Counter[str] = Counter()
    for m in modules:
        res = results(work, m)
        applied = applied_verdicts(work, m)
        counts: Counter[str] = Counter()
        for name, code in sorted(res.items()):
            col = column(code)
            if col == "survived" and applied.get(name) == "killed":
                col = "killed (applied)"
            counts[col] += 1
            if list_survivors and col not in ("killed", "killed (applied)"):
                print(f"    {col}: {name}")
        total += counts
        print(row(m, counts))
    print(row("total", total))
    print("score = (killed + killed (applied)) / (those + survived); no tests, timeouts and the rest\n"
          "are shown but counted neither way. 'killed (applied)': see --apply-survivors.")


def score(counts: Counter[str]) -> str:
    killed = counts["killed"] + counts["killed (applied)"]
    denom = killed + counts["survived"]
    return f"{100 * killed / denom:.1f}%" if denom else "-"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("modules", nargs="*", help="files to mutate (default: the configured core)")
    ap.add_argument("--max-children", type=int, default=2, help="parallel mutmut workers (default 2)")
    ap.add_argument("--workdir", type=Path, default=ROOT / "out" / "mutation")
    ap.add_argument("--fresh", action="store_true", help="forget earlier results first")
    ap.add_argument("--rerun-survivors", action="store_true",
                    help="re-test only mutants not killed last time (only tests changed since)")
    ap.add_argument("--apply-survivors", action="store_true",
                    help="after the run, apply each survivor for real and run the fast tests")
    ap.add_argument("--apply-match", default="*", metavar="GLOB",
                    help="only apply survivors whose name matches, e.g. 'cptui.rules.x__per_*'")
    ap.add_argument("--skip-run", action="store_true", help="do not run mutmut (e.g. only --apply-survivors)")
    ap.add_argument("--skip-tests", nargs="*", default=[], metavar="FILE",
                    help="test files (or FILE::TEST) to leave out of this run (fewer tests can only lower the score)")
    ap.add_argument("--skip-slow", action="store_true", help="--skip-tests the SLOW_TESTS listed in this script")
    ap.add_argument("--report", action="store_true", help="print the last scores, run nothing")
    ap.add_argument("--list", action="store_true", help="list every mutant not killed")
    args = ap.parse_args(argv)
    modules = args.modules or configured_core()
    if args.skip_slow:
        args.skip_tests = [*SLOW_TESTS, *[t for t in args.skip_tests if t not in SLOW_TESTS]]
    work: Path = args.workdir.resolve()

    if not args.report:
        if args.fresh and (work / "mutants").exists():
            shutil.rmtree(work / "mutants")
        work.mkdir(parents=True, exist_ok=True)
        sync_tree(work)
        narrow_config(work, modules, args.skip_tests)
        names: list[str] = []
        if args.rerun_survivors:
            names = sorted(n for m in modules for n, c in results(work, m).items()
                           if column(c) != "killed")
            if not names:
                print("nothing to re-run: every mutant of these modules was killed")
        if not args.skip_run and (names or not args.rerun_survivors):
            cmd = [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children), *names]
            subprocess.run(cmd, cwd=work, check=False)
        if args.apply_survivors:
            apply_survivors(work, modules, args.apply_match)
    print()
    report(work, modules, args.list)
    print(f"\nsurvivors: cd {work} && {sys.executable} -m mutmut results / show NAME")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
