"""The service desk: answers from the knowledge base first.

This package holds its use cases."""
