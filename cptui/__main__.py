"""Allow ``python -m cptui`` where the console script is not on PATH."""

from cptui.cli import main

raise SystemExit(main())
