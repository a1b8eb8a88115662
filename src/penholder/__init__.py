"""Penholder: negotiations held entirely through signed, witnessed written drafts."""

__version__ = "0.1.0"
