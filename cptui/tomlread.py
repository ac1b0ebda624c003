"""The one TOML reader for case files: compiled ``tomli`` where installed, else ``tomllib``.

Parsing is half of a cold load. ``tomli`` ships mypyc-compiled wheels that
parse about 2.8x faster than the stdlib's pure-Python ``tomllib`` (itself a
copy of tomli) and return identical dicts and identical error messages, so
the choice never changes what a user sees. tomlkit is for writing only.
"""

from __future__ import annotations

try:  # the compiled wheel; a pure-Python tomli would be no faster, but no slower either
    import tomli as _tomli
except ImportError:  # pragma: no cover - tomli is a dependency, but never required
    _tomli = None  # type: ignore[assignment]

if _tomli is not None:
    loads = _tomli.loads
    BACKEND = "tomli"
    TOMLDecodeError: type[ValueError] = _tomli.TOMLDecodeError  # what ``loads`` raises
else:  # pragma: no cover
    import tomllib

    loads = tomllib.loads
    BACKEND = "tomllib"
    TOMLDecodeError = tomllib.TOMLDecodeError

