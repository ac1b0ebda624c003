"""The TUI targets of issue #15, each size in a fresh process: first complete caseload vs a
bare Textual app, and peak memory (run on demand: `python benchmarks/tui.py 1000 10000`).

Each run warms the cache first (in its own process), then times, in one process,
a bare app's first idle and the caseload's first complete, idle screen (caseload table
and deadline panel filled), and reports the process's peak RSS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r'''
import asyncio, json, resource, sys, time
from datetime import date
from pathlib import Path
from textual.app import App
from textual.widgets import Static
from cptui.tui.app import make_app

folder = Path(sys.argv[1])

class Bare(App):
    def compose(self):
        yield Static("hello")

async def main():
    t = time.perf_counter()
    async with Bare().run_test(size=(160, 48)) as pilot:
        await pilot.pause()
    bare = time.perf_counter() - t
    t = time.perf_counter()
    app = make_app(folder, today=date(2026, 11, 23))
    async with app.run_test(size=(160, 48)) as pilot:
        while app.caseload is None or app.workers._workers:
            await asyncio.sleep(0.01)
        await pilot.pause()
        assert app.screen.query_one("#deadlines").row_count > 0
        full = time.perf_counter() - t
        t = time.perf_counter()
        for _ in range(5):
            await pilot.press("pagedown")
        page = (time.perf_counter() - t) / 5
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"bare_s": bare, "full_s": full, "ratio": full / bare, "pagedown_ms": page * 1000,
                      "peak_rss_mb": rss}))

asyncio.run(main())
'''

WARM = "import sys; from pathlib import Path; from cptui.caseload import load_caseload; " \
       "load_caseload(Path(sys.argv[1]))"


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    base = Path(tempfile.gettempdir()) / "cptui-bench"
    env = {**os.environ, "CPTUI_CACHE_DIR": str(base / "cache")}
    for n in sizes:
        folder = base / f"tui-{n}"
        if len(list(folder.glob("CP-*.toml"))) != n:
            subprocess.run([sys.executable, "-m", "cptui", "demo", str(folder), "--count", str(n),
                            "--today", "2026-11-23", "--seed", "2"], check=True, stdout=subprocess.DEVNULL)
        # Warm the cache (as on any second morning) in its own process: the peak RSS
        # measured below is the TUI's alone.
        subprocess.run([sys.executable, "-c", WARM, str(folder)], env=env, check=True)
        out = subprocess.run([sys.executable, "-c", CHILD, str(folder)], capture_output=True, text=True,
                             env=env, check=True).stdout.strip().splitlines()[-1]
        r = json.loads(out)
        print(f"TUI with {n} cases complete: {r['full_s']:.2f} s vs bare app {r['bare_s']:.2f} s = "
              f"{r['ratio']:.1f}x; page-down {r['pagedown_ms']:.0f} ms (via Pilot); "
              f"peak RSS {r['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
