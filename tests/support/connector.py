"""Fixtures: see the module owner."""
