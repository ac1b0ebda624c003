"""No record is ever lost: crashes, full disks, bad input, edits from elsewhere.

The figures asserted here are the ones the README reports; each test also
adds its line to the summary printed at the end of the run.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import DEMO, FIGURES
from cptui.caseload import load_caseload
from cptui.loader import build_case
from cptui.storage import CaseFile, ExternalChange, SaveError

FILE = "CP-2026-0001.toml"


# --- kill -9 during saves ---------------------------------------------------------------------

KILL_TRIALS = r"""
import json, os, random, shutil, signal, sys, time, tomllib
from pathlib import Path
from cptui.loader import build_case
from cptui.fsio import clean_stale_temps
from cptui.storage import CaseFile

path, demo = Path(sys.argv[1]), Path(sys.argv[2])
folder, name = path.parent, path.name
shutil.copy(demo, path)
original = path.read_bytes()
rng = random.Random(20261123)
t0 = time.perf_counter()
for _ in range(5):  # how long one save takes here, so kills land inside saves
    cf = CaseFile(path)
    cf.update("visit", "v1", {"notes": "timing"})
    cf.save()
one_save = (time.perf_counter() - t0) / 5
shutil.copy(demo, path)
trials, torn, stray, saved, mid_save = 1000, 0, 0, 0, 0
previous = original
for trial in range(trials):
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: say "started", then save over and over until killed
        try:
            os.close(ready_r)
            os.write(ready_w, b"!")
            n = 0
            while True:
                n += 1
                cf = CaseFile(path)
                cf.update("visit", "v1", {"notes": f"trial {trial} save {n} " + "x" * (n % 97)})
                cf.save()
        finally:
            os._exit(0)
    os.close(ready_w)
    os.read(ready_r, 1)
    os.close(ready_r)
    time.sleep(rng.uniform(0, 4 * one_save))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    data = path.read_bytes()
    try:
        text = data.decode()
        _, probs = build_case(path, tomllib.loads(text), text, name)
        notes = next(v for v in tomllib.loads(text)["visits"] if v["id"] == "v1").get("notes", "")
        ok = not [p for p in probs if p.severity == "error"] and (data == original or notes.startswith("trial"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, StopIteration):
        ok = False
    torn += not ok
    saved += data != previous
    previous = data
    mid_save += bool(list(folder.glob(".*.tmp")))  # killed between temp file and rename
    clean_stale_temps(folder)  # what loading the folder does
    stray += len(list(folder.glob(".*.tmp")))
print(json.dumps({"trials": trials, "torn": torn, "stray": stray, "saved": saved, "mid_save": mid_save}))
"""


def test_kill_9_during_saves_never_tears_a_file(tmp_path: Path, demo: Path) -> None:
    """Runs in a fresh interpreter: forking this test process, which other
    tests have left with threads, could hang a child on a lock it copied."""
    r = subprocess.run([sys.executable, "-c", KILL_TRIALS, str(tmp_path / FILE), str(demo / FILE)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    f = json.loads(r.stdout.strip().splitlines()[-1])
    FIGURES.append(f"kill -9 during saves: {f['trials']} trials, {f['torn']} torn files, {f['stray']} stray "
                   f"temp files after recovery ({f['mid_save']} kills landed mid-write, leaving a temp file; "
                   f"{f['saved']} after a completed save)")
    assert (f["trials"], f["torn"], f["stray"]) == (1000, 0, 0) and f["saved"] > 200 and f["mid_save"] > 20


# --- injected I/O errors at each step -------------------------------------------------------------

STEPS = ["create", "write", "fsync", "chmod", "replace"]
ERRORS = {errno.ENOSPC: "the disk is full", errno.EIO: "the disk reported a read/write error",
          errno.EACCES: "permission denied"}


class FailingFile:
    def __init__(self, f, err: int) -> None:
        self.f, self.err = f, err

    def write(self, data: bytes) -> int:
        raise OSError(self.err, os.strerror(self.err))

    def __getattr__(self, name: str):
        return getattr(self.f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.f.close()


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("err", sorted(ERRORS))
def test_injected_io_errors_leave_original_intact(tmp_path: Path, monkeypatch, step: str, err: int, today: date, demo: Path) -> None:
    import cptui.fsio as fsio

    path = tmp_path / FILE
    shutil.copy(demo / FILE, path)
    before = path.read_bytes()
    cf = CaseFile(path)
    cf.add("visit", {"date": today, "by": "m1", "seen": ["c1"]})

    def boom(*a, **k):
        raise OSError(err, os.strerror(err))

    if step == "create":
        real_open = os.open

        def open_but_not_temps(p, *a, **k):
            return boom() if str(p).endswith(".tmp") else real_open(p, *a, **k)

        monkeypatch.setattr(fsio.os, "open", open_but_not_temps)
    elif step == "write":
        real = os.fdopen
        monkeypatch.setattr(fsio.os, "fdopen", lambda fd, mode: FailingFile(real(fd, mode), err))
    elif step == "fsync":
        monkeypatch.setattr(fsio.os, "fsync", boom)
    elif step == "chmod":
        monkeypatch.setattr(fsio.os, "chmod", boom)
    else:
        monkeypatch.setattr(fsio, "REPLACE_PAUSE", 0.0)
        monkeypatch.setattr(fsio.os, "replace", boom)
    with pytest.raises(SaveError) as e:
        cf.save()
    assert ERRORS[err] in str(e.value) and "The file on disk is unchanged." in str(e.value)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp"))
    if (step, err) == (STEPS[-1], sorted(ERRORS)[-1]):
        FIGURES.append(f"injected ENOSPC/EIO/EACCES at each of {len(STEPS)} save steps: "
                       f"{len(STEPS) * len(ERRORS)} cases, original byte-identical in all, no temp files left")


# --- round trips ------------------------------------------------------------------------------

BASE = ('schema = 1\nid = "CP-RT-1"\nlead_social_worker = "m1"\n\n[[children]]\nid = "c1"\n'
        'name = "Ri Example"\ndate_of_birth = 2020-01-01\nplan_start = 2026-01-05\n\n'
        '[[members]]\nid = "m1"\nname = "Lu Example"\n')
words = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x7f"),
                max_size=30)
days = st.dates(min_value=date(2001, 1, 1), max_value=date(2044, 12, 31))
visit = st.fixed_dictionaries({"date": days, "by": st.just("m1"), "statutory": st.booleans(),
                               "seen": st.sampled_from([[], ["c1"]]), "notes": words})
event = st.fixed_dictionaries({"date": days, "kind": st.sampled_from(["note", "incident", "missing"]),
                               "summary": words, "significant": st.booleans(), "confidential": st.booleans()})
member = st.fixed_dictionaries({"name": words.filter(str.strip), "role": words, "agency": words,
                                "kind": st.sampled_from(["professional", "family", "child"]),
                                "core_group": st.booleans()})
RT_COUNT = [0]


@settings(max_examples=10_000, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(records=st.lists(st.one_of(visit.map(lambda v: ("visit", v)), event.map(lambda e: ("event", e)),
                                  member.map(lambda m: ("member", m))), min_size=1, max_size=3))
def round_trip_model_to_toml_to_model(records) -> None:
    cf = CaseFile(Path("CP-RT-1.toml"), raw=BASE.encode())
    ids = [(kind, cf.add(kind, rec), rec) for kind, rec in records]
    text = cf.text()
    case, probs = build_case(Path("CP-RT-1.toml"), tomllib.loads(text), text, "CP-RT-1.toml")
    assert not [p for p in probs if p.severity == "error"], probs
    arrays = {"visit": case.visits, "event": case.events, "member": case.members}
    for kind, rid, rec in ids:
        got = next(x for x in arrays[kind] if x.id == rid)
        for k, v in rec.items():
            assert getattr(got, k) == v, (kind, k)
    assert CaseFile(Path("CP-RT-1.toml"), raw=text.encode()).text() == text  # no-op is identical
    RT_COUNT[0] += 1


def test_round_trip_model_to_toml_to_model() -> None:
    """Runs the property itself, then checks it really ran its 10,000 examples."""
    RT_COUNT[0] = 0
    round_trip_model_to_toml_to_model()
    FIGURES.append(f"Hypothesis round trip model -> TOML -> model: {RT_COUNT[0]} examples, 0 failures")
    assert RT_COUNT[0] >= 10_000


def test_save_fsyncs_the_data_before_the_rename_and_the_folder_after(tmp_path: Path, monkeypatch, today: date, demo: Path) -> None:
    """Without the first fsync a power cut can leave an empty file under the case's name."""
    import cptui.fsio as fsio

    path = tmp_path / FILE
    shutil.copy(demo / FILE, path)
    events: list[tuple[str, int]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.fstat(fd).st_ino))
        real_fsync(fd)

    def replace(src, dst) -> None:
        events.append(("replace", os.stat(src).st_ino))
        real_replace(src, dst)

    monkeypatch.setattr(fsio.os, "fsync", fsync)
    monkeypatch.setattr(fsio.os, "replace", replace)
    cf = CaseFile(path)
    cf.add("visit", {"date": today, "by": "m1", "seen": ["c1"]})
    cf.save()
    new_file, folder = path.stat().st_ino, tmp_path.stat().st_ino
    at = events.index(("replace", new_file))
    assert ("fsync", new_file) in events[:at], "the data must reach the disk before the rename"
    assert ("fsync", folder) in events[at:], "the rename must be made durable"


