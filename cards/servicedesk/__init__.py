"""Cards of the service desk: knowledge-base answers."""
