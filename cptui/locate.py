"""Find where a key sits in a TOML text, so problems can name a line.

tomllib returns plain data with no positions. Case files are written in a
simple shape (tables, arrays of tables, ``key = value`` lines), so a line scan
recovers positions for nearly everything; anything it cannot place falls back
to the enclosing table's header, and failing that to the file alone.
"""

from __future__ import annotations

import re

PathKey = tuple[str | int, ...]
_KEY = re.compile(r'^\s*((?:[A-Za-z0-9_-]+|"[^"]*")(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"))*)\s*=\s*')
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def header_path(kind: str, dotted: str, counts: dict[tuple[str, ...], int]) -> tuple[str | int, ...]:
    """The data path a table header opens: ("plan",) or ("visits", 3) for the 4th [[visits]]."""
    parts = _split(dotted)
    if kind != "[[":
        return parts
    idx = counts.get(parts, 0)
    counts[parts] = idx + 1
    return parts + (idx,)


def _split(dotted: str) -> tuple[str, ...]:
    if "." not in dotted and '"' not in dotted:
        return (dotted.strip(),)
    return tuple(p.strip().strip('"') for p in dotted.split("."))


class Locator:
    def __init__(self, text: str, headers_only: bool = False) -> None:
        """``headers_only``: place tables and records, not keys (cheaper)."""
        self.lines = text.splitlines()
        self.where: dict[PathKey, tuple[int, int]] = {}
        counts: dict[tuple[str, ...], int] = {}
        current: PathKey = ()
        closing: str | None = None
        for no, line in enumerate(self.lines, 1):
            if closing:
                if closing in line:
                    closing = None
                continue
            first = line.lstrip()[:1]
            if not first or first == "#":
                continue
            if headers_only and first != "[":
                if '"""' in line or "'''" in line:
                    q = '"""' if '"""' in line else "'''"
                    if line.count(q) == 1:
                        closing = q
                continue
            h = _HEADER.match(line) if first == "[" else None
            if h:
                current = header_path(h.group(1), h.group(2), counts)
                self.where.setdefault(current, (no, line.index("[") + 1))
                continue
            k = _KEY.match(line)
            if not k:
                continue
            key = current + _split(k.group(1))
            col = k.end() + 1
            self.where.setdefault(key, (no, col))
            rest = line[k.end():]
            for q in ('"""', "'''"):
                if rest.startswith(q) and rest.count(q) == 1:
                    closing = q

    def find(self, path: PathKey, token: str | None = None) -> tuple[int | None, int | None]:
        """Line and column of ``path``, or of its nearest located ancestor.

        With ``token`` (a value inside the line, such as one id in a list),
        the column points at that token when it is on the line.
        """
        p = tuple(path)
        while p:
            if p in self.where:
                line, col = self.where[p]
                if token is not None:
                    text = self.lines[line - 1]
                    at = text.find(f'"{token}"')
                    if at >= 0:
                        col = at + 1
                return line, col
            p = p[:-1]
        return None, None