# --- a corpus of bad inputs ------------------------------------------------------------------

GOOD = (DEMO / "CP-2026-0003.toml").read_text()


def corpus(folder: Path, outside: Path) -> dict[str, str]:
    """Write the bad inputs; returns stem -> a words every report about it must contain.

    Each file's id matches its name (unless the id is the point), so the
    problem reported is the one the input is about, not a side effect.
    """
    items: dict[str, tuple[bytes | None, str]] = {}

    def add(stem: str, text: str | bytes | None, expect: str, same_id: bool = True) -> None:
        if isinstance(text, str):
            if same_id:
                text = text.replace('id = "CP-2026-0003"', f'id = "{stem}"')
            text = text.encode()
        items[stem] = (text, expect)

    g = GOOD
    add("bom", b"\xef\xbb\xbf" + g.replace('id = "CP-2026-0003"', 'id = "bom"').encode(), "byte order mark")
    add("crlf-bad-date", g.replace("2018-09-30", "2018-09-31").replace("\n", "\r\n"), "10:17: error: invalid TOML: not a real date")
    add("invalid-utf8", g.replace('id = "CP-2026-0003"', 'id = "invalid-utf8"').encode().replace(b"Noah", b"No\xffah"), "not valid UTF-8")
    add("nul", g.replace("Noah", "No\x00ah"), "Illegal character")
    add("conflict", g + "<<<<<<< HEAD\nclosed = 2026-11-01\n=======\nclosed = 2026-11-02\n>>>>>>> x\n", "unresolved git conflict")
    add("conflict-out-of-order", g + "<<<<<<< HEAD\n>>>>>>> x\n=======\n", "markers are incomplete")
    add("deep", g + "x = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply")
    add("huge", g + "# " + "x" * (6 * 1024 * 1024) + "\n", "never this large")
    add("dup-key", g.replace('name = "Noah Placeholder"', 'name = "Noah Placeholder"\nname = "Noah"'), "Cannot overwrite a value")
    add("dup-id", g + '\n[[members]]\nid = "m1"\nname = "Again"\n', "duplicate id 'm1'")
    add("wrong-type", g.replace('name = "Noah Placeholder"', "name = 7"), "`name` must be text")
    add("impossible-date", g.replace("2018-09-30", "2018-02-30"), "not a real date")
    add("date-as-text", g.replace("plan_start = 2026-11-04", 'plan_start = "2026-11-04"'), "write it without quotes")
    add("future-schema", g.replace("schema = 1", "schema = 9"), "schema 9 is newer")
    add("no-schema", g.replace("schema = 1\n", ""), "missing `schema`")
    add("no-id", g.replace('id = "CP-2026-0003"\n', ""), "missing `id`", same_id=False)
    add("bad-id-chars", g.replace('id = "CP-2026-0003"', 'id = "CP 2026/3"'), "may use only letters", same_id=False)
    add("id-not-stem", g, "does not match the file name", same_id=False)
    add("unknown-member", g.replace('lead_social_worker = "m1"', 'lead_social_worker = "m9"'), "unknown member 'm9'")
    add("unknown-child", g.replace('children = ["c1"]', 'children = ["c5"]'), "unknown child 'c5'")
    add("unknown-outcome", g + '\n[[plan.actions]]\nid = "a1"\noutcome = "o9"\n', "unknown outcome 'o9'")
    add("bad-enum", g.replace('category = "physical"', 'category = "bad luck"'), "expected one of: physical")
    add("mixed-list", g.replace('children = ["c1"]', 'children = ["c1", 2]'), "must be a list of ids")
    add("plan-not-table", g.replace("[plan]\n", "").replace('procedure = "west-midlands"', 'procedure = "west-midlands"\nplan = 3'), "`plan` must be a table")
    add("children-not-tables", g.replace('procedure = "west-midlands"', 'procedure = "west-midlands"\nvisits = "yes"'), "must be an array of tables")
    add("unknown-procedure", g.replace('procedure = "west-midlands"', 'procedure = "nowhere"'), "unknown procedure profile 'nowhere'")
    add("empty", b"", "file is empty")
    add("whitespace", b"  \n\t\n", "file is empty")
    add("binary", bytes(random.Random(1).randrange(256) for _ in range(4096)), "error:")
    add("hostile name; rm -rf ~", g, "may use only letters", same_id=True)
    add("new\nline", g, "does not match the file name", same_id=False)
    add("read-only", g, "read-only")
    add("symlink-out", None, "outside the cases folder")
    add("a-directory", None, "cannot be read")
    for stem, (data, _) in items.items():
        path = folder / f"{stem}.toml"
        if stem == "symlink-out":
            (outside / "secret.toml").write_text(g)
            path.symlink_to(outside / "secret.toml")
        elif stem == "a-directory":
            path.mkdir()
        else:
            path.write_bytes(data)  # type: ignore[arg-type]
            if stem == "read-only":
                path.chmod(0o444)
    return {stem: expect for stem, (_, expect) in items.items()}


