"""Announcements: what communication admins send to many people, and each recipient's delivery,
read receipt and acknowledgement.

This package holds its repository."""
