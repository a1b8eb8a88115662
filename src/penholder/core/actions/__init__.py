"""The one place that decides what an action means, for the CLI and the app alike.

Every function returns typed values; every refusal is a `PenholderError` (from
`penholder.core.errors`) with a stable `rule` and, where the person can get past it, a
`hint: Hint` (CHOOSE_DOCUMENT, CHOOSE_VERSION, GIVE_REVISION, GIVE_ACTOR, GIVE_TEXT,
ALLOW_DRAFT, EXPECT_ROOT). Messages never name a front end's option: the CLI renders a hint as
its flag (`--doc`, `--refers`…), the app as a gesture. The store's kernel still judges every
version it signs; these decide before a key is unlocked.

API (all importable from `penholder.core.actions`):

- Roles and addressing (`addressing`): `may_act(roster, actor, action) -> bool`,
  `check_may_act(...)` (`actor-unknown`, `role-action`), `address_problem(roster, actor,
  recipient) -> (rule, why) | None`, `addressees(roster, actor) -> list[Addressee]`,
  `check_recipients(roster, actor, action, to) -> tuple[str, ...]` (`route`,
  `recipient-unknown`, `recipients-missing`: a party addresses mediators only, an observer
  nobody), `default_recipients(roster, actor, action)`, `chooses_recipients(action)`.
- Targets (`targets`): `text_version(history, v)`, `document_at(history, v)`,
  `amend_target(history, actor, selected=, document=) -> Target(sha, notice)`,
  `default_amend_target(history, actor, document)`, `text_target(history, action, selected)`,
  `consolidation_heads(history, actor, selected)`, `resume_target(history, selected)`,
  `retract_target(actor, selected)`, `next_round(history)`, `awaits(history, actor, sha)`.
- Plans (`plans`): `plan(history, roster, actor, action, selected=None, document=None) ->
  Plan` (target, refers, document, default subject and recipients, whether the actor chooses
  them, round number, notice); `default_subject(action, target, round_number=, place=,
  date=)`; input checks `check_subject`, `check_date`, `check_round`; `request(plan, roster,
  subject=, note=, to=, text=, round_number=, place=, date=, new_roster=) -> Request`.
- Roster changes (`rosters`): `Change` (SEAT, REMOVE, ROTATE, REVOKE), `build_change(kind,
  current, target, actor_id=, name=, role=, key=) -> RosterChange(roster, subject)`,
  `roster_plan(roster, actor, change) -> Plan` (addressed to the mediators, from both front
  ends), `roster_changes(old, new)`, `added_keys`, `effect_note`, `pending_rosters(history)`.
- Comparison base (rules in `penholder.core.views.compare`, the one place): `Base` (ANSWERED,
  PREVIOUS_ROUND, LAST_SEEN), `base_version(history, v, base, actor=None, document=None)`.
- `Request` (the store's), re-exported: what a plan becomes.
- The app's façade, `penholder.core.actions.session` (imported on its own: it brings sync and
  keys, which a CLI command that only decides does not need): `Session(repo, home)` with
  `frozen() -> Reading(history, roster, tips)` (a History never changed afterwards),
  `changed()`, `refresh()`, `act(request, key)`, `text(sha, document)`, keys (`held`,
  `needs_passphrase`, `unlock`), `remotes()`, `sync_status(remote) -> SyncStatus`,
  `sync(remote, progress) -> SyncReport`; `SyncReport`, `BranchResult`, `BranchStatus` and
  the branch statuses re-exported, so the app imports nothing from `core.store` or `core.sync`.
"""

from __future__ import annotations

from penholder.core.actions.addressing import (
    Addressee,
    address_problem,
    addressees,
    check_may_act,
    check_recipients,
    chooses_recipients,
    default_recipients,
    may_act,
    role_of,
)
from penholder.core.actions.plans import (
    Plan,
    check_date,
    check_round,
    check_subject,
    default_subject,
    plan,
    request,
)
from penholder.core.actions.rosters import (
    Change,
    PendingRoster,
    RosterChange,
    added_keys,
    build_change,
    effect_note,
    key_line,
    pending_rosters,
    roster_changes,
    roster_plan,
)
from penholder.core.actions.targets import (
    Target,
    amend_target,
    awaits,
    consolidation_heads,
    default_amend_target,
    document_at,
    next_round,
    resume_target,
    retract_target,
    text_target,
    text_version,
)
from penholder.core.errors import Hint
from penholder.core.store.negotiation import Request
from penholder.core.views.compare import Base, base_version

__all__ = [
    "Addressee",
    "Base",
    "Change",
    "Hint",
    "PendingRoster",
    "Plan",
    "Request",
    "RosterChange",
    "Target",
    "added_keys",
    "address_problem",
    "addressees",
    "amend_target",
    "awaits",
    "base_version",
    "build_change",
    "check_date",
    "check_may_act",
    "check_recipients",
    "check_round",
    "check_subject",
    "chooses_recipients",
    "consolidation_heads",
    "default_amend_target",
    "default_recipients",
    "default_subject",
    "document_at",
    "effect_note",
    "key_line",
    "may_act",
    "next_round",
    "pending_rosters",
    "plan",
    "request",
    "resume_target",
    "retract_target",
    "role_of",
    "roster_changes",
    "roster_plan",
    "text_target",
    "text_version",
]