def test_corpus_of_bad_inputs(tmp_path: Path, today: date) -> None:
    folder, outside = tmp_path / "cases", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    expected = corpus(folder, outside)
    before = {p.name: (p.read_bytes() if p.is_file() else None) for p in folder.iterdir()}
    r = subprocess.run([sys.executable, "-m", "cptui", "check", "."], cwd=folder, capture_output=True,
                       text=True, timeout=120)
    assert "Traceback" not in r.stdout + r.stderr and r.returncode == 1
    lines = r.stdout.splitlines()
    missing = []
    for stem, expect in expected.items():
        mine = [l for l in lines if l.startswith(stem.replace("\n", "\\n") + ".toml:")]
        if not any(expect in l for l in mine):
            missing.append((stem, expect, mine))
    assert missing == []
    load = load_caseload(folder, today)  # in-process too: nothing raises
    assert len(load.cases) + len(load.broken) == len(expected)
    after = {p.name: (p.read_bytes() if p.is_file() else None) for p in folder.iterdir()}
    assert after == before  # never changed
    FIGURES.append(f"bad-input corpus: {len(expected)} files, each reported with its own clear problem, "
                   f"0 tracebacks, 0 files changed")


# --- external edits -----------------------------------------------------------------------------

def test_same_size_edits_within_one_timestamp_tick_are_detected(tmp_path: Path, demo: Path) -> None:
    path = tmp_path / FILE
    shutil.copy(demo / FILE, path)
    st0 = path.stat()
    detected = 0
    for i in range(1000):
        loaded = path.read_bytes()
        digest = hashlib.sha256(loaded).hexdigest()
        changed = loaded.replace(b"Sam Patel", f"Sam P{i % 10:01d}tel".encode(), 1) if i % 2 else \
            loaded.replace(b"Sam Patel", b"Sam Petal", 1)
        if changed == loaded:
            changed = loaded.replace(b"Ava Example", b"Eva Example", 1)
        assert len(changed) == len(loaded)
        path.write_bytes(changed)
        os.utime(path, ns=(st0.st_atime_ns, st0.st_mtime_ns))  # same size, same timestamp
        try:
            CaseFile(path, digest)
        except ExternalChange:
            detected += 1
        path.write_bytes(loaded)
        os.utime(path, ns=(st0.st_atime_ns, st0.st_mtime_ns))
    FIGURES.append(f"external edits: 1000 same-size writes within one timestamp tick, {detected} detected")
    assert detected == 1000


