"""The patient's journal: one function per user action, each run inside one transaction.

The CLI and the TUI call these and nothing lower, so a check-off made from either is the
same row, checked the same way. The functions live by subject (`enrollments`, `days`,
`doses`, `symptoms`, `pauses`, `undo`, `inputs`); this module gathers them under one name.
"""

from __future__ import annotations

from rehab.store.days import (
    Day as Day,
)
from rehab.store.days import (
    _side as _side,
)
from rehab.store.days import (
    day_logs as day_logs,
)
from rehab.store.days import (
    days_active as days_active,
)
from rehab.store.days import (
    load_day as load_day,
)
from rehab.store.days import (
    logs_between as logs_between,
)
from rehab.store.days import (
    plan_for as plan_for,
)
from rehab.store.days import (
    plans_between as plans_between,
)
from rehab.store.doses import (
    Amounts as Amounts,
)
from rehab.store.doses import (
    _dose_row as _dose_row,
)
from rehab.store.doses import (
    _next_seq as _next_seq,
)
from rehab.store.doses import (
    _planned_items as _planned_items,
)
from rehab.store.doses import (
    hold_day as hold_day,
)
from rehab.store.doses import (
    next_open_key as next_open_key,
)
from rehab.store.doses import (
    record_done as record_done,
)
from rehab.store.doses import (
    record_skip as record_skip,
)
from rehab.store.enrollments import (
    _id as _id,
)
from rehab.store.enrollments import (
    _program as _program,
)
from rehab.store.enrollments import (
    active_enrollment as active_enrollment,
)
from rehab.store.enrollments import (
    enrollments_of as enrollments_of,
)
from rehab.store.enrollments import (
    find_patient as find_patient,
)
from rehab.store.enrollments import (
    patient_zone as patient_zone,
)
from rehab.store.enrollments import (
    pauses_of as pauses_of,
)
from rehab.store.enrollments import (
    plan_revised_at as plan_revised_at,
)
from rehab.store.enrollments import (
    program_of as program_of,
)
from rehab.store.enrollments import (
    progressions_of as progressions_of,
)
from rehab.store.enrollments import (
    require_enrollment as require_enrollment,
)
from rehab.store.enrollments import (
    start_program as start_program,
)
from rehab.store.holds import (
    CLEARED_APP as CLEARED_APP,
)
from rehab.store.holds import (
    CLEARED_CLI as CLEARED_CLI,
)
from rehab.store.holds import (
    open_flags as open_flags,
)
from rehab.store.holds import (
    open_pause as open_pause,
)
from rehab.store.holds import (
    red_flag_pause as red_flag_pause,
)
from rehab.store.holds import (
    refuse_if_red_flag as refuse_if_red_flag,
)
from rehab.store.holds import (
    refuse_undo_of_flag as refuse_undo_of_flag,
)
from rehab.store.inputs import (
    OLDEST_DAYS as OLDEST_DAYS,
)
from rehab.store.inputs import (
    PAIN_CONTEXTS as PAIN_CONTEXTS,
)
from rehab.store.inputs import (
    REASON_MAX as REASON_MAX,
)
from rehab.store.inputs import (
    SKIP_REASONS as SKIP_REASONS,
)
from rehab.store.inputs import (
    not_future as not_future,
)
from rehab.store.inputs import (
    not_too_old as not_too_old,
)
from rehab.store.inputs import (
    one_line_reason as one_line_reason,
)
from rehab.store.pauses import (
    pause_program as pause_program,
)
from rehab.store.pauses import (
    resume_program as resume_program,
)
from rehab.store.symptoms import (
    record_check as record_check,
)
from rehab.store.symptoms import (
    record_pain as record_pain,
)
from rehab.store.undo import (
    Undone as Undone,
)
from rehab.store.undo import (
    _refuse_if_program_changed_since as _refuse_if_program_changed_since,
)
from rehab.store.undo import (
    undo_dose as undo_dose,
)
from rehab.store.undo import (
    undo_last as undo_last,
)
from rehab.store.undo import (
    void_action as void_action,
)
