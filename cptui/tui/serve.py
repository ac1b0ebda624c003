"""``cptui serve``: the app in a browser, for training rooms, fully offline.

Only the person who started the server gets in. A browser page from any other
site, another user on the same machine, or a page reaching 127.0.0.1 through
DNS rebinding must not see a caseload or send keystrokes, so:

- each run makes a secret; the printed URL carries it, and opening that URL
  swaps it for an HttpOnly, SameSite=Strict cookie (then redirects to ``/``,
  so the secret leaves the address bar). Every request needs the cookie;
- the Host header must be the server's own ``127.0.0.1:PORT`` (a rebinding
  page sends its own name), and an Origin, where sent, must be the server's
  own; the websocket must carry one (browsers always send it);
- at most ``max_sessions`` apps run at once.

textual-serve's page links a web font from an outside host; on a locked-down
machine that fails and leaks the user's address, so the page is served from
a copy (in a temp folder removed on exit) that uses the font textual-serve
already ships. Each browser session runs the app as a child process that the
server tracks itself (no /proc scan, so it works on Windows and macOS too):
an app still alive shortly after its browser leaves is ended, and so is every
app when the server stops. A served app also ends itself if the server
disappears.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import re
import secrets
import shlex
import shutil
import signal
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path
from typing import Any

GOOGLE_FONTS = re.compile(r"<link[^>]*fonts\.googleapis\.com[^>]*/>", re.S)
LOCAL_FONT = """<style>
      @font-face { font-family: "Roboto Mono"; font-style: normal;
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }
      @font-face { font-family: "Roboto Mono"; font-style: italic;
        src: url("{{ config.static.url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }
    </style>"""
COOKIE = "cptui_session_{port}"  # cookies ignore ports: two servers must not overwrite each other's
MAX_SESSIONS = 4
GRACE = 2.0  # seconds an app gets to quit by itself after its browser leaves
REFUSED = ("cptui: this address needs the link that `cptui serve` printed when it started "
           "(http://127.0.0.1:PORT/?key=...; a new key each run). Open that link instead.\n")
log = logging.getLogger("cptui.serve")


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


class Guard:
    """Who may talk to the server: the checks, apart from aiohttp so they read plainly."""

    def __init__(self, host: str, port: int) -> None:
        self.secret = secrets.token_urlsafe(32)  # in the printed URL
        self.session = secrets.token_urlsafe(32)  # in the cookie (never the URL's secret)
        self.host = f"{host}:{port}" if port != 80 else host
        self.origin = f"http://{self.host}"
        self.cookie = COOKIE.format(port=port)

    def url(self) -> str:
        return f"{self.origin}/?key={self.secret}"

    def host_ok(self, host: str | None) -> bool:
        return host == self.host

    def origin_ok(self, origin: str | None, required: bool) -> bool:
        return origin == self.origin if origin is not None else not required

    def key_ok(self, key: str | None) -> bool:
        return key is not None and hmac.compare_digest(key.encode(), self.secret.encode())

    def cookie_ok(self, value: str | None) -> bool:
        return value is not None and hmac.compare_digest(value.encode(), self.session.encode())


def make_server(
    cases: Path, today: date | None, host: str, port: int, max_sessions: int = MAX_SESSIONS
):
    from aiohttp import web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server, to_int

    guard = Guard(host, port)
    apps: set[asyncio.subprocess.Process] = set()  # every app process this server started

    class TrackedAppService(AppService):
        """Records the process it starts, so the server can end it without /proc."""

        process: asyncio.subprocess.Process | None = None

        async def _open_app_process(  # type: ignore[no-untyped-def]
            self, width: int = 80, height: int = 24
        ):
            self.process = await super()._open_app_process(width, height)
            apps.add(self.process)
            return self.process

    async def end_app(service: TrackedAppService) -> None:
        """Ask the app to quit; end it if it has not within GRACE seconds."""
        try:
            await asyncio.wait_for(service.stop(), GRACE)
        except Exception:  # a hung or half-started app: it is ended below
            pass
        proc = service.process
        if proc is not None:
            if proc.returncode is None:
                try:
                    proc.kill()
                except ProcessLookupError:
                    pass
                await proc.wait()
            apps.discard(proc)

    @web.middleware
    async def check(request: web.Request, handler: Any) -> web.StreamResponse:
        """Host, Origin and the secret, before any handler sees the request."""
        is_ws = request.path == "/ws"
        if not guard.host_ok(request.headers.get("Host")):
            return web.Response(status=403, text="cptui: wrong Host header\n")
        if not guard.origin_ok(request.headers.get("Origin"), required=is_ws):
            return web.Response(status=403, text="cptui: request from another site refused\n")
        if guard.cookie_ok(request.cookies.get(guard.cookie)):
            return await handler(request)
        if request.path == "/" and guard.key_ok(request.query.get("key")):
            resp = web.HTTPSeeOther("/")
            resp.set_cookie(guard.cookie, guard.session, httponly=True, samesite="Strict", path="/")
            resp.headers["Cache-Control"] = "no-store"
            resp.headers["Referrer-Policy"] = "no-referrer"
            return resp
        return web.Response(status=403, text=REFUSED)

    class CptuiServer(Server):
        sessions = 0
        guard: Any = None  # the per-run secret and its checks
        apps: set[Any] = set()  # the app processes this server started

        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.insert(0, check)
            return app

        async def on_startup(self, app: web.Application) -> None:
            print(f"cptui: serving {cases} in your browser. Open this link (it carries a key "
                  f"for this run only; keep it to yourself):\n\n    {guard.url()}\n\n"
                  "Press Ctrl+C to stop.", flush=True)

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            """textual-serve's handler with a session cap and tracked app processes."""
            if self.sessions >= max_sessions:
                raise web.HTTPServiceUnavailable(
                    text=f"cptui: {max_sessions} sessions are open already; close one first\n")
            websocket = web.WebSocketResponse(heartbeat=15)
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            service: TrackedAppService | None = None
            self.sessions += 1
            try:
                await websocket.prepare(request)
                service = TrackedAppService(
                    self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                    close=websocket.close, download_manager=self.download_manager, debug=self.debug)
                await service.start(width, height)
                await self._process_messages(websocket, service)
            except asyncio.CancelledError:
                await websocket.close()
            except Exception as error:
                log.exception(error)
            finally:
                self.sessions -= 1
                if service is not None:
                    await end_app(service)
            return websocket

        async def on_shutdown(self, app: web.Application) -> None:
            kill(apps)

    argv = [sys.executable, "-m", "cptui", "--cases", str(cases.resolve())]
    if today:
        argv += ["--today", today.isoformat()]
    command = "exec " + shlex.join(argv)
    server = CptuiServer(command, host=host, port=port, title="cptui",
                         templates_path=str(offline_templates()))
    server.guard, server.apps = guard, apps
    return server


def kill(apps: set[Any]) -> None:
    """End every tracked app now (server stopping). asyncio's child watcher
    reaps them; waiting here as well would race it for the exit status."""
    for proc in list(apps):
        if proc.returncode is None:
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    apps.clear()


def serve(cases: Path, today: date | None, host: str = "127.0.0.1", port: int = 8000,
          max_sessions: int = MAX_SESSIONS) -> int:
    server = make_server(cases, today, host, port, max_sessions)
    try:
        server.serve()
    finally:
        kill(server.apps)
        shutil.rmtree(server.templates_path, ignore_errors=True)
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
