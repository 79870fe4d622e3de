"""tiaokuai (条块) — county–township integrated governance platform."""

__version__ = "0.1.0"
