"""Reminders: what is due (read from the database when it fires), who sends it, and how."""
