"""Screens of the Penholder app, one per module."""
