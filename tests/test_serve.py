"""`cptui serve`: the caseload in a real headless Chromium, offline, no leftovers.

Chromium comes from Debian (`apt-get install chromium`); `.ci/run` installs it
and sets CPTUI_REQUIRE_BROWSER=1, so in CI this test can never be skipped.
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
import urllib.request
from pathlib import Path

import pytest

from conftest import DEMO
from cptui.tui.serve import children

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, limit: float = 30) -> str:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read().decode("utf-8", "replace")
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


@pytest.fixture
def server(tmp_path: Path):
    folder = tmp_path / "cases"
    shutil.copytree(DEMO, folder)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "cptui", "serve", "--cases", str(folder), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/")
        yield proc, port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_no_children(pid: int, limit: float = 8) -> set[int]:
    end = time.monotonic() + limit
    while time.monotonic() < end and children(pid):
        time.sleep(0.2)
    return children(pid)


def test_page_is_served_with_no_outside_links(server) -> None:
    _, port = server
    html = wait_http(f"http://127.0.0.1:{port}/")
    assert "googleapis" not in html and "gstatic" not in html
    urls = re.findall(r"https?://[^\"' )]+", html)
    assert urls and all(u.startswith(f"http://127.0.0.1:{port}/") or u.startswith("http://www.w3.org/")
                        for u in urls), urls
    font = wait_http(f"http://127.0.0.1:{port}/static/fonts/RobotoMono-VariableFont_wght.ttf")
    assert font


async def _disconnect_early(port: int, times: int) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as s:
        for _ in range(times):
            ws = await s.ws_connect(f"ws://127.0.0.1:{port}/ws?width=80&height=24")
            await asyncio.sleep(0.05)  # the app is still starting
            await ws.close()


def test_browser_leaving_during_start_up_leaves_no_process(server) -> None:
    proc, port = server
    asyncio.run(_disconnect_early(port, 3))
    assert wait_no_children(proc.pid) == set()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) is not None


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


def test_caseload_renders_in_headless_chromium(server, tmp_path: Path) -> None:
    if CHROMIUM is None:
        if os.environ.get("CPTUI_REQUIRE_BROWSER"):
            pytest.fail("chromium is required here (CPTUI_REQUIRE_BROWSER=1) but is not installed")
        pytest.skip("no chromium on this machine: `apt-get install chromium` to run the browser test")
    proc, port = server
    debug = free_port()
    browser = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'chrome'}", f"--remote-debugging-port={debug}",
         "--window-size=1400,900", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    shot = tmp_path / "caseload.png"
    try:
        seen = asyncio.run(_cdp(debug, f"http://127.0.0.1:{port}/", shot))
    finally:
        os.killpg(browser.pid, signal.SIGKILL)
        browser.wait()
    assert "Overdue and due soon" in seen and "CP-2026-0005" in seen and "PINNED CLOCK" in seen
    assert shot.is_file() and shot.stat().st_size > 20_000  # a rendered page, not a blank one
    shutil.copy(shot, Path(os.environ.get("CPTUI_SHOT", str(tmp_path / "keep.png"))))
    assert wait_no_children(proc.pid) == set()  # the browser went; so did its app
