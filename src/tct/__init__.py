"""tct — the citizen-reception register (sổ tiếp công dân)."""

__version__ = "0.1.0"
