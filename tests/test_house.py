"""House rules a newcomer can rely on: no line in cptui/ runs past 100 characters.

Long lines hide what a change touched in a side-by-side diff and wrap badly in a
terminal. The only exceptions are listed here by content, so a new one is a choice.
"""

from __future__ import annotations

from pathlib import Path

MAX = 100
ROOT = Path(__file__).resolve().parent.parent / "cptui"

# Lines that cannot be wrapped without changing what they produce: the CSS served to the
# browser names its font files by URL inside one string.
ALLOWED = {
    ("tui/serve.py",
     '        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf")'
     ' format("truetype"); }'),
    ("tui/serve.py",
     '        src: url("{{ config.static.url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf")'
     ' format("truetype"); }'),
}


def long_lines(root: Path = ROOT) -> list[str]:
    """Every line over ``MAX`` characters in the package, as ``path:line: length``."""
    out = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if len(line) > MAX and (rel, line) not in ALLOWED:
                out.append(f"cptui/{rel}:{n}: {len(line)} characters")
    return out


def test_no_line_in_cptui_is_over_100_characters() -> None:
    assert long_lines() == []


def test_the_check_sees_a_long_line(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n" + "y = '" + "z" * 100 + "'\n", encoding="utf-8")
    assert long_lines(tmp_path) == ["cptui/a.py:2: 106 characters"]


def test_every_allowed_line_still_exists() -> None:
    """An exception whose line was wrapped or removed must leave the list too."""
    for rel, line in ALLOWED:
        assert line in (ROOT / rel).read_text(encoding="utf-8").splitlines(), rel
