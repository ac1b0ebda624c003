"""End to end: the installed `cptui` in a real pseudo-terminal, keys and screen.

Uses the stdlib ``pty`` module rather than tmux so it runs wherever Python
does. It reads what the program writes and looks for words a user would see.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path


ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b\][^\x07]*\x07")


def cptui_command() -> list[str]:
    exe = Path(sys.executable).with_name("cptui")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cptui"]


class Term:
    def __init__(self, args: list[str], cols: int = 160, rows: int = 48) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
        env.pop("TEXTUAL", None)
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     close_fds=True, start_new_session=True)
        os.close(slave)
        self.seen = b""

    def wait_for(self, text: str, limit: float = 30.0) -> bool:
        """Read until ``text`` has been drawn (or the safety limit passes)."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if text.encode() in ANSI.sub(b"", self.seen):
                return True
            r, _, _ = select.select([self.master], [], [], 0.2)
            if r:
                try:
                    self.seen += os.read(self.master, 65536)
                except OSError:
                    break
        return text.encode() in ANSI.sub(b"", self.seen)

    def send(self, keys: str) -> None:
        self.seen = b""
        os.write(self.master, keys.encode())

    def close(self, limit: float = 15.0) -> int:
        """Keep reading (a full pty buffer would block the app) until it exits."""
        end = time.monotonic() + limit
        try:
            while self.proc.poll() is None and time.monotonic() < end:
                r, _, _ = select.select([self.master], [], [], 0.2)
                if r:
                    try:
                        os.read(self.master, 65536)
                    except OSError:
                        break
            if self.proc.poll() is None:
                self.proc.kill()
            return self.proc.wait(timeout=5)
        finally:
            os.close(self.master)


def test_installed_app_in_a_real_terminal(tmp_path: Path, demo: Path) -> None:
    folder = tmp_path / "cases"
    shutil.copytree(demo, folder)
    term = Term(cptui_command() + ["--cases", str(folder)])
    try:
        assert term.wait_for("PINNED CLOCK"), ANSI.sub(b"", term.seen)[-2000:]
        assert term.wait_for("Overdue and due soon")
        assert term.wait_for("CP-2026-0005")
        term.send("\r")  # open the most urgent case
        assert term.wait_for("Practice flags"), ANSI.sub(b"", term.seen)[-2000:]
        assert term.wait_for("Finn Invented")
        term.send("g")
        assert term.wait_for("Next core group due")
        term.send("\x1b")
        assert term.wait_for("Overdue and due soon")  # back on the caseload
        term.send("q")
    finally:
        code = term.close()
    assert code == 0
