"""The demo's keys: derived from a fixed, published seed, so anyone can replay the demo
negotiation and get the same versions. DEMO ONLY: anyone can recompute them."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

DEMO_SEED_LABEL = b"penholder DEMO ONLY - never use for a real negotiation - "


def demo_private_key(actor_id: str) -> Ed25519PrivateKey:
    """A key derived from a fixed, published seed. DEMO ONLY: anyone can recompute it."""
    seed = hashlib.sha256(DEMO_SEED_LABEL + actor_id.encode("utf-8")).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)
