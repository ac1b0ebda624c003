"""The ``packaging`` library, for ``cptui bundle`` only.

It is not a cptui dependency: the bundle command needs pip anyway, and pip
always carries its own copy, so use the standalone one when present and pip's
otherwise. Nothing else in cptui imports this.
"""

from __future__ import annotations

try:
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion, Version
except ImportError:  # pragma: no cover - depends on what else is installed
    from pip._vendor.packaging.markers import default_environment  # type: ignore[no-redef]
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.utils import canonicalize_name  # type: ignore[no-redef]
    from pip._vendor.packaging.version import InvalidVersion, Version  # type: ignore[no-redef]

__all__ = ["InvalidVersion", "Requirement", "Version", "canonicalize_name", "default_environment"]
