"""The headless domain: templates, schedules, rules. Imports no UI, scheduler or database."""
