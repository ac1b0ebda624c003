"""Problems are data: every fault found is collected, never raised.

Like ``bean-check``, a run lists every problem in every file at once, so a
worker fixing a file by hand sees the whole picture in one go.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    col: int | None
    severity: Severity
    message: str
    code: str = ""  # e.g. a practice-flag name; "" for plain validation

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        tag = f"[{self.code}] " if self.code else ""
        return f"{where}: {self.severity}: {tag}{self.message}"

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "code": self.code or None,
            "message": self.message,
        }


def display_path(path: Path) -> str:
    """Relative to the working directory when possible; control characters escaped.

    A file name with a newline in it must not break the one-problem-per-line
    output that people and scripts read.
    """
    try:
        text = str(path.relative_to(Path.cwd()))
    except ValueError:
        text = str(path)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
