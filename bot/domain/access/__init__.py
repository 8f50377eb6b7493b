"""Access status (hybrid identity): is a person's account, sync, MFA, licences and devices in order.

This package holds its pure rules."""
