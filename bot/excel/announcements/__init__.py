"""Announcements: messages to many people, with their figures.

This package holds their workbooks: the report and the uploaded list of people."""
