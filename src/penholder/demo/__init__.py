"""The reference negotiation: its scenario, its published demo keys, and the seeds and drafts it replays."""
