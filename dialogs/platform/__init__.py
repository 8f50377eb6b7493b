"""What every capability shares: the outbox, the audit trail, roles, contacts, dedupe, help.

This package holds its chat dialogs."""
