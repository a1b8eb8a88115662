"""Across machines: fetch into quarantine, judge each branch, fast-forward, push; what the app shows of remotes."""
