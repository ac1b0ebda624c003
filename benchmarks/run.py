"""Benchmarks, run on demand (never in the test suite): prints ratios from one run.

    .venv/bin/python benchmarks/run.py [--count 10000] [--tui-count 1000]

1. `cptui deadlines` over N generated cases, cold (every file changed since the
   last run) vs the floor: reading and tomllib-parsing the same files in the
   same Python. Target <= 1.3x.
2. The same, warm (nothing changed). Target <= 0.15x of the floor.
3. The TUI with 1,000 cases: time until the caseload and its deadline panel
   are complete, vs a bare Textual app's first paint. Target <= 2x.
4. One save with N cases loaded: files written, and time. Target: 1 file, < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import tempfile
import time
import tomllib
from datetime import date
from pathlib import Path

TODAY = date(2026, 11, 23)


def floor(files: list[Path]) -> float:
    t = time.perf_counter()
    for f in files:
        tomllib.loads(f.read_bytes().decode("utf-8"))
    return time.perf_counter() - t


def deadlines_run(folder: Path) -> float:
    from cptui.cli import main

    t = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        main(["deadlines", "--cases", str(folder), "--format", "json"])
    return time.perf_counter() - t


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

    touch_all(files, str(time.time()))
    fl = floor(files)
    cold = deadlines_run(big)
    warm = deadlines_run(big)
    fl2 = floor(files)
    base = min(fl, fl2)
    print(f"floor (read + tomllib parse): {base:.2f} s ({base / len(files) * 1000:.2f} ms a case)")
    print(f"1. cptui deadlines, cold: {cold:.2f} s = {cold / base:.2f}x floor   (target <= 1.3x)")
    print(f"2. cptui deadlines, warm: {warm:.2f} s = {warm / base:.2f}x floor   (target <= 0.15x)")

    tui = args.dir / f"cases-{args.tui_count}"
    if len(list(tui.glob("CP-*.toml"))) != args.tui_count:
        generate(tui, args.tui_count, TODAY, seed=2)
    load_caseload(tui)  # warm the cache, as on any second morning
    bare, full = asyncio.run(tui_time(tui))
    print(f"3. TUI with {args.tui_count} cases complete: {full:.2f} s vs bare Textual first paint "
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
    print(f"4. one save with {len(files)} cases loaded: {len(written)} file written, {save * 1000:.1f} ms "
          f"(target: 1 file, < 50 ms)")
    print(json.dumps({"floor_s": round(base, 3), "cold_ratio": round(cold / base, 2),
                      "warm_ratio": round(warm / base, 3), "tui_ratio": round(full / bare, 2),
                      "save_ms": round(save * 1000, 1), "files_written": len(written)}))


if __name__ == "__main__":
    main()
