"""spycatcher: find fake professional-network profiles run by hostile intelligence services."""

__version__ = "0.1.0"
