"""``cptui serve``: the app in a browser, for training rooms, fully offline.

textual-serve's page links a web font from an outside host; on a locked-down
machine that fails and leaks the user's address, so the page is served from
a copy that uses the font textual-serve already ships. Each browser session
runs the app as a child process; any child still alive shortly after its
browser disconnects (textual-serve has been seen to leave one spinning when
the browser goes during start-up) is ended, and so is every child when the
server stops. The served app also ends itself if the server disappears.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path

GOOGLE_FONTS = re.compile(r"<link[^>]*fonts\.googleapis\.com[^>]*/>", re.S)
LOCAL_FONT = """<style>
      @font-face { font-family: "Roboto Mono"; font-style: normal;
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }
      @font-face { font-family: "Roboto Mono"; font-style: italic;
        src: url("{{ config.static.url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }
    </style>"""


def offline_templates() -> Path:
    """textual-serve's page template with the outside font link replaced."""
    import textual_serve

    src = Path(textual_serve.__file__).parent / "templates" / "app_index.html"
    html = GOOGLE_FONTS.sub(LOCAL_FONT, src.read_text(encoding="utf-8"))
    if "googleapis" in html or "gstatic" in html:
        raise RuntimeError("textual-serve's page still links outside fonts; refusing to serve it")
    folder = Path(tempfile.mkdtemp(prefix="cptui-serve-"))
    (folder / "app_index.html").write_text(html, encoding="utf-8")
    return folder


def children(pid: int) -> set[int]:
    """Direct children of ``pid`` (Linux /proc; elsewhere an empty set)."""
    out = set()
    proc = Path("/proc")
    if not proc.is_dir():
        return out
    for d in proc.iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == pid:
                out.add(int(d.name))
    return out


def _end(pids: set[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass


def make_server(cases: Path, today: date | None, host: str, port: int):
    from textual_serve.server import Server

    class CptuiServer(Server):
        async def handle_websocket(self, request):  # type: ignore[no-untyped-def]
            before = children(os.getpid())
            try:
                return await super().handle_websocket(request)
            finally:
                mine = children(os.getpid()) - before
                for _ in range(20):  # give the app two seconds to quit by itself
                    if not (mine & children(os.getpid())):
                        break
                    await asyncio.sleep(0.1)
                _end(mine & children(os.getpid()))

        async def on_shutdown(self, app) -> None:  # type: ignore[no-untyped-def]
            _end(children(os.getpid()))

    argv = [sys.executable, "-m", "cptui", "--cases", str(cases.resolve())]
    if today:
        argv += ["--today", today.isoformat()]
    command = "exec " + shlex.join(argv)
    return CptuiServer(command, host=host, port=port, title="cptui",
                       templates_path=str(offline_templates()))


def serve(cases: Path, today: date | None, host: str = "127.0.0.1", port: int = 8000) -> int:
    server = make_server(cases, today, host, port)
    try:
        server.serve()
    finally:
        _end(children(os.getpid()))
    return 0


def watch_parent() -> None:
    """In a served app: exit if the server that started us is gone."""
    parent = os.getppid()

    def watch() -> None:
        import time

        while True:
            time.sleep(1)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="cptui-parent-watch").start()
