"""Announcements: what a communication admin writes, to whom it may go, and how its delivery is
counted. Pure rules, no I/O."""
