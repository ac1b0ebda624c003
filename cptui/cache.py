"""A private cache of loaded cases, so a large caseload opens instantly.

Keyed per file by a SHA-256 of its bytes (a stale deadline is a safety
problem, so modification times are never trusted), and as a whole by
everything else a deadline depends on: today, the team settings, the
profiles and this version of cptui. It lives in the user's own cache folder
(never in the shared cases folder, never in git), created 0700 with files
0600, and is rebuilt silently when missing, corrupt or from another version.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from cptui import __version__
from cptui.storage import private_mode, write_atomic

FORMAT = 2


def cache_dir() -> Path:
    base = os.environ.get("CPTUI_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    return root / "cptui" if not os.environ.get("CPTUI_CACHE_DIR") else root


_CODE: str | None = None


def _code_hash() -> str:
    """The core's own source: a changed rule must never be answered from cache."""
    global _CODE
    if _CODE is None:
        h = hashlib.sha256()
        for p in sorted(Path(__file__).parent.glob("*.py")):
            h.update(p.read_bytes())
        for p in sorted((Path(__file__).parent / "profile_data").glob("*.toml")):
            h.update(p.read_bytes())
        _CODE = h.hexdigest()
    return _CODE


def _context_key(today: date, settings: Any) -> str:
    from cptui.profiles import all_profiles

    parts = [__version__, str(FORMAT), _code_hash(), today.isoformat(), repr(asdict(settings)),
             repr(sorted((n, sorted((k, v.text) for k, v in p.timescales.items()))
                         for n, p in all_profiles().items()))]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class Cache:
    def __init__(self, path: Path, context: str, entries: dict[str, tuple[str, Any]]) -> None:
        self.path, self.context, self.entries = path, context, entries
        self.dirty = False
        self.seen: set[str] = set()

    @classmethod
    def open(cls, folder: Path, today: date, settings: Any) -> "Cache":
        key = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:24]
        path = cache_dir() / f"{key}.pickle"
        context = _context_key(today, settings)
        entries: dict[str, tuple[str, Any]] = {}
        try:
            with open(path, "rb") as f:
                blob = f.read()
            gc_was = gc.isenabled()
            gc.disable()  # unpickling many small objects: the cyclic GC only slows it down
            try:
                data = pickle.loads(blob)
            finally:
                if gc_was:
                    gc.enable()
            if isinstance(data, dict) and data.get("context") == context:
                entries = data["entries"]
        except Exception:  # missing, corrupt, another version: start again
            entries = {}
        return cls(path, context, entries)

    def get(self, path: Path, digest: str) -> tuple[bytes, Any, str] | None:
        """(pickled CaseView, problems, deadlines as JSON lines) if the file's
        SHA-256 ``digest`` is the one cached."""
        name = path.name
        self.seen.add(name)
        hit = self.entries.get(name)
        return hit[1] if hit is not None and hit[0] == digest else None

    def put(self, path: Path, digest: str, cv: Any, probs: Any, json_lines: str) -> None:
        blob = pickle.dumps(cv, protocol=pickle.HIGHEST_PROTOCOL)
        self.entries[path.name] = (digest, (blob, probs, json_lines))
        self.seen.add(path.name)
        self.dirty = True

    def save(self) -> None:
        gone = set(self.entries) - self.seen
        for name in gone:
            del self.entries[name]
        if not (self.dirty or gone):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=private_mode(0o700))
            data = pickle.dumps({"context": self.context, "entries": self.entries},
                                protocol=pickle.HIGHEST_PROTOCOL)
            write_atomic(self.path, data)
        except OSError:
            pass  # a cache that cannot be written only costs speed
