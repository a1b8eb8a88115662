"""The trust kernel: every rule of a negotiation, in one I/O-free package.

It is fed parsed, canonical facts (versions, trees, rosters, refs) and answers with values:
the violations of a version, the roster in force at a version, whether a text is agreed and by
whom, what a branch update is. The store (before writing), `verify`, sync, status, the
certificate, `doctor` and the app's badges all ask it; none decides a rule itself.

- `rules`: the rule ids and what each one means.
- `history`: the version graph and the state each version inherits from its ancestors.
- `versions`: the rules one version must keep against its ancestors.
- `turns`: whose move a version may be: answers, attestations, retracts, within a view.
- `agreement`: when a text is agreed, and by whom; final once it is.
- `rosters`: which roster judges a version, what a roster change may do, who owns a key.
- `tips`: rules over a whole history: branches, revocations, retracts of what is final.
- `branches`: what an update of a branch from another copy is (new, fast-forward, rollback,
  rewrite, equivocation).
- `text`: the characters no version may carry, and how painters show them.
"""
