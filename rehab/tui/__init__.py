"""The Textual app: first-run setup, today's checklist, timers, logging, history."""
