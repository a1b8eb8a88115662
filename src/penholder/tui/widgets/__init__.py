"""Widgets of the Penholder app."""
