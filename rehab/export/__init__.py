"""The therapist's progress log: CSV, JSON, a printable HTML report, a FHIR R4 bundle and an
iCalendar file of the schedule.

Every format reads the same rows (`rehab.store.rows`) for the same scope (`scope`: one
patient, a date range, the enrollments in it) and writes through `files`, which never leaves
a half-written file behind. Rows are streamed from the database, so a ten-year history is
never held in memory at once. Each writer module imports only what it needs; `rehab export
csv` does not pay for the report or FHIR code. The formats themselves are listed once, in
`formats`.
"""

from __future__ import annotations

from rehab.core.vocabulary import DISCLAIMER as DISCLAIMER
