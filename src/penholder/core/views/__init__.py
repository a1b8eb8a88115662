"""Questions asked of a negotiation: its state, comparisons, authorship, clauses, verification, certificates, health."""
