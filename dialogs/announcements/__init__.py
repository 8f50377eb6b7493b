"""Announcements in chat: comms people write, preview, send and follow them; a second person
approves them when that is asked; everyone acknowledges the urgent ones."""
