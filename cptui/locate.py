"""Find where a key sits in a TOML text, so problems can name a line.

tomllib returns plain data with no positions. The scanner in
``cptui.tomlscan`` walks the text with TOML's own rules (strings, comments,
multi-line values), and this module turns what it found into data paths:
``("visits", 3, "date")`` is the ``date`` key of the fourth ``[[visits]]``.
Anything it cannot place falls back to the enclosing table's header, and
failing that to the file alone.
"""

from __future__ import annotations

from cptui.tomlscan import ScanError, scan, simple_headers

PathKey = tuple[str | int, ...]


def table_path(double: bool, key: tuple[str, ...], counts: dict[tuple[str, ...], int]) -> PathKey:
    """The data path a table header opens: ("plan",) or ("visits", 3) for the 4th [[visits]].

    ``counts`` carries the number of [[...]] headers seen so far, per key.
    """
    if not double:
        return key
    idx = counts.get(key, 0)
    counts[key] = idx + 1
    return key + (idx,)


class Locator:
    def __init__(self, text: str, records_only: bool = False) -> None:
        """Place every table, record and key of ``text`` (one scan: keys cost nothing extra).

        ``records_only``: the caller asks only for tables and records (practice flags
        point at a record), so a text of simple lines needs no scan: its headers are
        found directly. A key path then finds its record, as for a key not placed.
        """
        self.lines = text.splitlines()
        self.where: dict[PathKey, tuple[int, int]] = {}
        headers = simple_headers(text) if records_only else None
        found = None
        if headers is None:
            try:
                found = scan(text)
            except ScanError:
                return  # not TOML we can follow: problems name the file only
            headers = found.headers
        counts: dict[tuple[str, ...], int] = {}
        tables: dict[int, PathKey] = {-1: ()}
        for i, h in enumerate(headers):
            path = table_path(h.double, h.key, counts)
            tables[i] = path
            self.where.setdefault(path, (h.line + 1, h.col + 1))
        if found is None:
            return  # records only: no key placed
        for table, kvs in found.keys.items():
            for kv in kvs:
                self.where.setdefault(tables[table] + kv.key, (kv.start + 1, kv.col + 1))

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
