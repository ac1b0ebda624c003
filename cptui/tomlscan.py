"""Where tables, records and keys sit in a TOML text, found by a real scanner.

tomllib gives data without positions and tomlkit is too slow to run over a
whole caseload, so cptui locates things itself. It must never mistake text
inside a string for structure: a summary such as ``Mum wrote ''' on the
door`` once shifted every record below it by one, and an edit meant for one
record landed on another. This scanner walks the text character by
character with TOML's own rules for basic, literal and multi-line strings,
comments, arrays and inline tables, so a table header is only ever a ``[``
that starts a line outside any string or value.

It reports, for valid TOML:

- every table header: line, column, ``[`` or ``[[``, and its key parts;
- every ``key = value`` at table level: its line span (a value may run over
  several lines) and its key parts;
- which lines start in plain context (not inside a string or a value), so a
  comment line above a header can be told from text inside a string.

Positions are 0-based line indices into ``text.splitlines(keepends=True)``.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from dataclasses import dataclass, field
from typing import NamedTuple


# Named tuples, not frozen dataclasses: a caseload's scans make hundreds of thousands,
# and a frozen dataclass's __init__ costs several times a tuple's.
class Header(NamedTuple):
    line: int
    col: int  # 0-based column of the first "["
    double: bool  # [[array]] rather than [table]
    key: tuple[str, ...]


class KeyValue(NamedTuple):
    start: int  # line of the key
    end: int  # one past the last line of the value
    key: tuple[str, ...]  # dotted parts, relative to the table
    col: int  # 0-based column where the value starts


@dataclass
class Scan:
    headers: list[Header] = field(default_factory=list)
    # key-values by the index of the header they fall under (-1: the root)
    keys: dict[int, list[KeyValue]] = field(default_factory=dict)
    plain_lines: set[int] = field(default_factory=set)


class ScanError(ValueError):
    """The text is not TOML the scanner can follow (it should not parse either)."""


_NEXT = re.compile(r"[\n \t\r\"'#\[\]{}]")  # the characters scan() must look at
# One whole line `key = value`: a bare key, then a one-line basic or literal string, a
# plain value (number, date, boolean) with nothing that opens a string, array or table,
# or a one-line array of those; then an optional comment. Anything else (multi-line
# strings and arrays, inline tables, quoted keys) takes the character-level path.
_END = r"[ \t\r]*(?:\#[^\n]*)?\n"  # the rest of a line: blanks, then perhaps a comment
_STR1 = r""""(?:[^"\\\n]|\\.)*"|'[^'\n]*'"""  # a one-line basic or literal string
_ITEM = rf"""(?:{_STR1}|[^"'#\[\]{{}}\s,]+)"""  # one in a one-line array: no spaces inside
_SIMPLE = (
    r"""[ \t]*(?P<key>[A-Za-z0-9_-]+)[ \t]*=[ \t]*"""
    rf"""(?P<value>{_STR1}|[^"'#\[\]{{}}\s][^"'#\[\]{{}}\n]*?"""
    rf"""|\[[ \t]*(?:{_ITEM}[ \t]*,[ \t]*)*(?:{_ITEM}[ \t]*)?\])"""
    + _END)
# A whole header line with a bare (dotted) key: `[plan]`, `  [[visits]]  # note`.
_DOTTED = r"[A-Za-z0-9_-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_-]+)*"
_BRACKETS = (rf"[ \t]*(?:\[\[[ \t]*(?P<double>{_DOTTED})[ \t]*\]\]"
             rf"|\[[ \t]*(?P<single>{_DOTTED})[ \t]*\])")
_HEADER = _BRACKETS + _END
# The common lines in one match: a simple `key = value`, a header, or a line with
# nothing on it but blanks or a comment (that last, as its blanks begin the others).
_LINE = re.compile(rf"{_SIMPLE}|{_HEADER}|{_END}")
# A whole text made only of such lines, checked in one call (possessive: no backtracking),
# and the header lines in it (no other line of such a text starts with "[").
# (Its groups unnamed: CPython's re mishandles capturing groups under a possessive repeat.)
_ALL_SIMPLE = re.compile("(?:%s)*+" % re.sub(r"\(\?P<\w+>", "(?:", _LINE.pattern))
_HEADER_LINE = re.compile("^" + _BRACKETS, re.M)
_BARE = re.compile(r"[ \t]*[A-Za-z0-9_-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_-]+)*[ \t]*")


@lru_cache(maxsize=4096)  # a caseload repeats the same few dozen keys and headers
def _key_parts(src: str) -> tuple[str, ...]:
    """A dotted key's parts, unquoted by tomllib itself: ``a."b.c"`` -> (a, b.c).

    Bare keys (nearly every key in a case file) are split here: asking tomllib
    for each of them made locating records slower than parsing the file.
    """
    if _BARE.fullmatch(src):
        return tuple(part.strip(" \t") for part in src.split("."))
    try:
        node = tomllib.loads(f"{src} = 0")
    except tomllib.TOMLDecodeError as e:
        raise ScanError(f"bad key {src!r}: {e}") from None
    parts: list[str] = []
    while isinstance(node, dict):
        (k, node), = node.items()
        parts.append(k)
    return tuple(parts)


