"""The ports the services depend on, one module per capability (platform: what they share)."""
