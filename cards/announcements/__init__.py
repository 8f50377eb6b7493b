"""Announcements: the message as recipients see it, the author's form, drafts and live status,
and the approver's card. Pure builders, no I/O; the verbs are cards/verbs.py's ANNOUNCEMENT_*."""