def _end_of_string(text: str, i: int) -> int:
    """Index just past the string that starts at ``i``."""
    q = text[i]
    if text.startswith(q * 3, i):
        j = i + 3
        while True:
            k = text.find(q * 3, j)
            if k < 0:
                raise ScanError("unterminated multi-line string")
            if q == '"':
                b = k - 1
                while b >= i + 3 and text[b] == "\\":
                    b -= 1
                if (k - 1 - b) % 2 == 1:  # an escaped quote: keep looking
                    j = k + 1
                    continue
            k += 3
            extra = 0
            while extra < 2 and k < len(text) and text[k] == q:
                k += 1  # up to two more quotes belong to the content
                extra += 1
            return k
    j = i + 1
    while j < len(text):
        c = text[j]
        if c == "\\" and q == '"':
            j += 2
            continue
        if c == q:
            return j + 1
        if c == "\n":
            break
        j += 1
    raise ScanError("unterminated string")


def simple_headers(text: str) -> list[Header] | None:
    """Every table header of ``text``, found without scanning it, when every line is
    a simple one (``_LINE``: what cptui writes); None otherwise (then use ``scan``).

    Places records (the headers) only, for warnings that point at a record: about
    twice as quick as a scan, which places every key too.
    """
    if not text.endswith("\n"):
        text += "\n"
    if _ALL_SIMPLE.fullmatch(text) is None:
        return None
    out: list[Header] = []
    line, at = 0, 0
    for m in _HEADER_LINE.finditer(text):
        line += text.count("\n", at, m.start())
        at = m.start()
        double = m["double"] is not None
        out.append(Header(line, text.index("[", at) - at, double,
                          _key_parts(m["double"] if double else m["single"])))
    return out


def scan(text: str, fast: bool = True) -> Scan:
    """Scan a TOML text; see the module docstring for what comes back.

    ``fast=False`` walks every line character by character, with no shortcut for
    simple lines: the reference the tests hold the fast path to.
    """
    out = Scan()
    n = len(text)
    i = 0
    line = 0
    line_start = True  # nothing but blanks since the line began
    depth = 0  # brackets and braces open inside a value
    table = -1
    pending: tuple[int, tuple[str, ...], int] | None = None  # a value being read
    line_begin = 0
    plain = out.plain_lines.add
    plain(0)
    here: list[KeyValue] | None = None  # the keys of the current table, once it has any

    def finish_value(end_line: int) -> None:
        nonlocal pending
        if pending is not None and depth == 0:
            start, key, col = pending
            out.keys.setdefault(table, []).append(KeyValue(start, end_line, key, col))
            pending = None

    while i < n:
        if fast and i == line_begin and depth == 0 and pending is None:
            # The common lines, each in one regex step: `key = "value"` (or a one-line
            # array), a blank or comment line, a table header with a bare key.
            m = _LINE.match(text, i)
            if m is not None:
                key = m["key"]
                if key is not None:
                    if here is None:
                        here = out.keys.setdefault(table, [])
                    here.append(KeyValue(line, line + 1, (key,), m.start("value") - i))
                else:
                    head = m["double"] or m["single"]
                    if head is not None:
                        out.headers.append(Header(line, text.index("[", i) - i,
                                                  m["double"] is not None, _key_parts(head)))
                        table = len(out.headers) - 1
                        here = None
                line += 1
                i = line_begin = m.end()
                plain(line)
                continue
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
            line_begin = i
            if depth == 0:
                finish_value(line)
                out.plain_lines.add(line)
            line_start = True
            continue
        if c in " \t\r":
            i += 1
            continue
        if c == "#":
            k = text.find("\n", i)
            i = n if k < 0 else k
            continue
        if line_start and depth == 0 and pending is None:
            line_start = False
            if c == "[":
                double = text.startswith("[[", i)
                j = i + (2 if double else 1)
                # the key runs to the closing bracket outside quotes
                k = j
                while k < n and text[k] not in "]\n":
                    if text[k] in "\"'":
                        k = _end_of_string(text, k)
                    else:
                        k += 1
                if k >= n or text[k] != "]" or (double and not text.startswith("]]", k)):
                    raise ScanError(f"line {line + 1}: bad table header")
                out.headers.append(
                    Header(line, i - line_begin, double, _key_parts(text[j:k].strip()))
                )
                table = len(out.headers) - 1
                here = None
                i = k + (2 if double else 1)
                continue
            # a key: up to "=" outside quotes
            key_start = k = i
            while k < n and text[k] not in "=\n":
                if text[k] in "\"'":
                    k = _end_of_string(text, k)
                else:
                    k += 1
            if k >= n or text[k] != "=":
                raise ScanError(f"line {line + 1}: expected `key = value`")
            i = k + 1
            while i < n and text[i] in " \t":
                i += 1
            pending = (line, _key_parts(text[key_start:k].strip()), i - line_begin)
            continue
        line_start = False
        if c in "\"'":
            end = _end_of_string(text, i)
            crossed = text.count("\n", i, end)
            if crossed:  # a multi-line string: its inner lines are not plain
                line += crossed
                line_begin = text.rfind("\n", i, end) + 1
            i = end
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        else:  # plain value text (a number, date, word): jump to what could matter next
            m = _NEXT.search(text, i + 1)
            i = n if m is None else m.start()
            continue
        i += 1
    finish_value(line + 1)
    return out
