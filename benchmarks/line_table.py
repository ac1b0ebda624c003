"""LineTable vs DataTable, run on demand (never in the test suite): ratios from one run.

    .venv/bin/python benchmarks/line_table.py [--rows 1000 10000] [--repeat 3]

In one process, time to the first idle (table filled, measured, painted) of
1. a bare Textual app (one Static),
2. an app with a DataTable of N caseload-like rows (8 columns, status cells as Text),
3. the same with a LineTable,
and ms per page-down in each table: the widget's own work (action + re-render of its
region), and end to end through Pilot (which adds its own waiting: compare with the bare
app's key press). Medians of ``--repeat`` runs, after a warm-up run of each kind so
imports are not counted. Row cells are built before timing, so the figures are the
widgets' own cost (a screen also pays for building its cells). Ratios are against the
bare app. The machine's other load shows in the figures: read ratios from one run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Callable

from rich.text import Text

SIZE = (160, 48)
NAMES = ["Ava Example", "Ben Sample", "Cleo Test", "Dev Placeholder", "Eve Fictional"]
COLUMNS = ["Case", "Overdue", "Due soon", "Next deadline", "Children", "Lead social worker",
           "Procedure", "Git"]


def row(i: int) -> tuple[object, ...]:
    """A synthetic caseload row, shaped like the real one (ids, Text statuses, names)."""
    over, soon = i % 4, i % 3
    return (
        f"CP-2026-{i:05d}",
        Text(f"✗ {over}", style="bold red") if over else "0",
        Text(f"! {soon}", style="bold yellow") if soon else "0",
        f"Tue {1 + i % 28} Sep 2026 Review child protection conference",
        f"{NAMES[i % 5]}, {NAMES[(i + 2) % 5]}",
        NAMES[(i + 1) % 5],
        "Example Borough 2026",
        "clean" if i % 7 else "modified",
    )


ROWS: dict[int, list[tuple[object, ...]]] = {}  # built before timing: the tables are compared


def make_app(kind: str, n: int):
    if n not in ROWS:
        ROWS[n] = [row(i) for i in range(n)]
    from textual.app import App
    from textual.widgets import DataTable, Static

    from cptui.tui.widgets.line_table import LineTable

    class Bench(App):
        def compose(self):
            if kind == "bare":
                yield Static("hello")
            elif kind == "datatable":
                yield DataTable(id="t", cursor_type="row", zebra_stripes=True)
            else:
                yield LineTable(id="t", zebra_stripes=True)

        def on_mount(self) -> None:
            if kind == "bare":
                return
            table = self.query_one("#t")
            table.add_columns(*COLUMNS)
            for cells in ROWS[n]:
                table.add_row(*cells, key=cells[0])
            table.focus()

    return Bench()


def screen_text(app) -> str:
    return "".join(seg.text for strip in app.screen._compositor.render_strips() for seg in strip)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


async def first_idle(kind: str, n: int, presses: int) -> tuple[float, float, float]:
    """Seconds to the first idle with the first row on screen, then ms per page-down two
    ways: the widget's own work (action + re-render of its region), and a Pilot key press
    end to end (includes Pilot's waiting; compare with the bare app's press)."""
    from textual.geometry import Region

    app = make_app(kind, n)
    t = time.perf_counter()
    work = pressed = 0.0
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        elapsed = time.perf_counter() - t
        assert ("hello" if kind == "bare" else "CP-2026-00000") in text, kind
        if presses:
            k = time.perf_counter()
            for _ in range(presses):
                await pilot.press("pagedown")
                screen_text(app)  # the page must actually be drawn
            pressed = (time.perf_counter() - k) / presses * 1000
        if kind != "bare" and presses:
            table = app.query_one("#t")
            table.move_cursor(row=0)  # DataTable's "home" goes to the first column, not row
            table.scroll_to(y=0, animate=False)
            await settle(pilot)
            assert table.cursor_row == 0
            region = Region(0, 0, table.size.width, table.size.height)
            times = []
            for _ in range(presses):
                k = time.perf_counter()
                table.action_page_down()
                table.render_lines(region)
                times.append(time.perf_counter() - k)
            work = statistics.median(times) * 1000  # median: robust to the machine's other load
            assert table.cursor_row >= min(n - 1, presses * 10), "page-down did not move"
    return elapsed, work, pressed


def median(runs: list[tuple[float, float]], pick: Callable) -> float:
    return statistics.median(pick(r) for r in runs)


async def main(sizes: list[int], repeat: int, presses: int) -> None:
    for kind in ("bare", "datatable", "linetable"):  # warm-up: imports, CSS parsing
        await first_idle(kind, 10, 1)
    bare = [await first_idle("bare", 0, presses) for _ in range(repeat)]
    bare_s, bare_key = median(bare, lambda r: r[0]), median(bare, lambda r: r[2])
    print(f"bare app first idle: {bare_s * 1000:.0f} ms, Pilot key press {bare_key:.1f} ms"
          f"  (medians of {repeat}, size {SIZE})")
    print(f"{'rows':>7} {'table':>10} {'first idle':>11} {'x bare':>7}"
          f" {'page-down work':>15} {'page-down via Pilot':>20}")
    for n in sizes:
        for kind in ("datatable", "linetable"):
            runs = [await first_idle(kind, n, presses) for _ in range(repeat)]
            s, work, key = (median(runs, lambda r, i=i: r[i]) for i in range(3))
            print(f"{n:>7} {kind:>10} {s * 1000:>9.0f}ms {s / bare_s:>6.1f}x"
                  f" {work:>12.1f} ms {key:>17.1f} ms")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--presses", type=int, default=20)
    args = ap.parse_args()
    asyncio.run(main(args.rows, args.repeat, args.presses))
