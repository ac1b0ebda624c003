"""The cache's file of JSON output lines: one line of JSON, then the texts as printed.

The index line holds the cache's context, the size of what follows and, per case
file, its digest and where its text lies. Unlike JSON strings, the texts need no
unescaping, so a warm ``cptui deadlines --format json`` only slices them out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cptui.fsio import write_atomic


def load(path: Path, context: str) -> tuple[dict[str, list], bytes]:
    """(index entries, texts) of a lines file for this ``context``; empty if it is
    missing, damaged or for another context. The caller checks who owns it."""
    try:
        data = path.read_bytes()
        cut = data.index(b"\n")
        head = json.loads(data[:cut])
        blob = data[cut + 1:]
        # write_atomic never leaves a short file; a size that differs means damage
        if (head.get("context") == context and isinstance(head["entries"], dict)
                and head.get("size") == len(blob)):
            return head["entries"], blob
    except Exception:  # corrupt, another version: start again
        pass
    return {}, b""


def write(path: Path, data: dict[str, Any]) -> None:
    """``data``: {"context": ..., "entries": {name: [digest, text]}}, written atomically."""
    parts: list[bytes] = []
    at = 0
    index: dict[str, list] = {}
    for name, (digest, text) in data["entries"].items():
        b = text.encode("utf-8")
        index[name] = [digest, at, at + len(b)]
        parts.append(b)
        at += len(b)
    head = json.dumps({"context": data["context"], "size": at, "entries": index},
                      ensure_ascii=True)
    write_atomic(path, head.encode("ascii") + b"\n" + b"".join(parts))
