"""The service desk: its knowledge base of articles.

This package holds its workbook."""
