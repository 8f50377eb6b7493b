"""The service desk: the knowledge base and what people search in it.

This package holds its repositories."""
