"""`cptui serve`: only the person who started it gets in; offline; no leftovers.

Chromium comes from Debian (`apt-get install chromium`); `.ci/run` installs it
and sets CPTUI_REQUIRE_BROWSER=1, so in CI the browser test can never be
skipped. Elsewhere a missing Chromium is a loud warning and a line in the
run's summary, never a quiet skip.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import DEMO, FIGURES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LINUX = sys.platform.startswith("linux")

# Run the server with /proc hidden from it (as on Windows and macOS): every
# way Python looks at a path answers "no such file" for /proc, so the server
# can only end its apps by tracking the processes it started.
NO_PROC = """
import builtins, io, os, pathlib, sys

def _hidden(p):
    try:
        s = os.fsdecode(p)
    except TypeError:
        return False
    return s == "/proc" or s.startswith("/proc/")

def _guard(fn):
    def inner(p=".", *a, **k):
        if _hidden(p):
            raise FileNotFoundError(2, "no /proc here", str(p))
        return fn(p, *a, **k)
    return inner

for mod, name in ((os, "stat"), (os, "lstat"), (os, "listdir"), (os, "scandir"), (os, "open"),
                  (io, "open"), (builtins, "open")):
    setattr(mod, name, _guard(getattr(mod, name)))
assert not pathlib.Path("/proc").is_dir() and not os.path.exists("/proc/self/stat")
from cptui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def children(pid: int) -> set[int]:
    """Direct children of ``pid``, read from /proc: the test's own observer (Linux)."""
    out = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == pid:
                out.add(int(d.name))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    proc: subprocess.Popen
    port: int
    url: str  # exactly what `cptui serve` printed
    secret: str
    tmp: Path  # the server's TMPDIR

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cookie(self) -> str:
        """Exchange the printed URL for the session cookie, as a browser does."""
        status, headers, _ = fetch(self.url)
        assert status == 303, status
        return headers["Set-Cookie"].split(";")[0]


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """(status, headers, body) without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")


def start(tmp_path: Path, *extra: str, hide_proc: bool = False) -> Served:
    folder = tmp_path / "cases"
    if not folder.exists():
        shutil.copytree(DEMO, folder)
    tmp = tmp_path / "tmp"
    tmp.mkdir(exist_ok=True)
    port = free_port()
    args = ["serve", "--cases", str(folder), "--port", str(port), *extra]
    argv = [sys.executable, "-c", NO_PROC, *args] if hide_proc else [sys.executable, "-m", "cptui", *args]
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "TMPDIR": str(tmp)})
    end = time.monotonic() + 30
    while time.monotonic() < end:
        m = re.search(rf"(http://127\.0\.0\.1:{port}/\?key=([A-Za-z0-9_-]+))", log.read_text())
        if m:
            return Served(proc, port, m.group(1), m.group(2), tmp)
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    stop(proc)
    raise AssertionError(f"serve printed no URL:\n{log.read_text()}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture
def server(tmp_path: Path):
    s = start(tmp_path)
    try:
        yield s
    finally:
        stop(s.proc)


def wait_no_children(pid: int, limit: float = 8) -> set[int]:
    end = time.monotonic() + limit
    while time.monotonic() < end and children(pid):
        time.sleep(0.2)
    return children(pid)


def test_printed_url_sets_a_strict_httponly_cookie_and_the_page_has_no_outside_links(server) -> None:
    status, headers, _ = fetch(server.url)
    assert status == 303 and headers["Location"] == "/"  # the secret leaves the address bar
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert server.secret not in cookie  # the cookie is not the URL's secret
    jar = cookie.split(";")[0]
    status, _, html = fetch(f"{server.origin}/", {"Cookie": jar})
    assert status == 200 and "data-session-websocket-url" in html
    assert "googleapis" not in html and "gstatic" not in html
    urls = re.findall(r"https?://[^\"' )]+", html)
    assert urls and all(u.startswith(f"{server.origin}/") or u.startswith("http://www.w3.org/")
                        for u in urls), urls
    status, _, font = fetch(f"{server.origin}/static/fonts/RobotoMono-VariableFont_wght.ttf", {"Cookie": jar})
    assert status == 200 and font


def test_no_secret_wrong_secret_and_wrong_host_are_refused(server) -> None:
    for url in (f"{server.origin}/", f"{server.origin}/?key=wrong", f"{server.origin}/static/xterm.css",
                f"{server.origin}/download/x"):
        status, headers, body = fetch(url)
        assert status == 403 and "Set-Cookie" not in headers, url
        assert "CP-2026" not in body
    jar = server.cookie()
    # DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host.
    for host in (f"evil.example:{server.port}", "evil.example", f"127.0.0.1:{server.port + 1}"):
        status, headers, _ = fetch(server.url, {"Host": host})
        assert status == 403 and "Set-Cookie" not in headers, host
        assert fetch(f"{server.origin}/", {"Host": host, "Cookie": jar})[0] == 403, host
    assert fetch(f"{server.origin}/", {"Cookie": jar})[0] == 200  # the right host still works


async def _ws_status(port: int, headers: dict[str, str]) -> int:
    """The HTTP status of a websocket handshake (101 when accepted)."""
    import aiohttp

    async with aiohttp.ClientSession() as s:
        try:
            ws = await s.ws_connect(f"ws://127.0.0.1:{port}/ws?width=80&height=24", headers=headers)
        except aiohttp.WSServerHandshakeError as e:
            return e.status
        await ws.close()
        return 101


def test_websocket_refuses_foreign_origin_missing_cookie_and_wrong_host(server) -> None:
    jar = server.cookie()
    refused = [
        {"Origin": "http://evil.example", "Cookie": jar},  # another site open in the same browser
        {"Origin": f"http://localhost:{server.port + 1}", "Cookie": jar},
        {"Cookie": jar},  # no Origin: not a browser page of ours
        {"Origin": server.origin},  # no cookie
        {"Origin": server.origin, "Cookie": f"cptui_session_{server.port}=guess"},
        {"Origin": server.origin, "Cookie": jar, "Host": "evil.example"},
    ]
    for headers in refused:
        assert asyncio.run(_ws_status(server.port, headers)) == 403, headers
    assert children(server.proc.pid) == set() if LINUX else True  # no app was even started
    assert asyncio.run(_ws_status(server.port, {"Origin": server.origin, "Cookie": jar})) == 101


async def _hold(port: int, headers: dict[str, str], n: int) -> list[int]:
    """Open ``n`` sessions at once and keep them open; the handshake status of each."""
    import aiohttp

    statuses, held = [], []
    async with aiohttp.ClientSession() as s:
        for _ in range(n):
            try:
                held.append(await s.ws_connect(f"ws://127.0.0.1:{port}/ws?width=80&height=24",
                                               headers=headers))
                statuses.append(101)
            except aiohttp.WSServerHandshakeError as e:
                statuses.append(e.status)
        for ws in held:
            await ws.close()
    return statuses


def test_concurrent_sessions_are_capped(tmp_path: Path) -> None:
    s = start(tmp_path, "--max-sessions", "2")
    try:
        headers = {"Origin": s.origin, "Cookie": s.cookie()}
        assert asyncio.run(_hold(s.port, headers, 3)) == [101, 101, 503]
    finally:
        stop(s.proc)


async def _disconnect_early(s: Served, times: int) -> None:
    import aiohttp

    headers = {"Origin": s.origin, "Cookie": s.cookie()}
    async with aiohttp.ClientSession() as session:
        for _ in range(times):
            ws = await session.ws_connect(f"ws://127.0.0.1:{s.port}/ws?width=80&height=24", headers=headers)
            await asyncio.sleep(0.05)  # the app is still starting
            await ws.close()


async def _open_sessions(s: Served, n: int):  # type: ignore[no-untyped-def]
    """Open ``n`` sessions, wait until their apps run, and leave them open."""
    import aiohttp

    headers = {"Origin": s.origin, "Cookie": s.cookie()}
    session = aiohttp.ClientSession()
    for _ in range(n):
        await session.ws_connect(f"ws://127.0.0.1:{s.port}/ws?width=80&height=24", headers=headers)
    end = time.monotonic() + 20
    while time.monotonic() < end and len(children(s.proc.pid)) < n:
        await asyncio.sleep(0.2)
    assert len(children(s.proc.pid)) == n
    return session


def alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            os.kill(pid, 0)
            out.add(pid)
        except ProcessLookupError:
            pass
    return out


def hang(pids: set[int]) -> None:
    """Freeze apps (SIGSTOP) so they cannot quit by themselves: only the server can end them."""
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)


@pytest.mark.skipif(not LINUX, reason="the observer reads /proc; the server under test does not")
def test_apps_are_tracked_without_proc_and_ended_with_the_server(tmp_path: Path) -> None:
    """The server runs with /proc hidden (as on Windows): it must still end every app,
    including ones that hang and would never quit by themselves."""
    s = start(tmp_path, hide_proc=True)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(_disconnect_early(s, 3))
        assert wait_no_children(s.proc.pid) == set()  # browsers that left during start-up
        # A browser leaves while its app hangs: the server ends the app.
        session = loop.run_until_complete(_open_sessions(s, 1))
        hang(children(s.proc.pid))
        loop.run_until_complete(session.close())
        assert wait_no_children(s.proc.pid) == set()
        # The server stops with two hung apps: it ends both and exits cleanly.
        session = loop.run_until_complete(_open_sessions(s, 2))
        apps = children(s.proc.pid)
        hang(apps)
        s.proc.send_signal(signal.SIGTERM)
        assert s.proc.wait(timeout=15) == 0  # a clean exit, not a crash or a kill
        loop.run_until_complete(session.close())
        end = time.monotonic() + 5
        while alive(apps) and time.monotonic() < end:
            time.sleep(0.1)
        assert alive(apps) == set()
        assert not list(s.tmp.glob("cptui-serve-*"))  # the page's temp folder went too
    finally:
        loop.close()
        stop(s.proc)


async def _cdp(port: int, page_url: str, shot: Path) -> str:
    """Open the page in Chromium over the DevTools protocol; return what its websocket received."""
    import aiohttp

    async with aiohttp.ClientSession() as s:
        for _ in range(100):
            try:
                async with s.get(f"http://127.0.0.1:{port}/json/list") as r:
                    pages = [p for p in await r.json() if p.get("type") == "page"]
                if pages:
                    break
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        ws = await s.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)
        n = 0

        async def call(method: str, **params) -> int:
            nonlocal n
            n += 1
            await ws.send_json({"id": n, "method": method, "params": params})
            return n

        await call("Network.enable")
        await call("Page.enable")
        await call("Page.navigate", url=page_url)
        seen, shot_id = "", None
        end = time.monotonic() + 45
        while time.monotonic() < end:
            try:
                msg = await ws.receive_json(timeout=2)
            except asyncio.TimeoutError:
                continue
            if msg.get("method") == "Network.webSocketFrameReceived":
                resp = msg["params"]["response"]
                data = resp.get("payloadData", "")
                if resp.get("opcode") == 2:
                    data = base64.b64decode(data).decode("utf-8", "replace")
                seen += re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", data)
                if shot_id is None and "Overdue and due soon" in seen and "CP-2026-0005" in seen:
                    await asyncio.sleep(1.5)
                    shot_id = await call("Page.captureScreenshot", format="png")
            elif shot_id is not None and msg.get("id") == shot_id:
                shot.write_bytes(base64.b64decode(msg["result"]["data"]))
                break
        await ws.close()
        return seen


def chromium(tmp_path: Path, debug: int) -> subprocess.Popen:
    return subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'chrome'}", f"--remote-debugging-port={debug}",
         "--window-size=1400,900", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def test_printed_url_shows_the_caseload_in_headless_chromium(server, tmp_path: Path) -> None:
    if CHROMIUM is None:
        if os.environ.get("CPTUI_REQUIRE_BROWSER"):
            pytest.fail("chromium is required here (CPTUI_REQUIRE_BROWSER=1) but is not installed")
        why = ("NOT TESTED: `cptui serve` in a real browser — no chromium on this machine "
               "(`apt-get install chromium`; CI sets CPTUI_REQUIRE_BROWSER=1)")
        FIGURES.append(why)
        warnings.warn(why, pytest.PytestWarning, stacklevel=1)
        pytest.skip(why)
    debug = free_port()
    browser = chromium(tmp_path, debug)
    shot = tmp_path / "caseload.png"
    try:
        seen = asyncio.run(_cdp(debug, server.url, shot))  # one step: the URL as printed
    finally:
        os.killpg(browser.pid, signal.SIGKILL)
        browser.wait()
    assert "Overdue and due soon" in seen and "CP-2026-0005" in seen and "PINNED CLOCK" in seen
    assert shot.is_file() and shot.stat().st_size > 20_000  # a rendered page, not a blank one
    shutil.copy(shot, Path(os.environ.get("CPTUI_SHOT", str(tmp_path / "keep.png"))))
    if LINUX:
        assert wait_no_children(server.proc.pid) == set()  # the browser went; so did its app