# --- no network ----------------------------------------------------------------------------------

PROBE = r"""
import socket, sys
events = []
def hook(event, args):
    if event == "socket.__new__" and args[1] in (socket.AF_INET, socket.AF_INET6):
        events.append((event, args[1]))
    elif event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.bind"):
        if not (event == "socket.connect" and isinstance(args[1], (str, bytes))):
            events.append((event, str(args[1:])))
sys.addaudithook(hook)

import asyncio, io, contextlib, datetime, pathlib
from cptui.cli import main
from cptui.tui.app import make_app
folder = pathlib.Path(sys.argv[1])
with contextlib.redirect_stdout(io.StringIO()):
    for argv in (["check", str(folder)], ["deadlines", "--cases", str(folder), "--format", "json"],
                 ["render", "plan", "CP-2026-0001", "--cases", str(folder), "--format", "html"]):
        main(argv)

async def drive():
    app = make_app(folder, today=datetime.date(2026, 11, 23))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter", "t", "p", "g", "escape")
        await pilot.pause()
asyncio.run(drive())
print("EVENTS", events)
"""


def test_app_opens_no_network_socket(tmp_path: Path, demo: Path) -> None:
    folder = tmp_path / "cases"
    shutil.copytree(demo, folder)
    r = subprocess.run([sys.executable, "-c", PROBE, str(folder)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    line = next(l for l in r.stdout.splitlines() if l.startswith("EVENTS"))
    assert line == "EVENTS []"
    FIGURES.append("network: CLI commands and the TUI opened 0 internet sockets (audit hook)")
