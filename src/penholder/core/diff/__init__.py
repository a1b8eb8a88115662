"""Comparing texts: tokens, the diff engine, clean-up, moves, merges, views and counts."""
