"""Benchmarks, run on demand (never in the test suite): prints ratios from one run.

    .venv/bin/python benchmarks/run.py [--count 10000] [--tui-count 1000] [--no-tui]

Issue #15's targets. The machine may be shared: each ratio's two sides are
measured back to back in one run, and the floor is the best of two.

1. `cptui deadlines --format json` over N generated cases, cold (every file
   changed since the last run) vs the floor: reading the same files and
   parsing them with stdlib tomllib, in the same Python. Target <= 0.6x.
   Also shown: the same cold load in one process (no pool), for comparison.
2. The same, warm (nothing changed). Target <= 0.06x of the floor.
3. `import cptui.cli` + `cptui --version`, above `python -c pass` (medians of
   15 fresh interpreters). Target <= 80 ms.
4. The TUI with 1,000 cases: time until the caseload and its deadline panel
   are complete, vs a bare Textual app's first paint. Target <= 2x.
5. One save with N cases loaded: files written, and time. Target: 1 file, < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from datetime import date
from pathlib import Path

TODAY = date(2026, 11, 23)


def floor(files: list[Path]) -> float:
    c = cpu_seconds()
    t = time.perf_counter()
    for f in files:
        tomllib.loads(f.read_bytes().decode("utf-8"))
    wall = time.perf_counter() - t
    CPU["floor"] = min(CPU.get("floor", wall), cpu_seconds() - c)
    return wall


CPU: dict[str, float] = {}  # CPU seconds (this process + its workers) per timed run


def cpu_seconds() -> float:
    import resource

    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def deadlines_run(folder: Path, serial: bool = False, label: str = "") -> float:
    from cptui import pool
    from cptui.cli import main

    real = pool.cpu_count
    if serial:
        pool.cpu_count = lambda: 1  # type: ignore[assignment]
    c = cpu_seconds()
    t = time.perf_counter()
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["deadlines", "--cases", str(folder), "--format", "json"])
    wall = time.perf_counter() - t
    pool.cpu_count = real  # type: ignore[assignment]
    CPU[label] = cpu_seconds() - c
    OUTPUT[label] = out.getvalue()
    return wall


OUTPUT: dict[str, str] = {}  # each run's JSON, compared byte for byte


def start_above_bare(n: int = 15) -> tuple[float, float]:
    """Median wall time of `python -c pass` and of `cptui --version` (import + run)."""
    def median(cmd: list[str]) -> float:
        times = []
        for _ in range(n):
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
            times.append(time.perf_counter() - t)
        return sorted(times)[n // 2]

    bare = median([sys.executable, "-c", "pass"])
    cli = median([sys.executable, "-c", "import sys, cptui.cli; sys.argv[1:] = ['--version']; "
                  "cptui.cli.main()"])
    return bare, cli


def touch_all(files: list[Path], nonce: str) -> None:
    for f in files:
        text = f.read_text(encoding="utf-8")
        text = text.split("\n# bench ")[0].rstrip("\n") + f"\n# bench {nonce}\n"
        f.write_text(text, encoding="utf-8")


async def tui_time(folder: Path) -> tuple[float, float]:
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("hello")

    t = time.perf_counter()
    async with Bare().run_test(size=(160, 48)) as pilot:
        await pilot.pause()
    bare = time.perf_counter() - t

    from cptui.tui.app import make_app

    t = time.perf_counter()
    app = make_app(folder, today=TODAY)
    async with app.run_test(size=(160, 48)) as pilot:
        while app.caseload is None or app.workers._workers:
            await asyncio.sleep(0.01)
        await pilot.pause()
        panel = app.screen.query_one("#deadlines")
        assert panel.row_count > 0
    full = time.perf_counter() - t
    return bare, full


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--tui-count", type=int, default=1_000)
    ap.add_argument("--no-tui", action="store_true", help="skip the TUI benchmark")
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "cptui-bench")
    args = ap.parse_args()
    os.environ.setdefault("CPTUI_CACHE_DIR", str(args.dir / "cache"))

    from cptui.caseload import case_files, load_caseload
    from cptui.demo import generate
    from cptui.storage import CaseFile

    big = args.dir / f"cases-{args.count}"
    if len(list(big.glob("CP-*.toml"))) != args.count:
        print(f"generating {args.count} cases in {big} ...")
        generate(big, args.count, TODAY, seed=1)
    files = case_files(big)
    size = sum(f.stat().st_size for f in files) / len(files)
    print(f"{len(files)} cases, mean {size / 1024:.1f} KB")

    touch_all(files, str(time.time()) + "s")
    fl = floor(files)
    serial = deadlines_run(big, serial=True, label="serial")
    touch_all(files, str(time.time()))
    cold = deadlines_run(big, label="cold")
    warm = deadlines_run(big, label="warm")
    fl2 = floor(files)
    base = min(fl, fl2)
    print(f"floor (read + stdlib tomllib parse): {base:.2f} s ({base / len(files) * 1000:.2f} ms a case)")
    print(f"1. cptui deadlines --format json, cold: {cold:.2f} s = {cold / base:.2f}x floor   "
          f"(target <= 0.6x); in one process: {serial:.2f} s = {serial / base:.2f}x")
    print(f"   CPU seconds (with workers): floor {CPU['floor']:.2f}, cold {CPU['cold']:.2f}, "
          f"one process {CPU['serial']:.2f}; load average now {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    print(f"2. cptui deadlines --format json, warm: {warm:.2f} s = {warm / base:.3f}x floor   "
          f"(target <= 0.06x)")
    same = OUTPUT["serial"] == OUTPUT["cold"] == OUTPUT["warm"]
    print(f"   output of one process, the pool and the cache byte-identical: {'yes' if same else 'NO'}"
          f" ({len(OUTPUT['serial']):,} bytes)")
    bare_s, cli_s = start_above_bare()
    print(f"3. import cptui.cli + --version: {cli_s * 1000:.0f} ms vs python -c pass {bare_s * 1000:.0f} ms"
          f" = {(cli_s - bare_s) * 1000:.0f} ms above   (target <= 80 ms)")

    full = bare = float("nan")
    if not args.no_tui:
        tui = args.dir / f"cases-{args.tui_count}"
        if len(list(tui.glob("CP-*.toml"))) != args.tui_count:
            generate(tui, args.tui_count, TODAY, seed=2)
        load_caseload(tui)  # warm the cache, as on any second morning
        bare, full = asyncio.run(tui_time(tui))
        print(f"4. TUI with {args.tui_count} cases complete: {full:.2f} s vs bare Textual first paint "
              f"{bare:.2f} s = {full / bare:.2f}x   (target <= 2x)")

    load = load_caseload(big)
    cv = load.cases[len(load.cases) // 2]
    before = {f: f.stat().st_mtime_ns for f in files}
    t = time.perf_counter()
    cf = CaseFile(cv.case.path, cv.case.digest)
    cf.add("visit", {"date": TODAY, "by": cv.case.lead_social_worker, "seen": []})
    cf.save()
    load.reload_file(cv.case.path)
    save = time.perf_counter() - t
    written = [f for f in files if f.stat().st_mtime_ns != before[f]]
    print(f"5. one save with {len(files)} cases loaded: {len(written)} file written, {save * 1000:.1f} ms "
          f"(target: 1 file, < 50 ms)")
    print(json.dumps({"count": len(files), "floor_s": round(base, 3), "cold_ratio": round(cold / base, 2),
                      "cold_serial_ratio": round(serial / base, 2),
                      "cpu_s": {k: round(v, 2) for k, v in CPU.items()}, "warm_ratio": round(warm / base, 3),
                      "identical": same,
                      "start_ms_above_bare": round((cli_s - bare_s) * 1000),
                      "tui_ratio": round(full / bare, 2),
                      "save_ms": round(save * 1000, 1), "files_written": len(written)}))


if __name__ == "__main__":
    main()
