"""Licences and Power BI access: the catalogue, requests, approvals, grants and reports.

This package holds its repositories."""
