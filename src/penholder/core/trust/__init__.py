"""The trust kernel: every rule of a negotiation, in one I/O-free package.

It is fed parsed, canonical facts (versions, trees, rosters, refs) and answers with values:
the violations of a version, the roster in force at a version, whether a text is agreed and by
whom, what a branch update is. The store (before writing), `verify`, sync, status, the
certificate, `doctor` and the app's badges all ask it; none decides a rule itself.

- `rules`: the rule ids and what each one means.
- `history`: the version graph and the state each version inherits from its ancestors.
- `versions`: the rules one version must keep against its ancestors.
"""
