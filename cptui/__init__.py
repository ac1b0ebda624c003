"""cptui: child protection plan deadlines from plain TOML case files.

The core (everything in this package except ``cptui.tui``) never imports
Textual, so the command line stays fast and usable without a terminal UI.
"""

__version__ = "0.1.0"
SCHEMA = 1  # the newest case-file schema this version understands
