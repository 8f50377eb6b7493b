"""Announcements: authoring with guardrails and approval, the sender that fans them out through
the outbox, and what recipients do with them (acknowledge, read)."""
