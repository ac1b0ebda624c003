"""Files on disk: atomic writes, private modes, a folder lock, temp clean-up.

A case file is the only copy of a child's record, so every byte cptui
writes goes through here: a temp file beside the target (same folder, so
the rename cannot cross file systems), fsync, ``os.replace``, fsync of the
folder. A crash leaves the old file or the new one, never a mixture.

Temp files carry a fixed shape, ``.NAME.cptui-PID-RANDOM.tmp``, so clean-up
matches exactly what cptui made and never touches a file that merely looks
like a temp file (``.handover.2024.draft.tmp`` is someone's draft).
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

TEMP_RE = re.compile(
    r"^\.(?P<name>.+)\.cptui-(?P<pid>[1-9][0-9]{0,9})-(?P<rand>[0-9a-f]{12})\.tmp$"
)
LOCK_NAME = ".cptui.lock"
# Windows refuses to replace a file another process has open; retry briefly.
REPLACE_TRIES = 20
REPLACE_PAUSE = 0.05


def explain_os_error(e: OSError) -> str:
    """An OS error in words a practitioner can act on."""
    words = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "your disk quota is used up",
             errno.EIO: "the disk reported a read/write error", errno.EACCES: "permission denied",
             errno.EPERM: "permission denied", errno.EROFS: "the folder is read-only"}
    return words.get(e.errno or 0, e.strerror or str(e))


def _read_umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once at import: os.umask is process-wide, not thread-safe


def private_mode(base: int = 0o600) -> int:
    """Owner-only, or stricter if the user's umask says so."""
    return base & ~_UMASK


def temp_name(target: Path) -> Path:
    """A temp path beside ``target`` in the one shape clean-up recognises."""
    return target.with_name(f".{target.name}.cptui-{os.getpid()}-{secrets.token_hex(6)}.tmp")


def replace(src: Path | str, dst: Path | str) -> None:
    """``os.replace``, retried briefly while another process holds the target open (Windows)."""
    for attempt in range(REPLACE_TRIES):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if attempt == REPLACE_TRIES - 1:
                raise
            time.sleep(REPLACE_PAUSE)


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Temp file in the same folder, fsync, rename over, fsync the folder.

    The new file keeps the old one's permissions (or is owner-only when new);
    the temp file is removed on any error, and the target is then unchanged.
    """
    if mode is None:
        mode = (path.stat().st_mode & 0o777) if path.exists() else private_mode()
    tmp = temp_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if hasattr(os, "chmod"):
            os.chmod(tmp, mode)
        replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename durable where the OS allows it; the rename itself has happened."""
    if sys.platform == "win32":
        return
    try:
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError, OSError):
        return True  # someone else's process, or not a pid we can ask about: leave it
    return True


def clean_stale_temps(folder: Path) -> list[Path]:
    """Remove temp files left by a save that was killed (its process is gone).

    Only names of exactly cptui's temp shape are considered, and one whose
    writer is still running is left alone. Never raises: a load must not stop
    over tidying.
    """
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        m = TEMP_RE.match(name)
        if not m or _alive(int(m.group("pid"))):
            continue
        tmp = folder / name
        try:
            if tmp.is_symlink() or not tmp.is_file():
                continue
            tmp.unlink()
            removed.append(tmp)
        except OSError:
            pass
    return removed


class LockTimeout(OSError):
    """Another save in this folder did not finish in time."""


@contextmanager
def folder_lock(folder: Path, timeout: float = 10.0) -> Iterator[None]:
    """Hold the folder's save lock: one writer at a time reads, compares and renames.

    POSIX: ``flock`` on ``.cptui.lock`` (released by the OS if the process
    dies); elsewhere ``msvcrt.locking``. The lock file exists only while a
    save runs, so it never shows in ``git status``: the holder removes it
    before unlocking, and a waiter that then wins a lock on the removed file
    notices (the path no longer names its file) and tries again.
    """
    path = folder / LOCK_NAME
    deadline = time.monotonic() + timeout
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), private_mode())
        try:
            _acquire(fd, deadline)
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            break
        _release(fd)
        os.close(fd)
    try:
        yield
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass  # Windows cannot remove an open file; it is harmless left behind
        _release(fd)
        os.close(fd)


def _acquire(fd: int, deadline: float) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        while True:
            try:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise LockTimeout(errno.EAGAIN, "another save in this folder is still running")
                time.sleep(0.02)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise LockTimeout(
                    errno.EAGAIN, "another save in this folder is still running"
                ) from None
            time.sleep(0.005)


def _release(fd: int) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(fd, fcntl.LOCK_UN)
