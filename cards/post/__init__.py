"""Digital incoming post: scans received, routed by rules, shown to their addressees and handled.

This package holds its cards."""
