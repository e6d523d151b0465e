"""One check cycle, and the APScheduler wiring that runs it at the right instants.

The scheduler holds a single date job, "next check", at the next instant anything can become
due (a slot time or the end of quiet hours); each check reschedules it. The instants
come from `fire_instant`, so DST gaps and repeats are handled in one place, and a check that
fires late (machine asleep, process down) still sends what is open: the job has a long
misfire grace and coalesces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from rehab.core import clock
from rehab.reminders import due as due_module
from rehab.reminders.due import SLOT_TITLES, Reminder
from rehab.store import journal
from rehab.store.patients import pick_patient

JOB_ID = "rehab-next-check"
MISFIRE_GRACE_SECONDS = 6 * 3600


@dataclass(frozen=True)
class Sent:
    reminder: Reminder
    channel: str
    text: str

    def log_line(self) -> str:
        local = self.reminder.at
        return (
            f"{local:%Y-%m-%d %H:%M} UTC · {self.reminder.slot} · via {self.channel}: {self.text}"
        )


Send = Callable[[str, str], str]  # (title, body) -> channel used


def check_once(
    engine: Engine,
    *,
    patient_name: str | None,
    now: datetime | None = None,
    catch_up: bool = False,
    send: Send,
) -> list[Sent]:
    """Find what is due and claim it (committed before anything is sent, so another process
    stays quiet and the database is not held while a notification daemon answers), send it,
    then note which way it went. A naive `now` is a wall-clock time in the patient's zone.
    Returns what this process sent."""
    moment = now or clock.now_utc()
    with Session(engine, expire_on_commit=False) as session, session.begin():
        patient = pick_patient(session, name=patient_name)
        if moment.tzinfo is None:  # a wall-clock time: read it in the patient's zone
            moment = moment.replace(tzinfo=journal.patient_zone(patient))
        reminders = due_module.due(session, patient=patient, now=moment, catch_up=catch_up)
        mine = [
            r
            for r in reminders
            if due_module.claim(session, patient=patient, reminder=r, now=moment)
        ]
    if not mine:
        return []
    catch_ups = [r for r in mine if r.catch_up]
    batches: list[tuple[str, list[Reminder]]] = [(r.text(), [r]) for r in mine if not r.catch_up]
    if catch_ups:
        summary = catch_up_text(catch_ups)
        batches.insert(0, (f"Catch-up: {summary}", catch_ups))
    channels = [send("rehab reminder", text) for text, _ in batches]
    result: list[Sent] = []
    with Session(engine) as session, session.begin():
        patient = pick_patient(session, name=patient_name)
        for (text, group), channel in zip(batches, channels, strict=True):
            for reminder in group:
                due_module.record_channel(
                    session, patient=patient, reminder=reminder, channel=channel
                )
                result.append(Sent(reminder, channel, text))
    return result


def next_instant(engine: Engine, *, patient_name: str | None, now: datetime) -> datetime:
    with Session(engine) as session, session.begin():
        patient = pick_patient(session, name=patient_name)
        return due_module.next_check(session, patient=patient, now=now)


class ReminderRunner:
    """Keeps one 'next check' job on an APScheduler 3 scheduler (blocking, background or
    asyncio) and runs `check_once` when it fires."""

    def __init__(
        self,
        scheduler: Any,
        engine: Engine,
        *,
        patient_name: str | None,
        send: Send,
        on_sent: Callable[[list[Sent]], None] = lambda sent: None,
        on_error: Callable[[BaseException], None] = lambda exc: None,
    ) -> None:
        self.scheduler = scheduler
        self.engine = engine
        self.patient_name = patient_name
        self.send = send
        self.on_sent = on_sent
        self.on_error = on_error

    def start(self) -> None:
        """Catch up on what was missed while nothing ran, then wait for the next instant."""
        self.scheduler.add_job(
            self.run,
            "date",
            run_date=clock.now_utc(),
            kwargs={"catch_up": True},
            id=JOB_ID,
            replace_existing=True,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
            coalesce=True,
        )

    def run(self, catch_up: bool = False) -> None:
        now = clock.now_utc()
        try:
            sent = check_once(
                self.engine,
                patient_name=self.patient_name,
                now=now,
                catch_up=catch_up,
                send=self.send,
            )
            if sent:
                self.on_sent(sent)
            upcoming = next_instant(self.engine, patient_name=self.patient_name, now=now)
        except Exception as exc:  # a locked database, say: try again in a minute
            self.on_error(exc)
            upcoming = now + timedelta(minutes=1)
        self.scheduler.add_job(
            self.run,
            "date",
            run_date=upcoming,
            id=JOB_ID,
            replace_existing=True,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
            coalesce=True,
        )


def catch_up_text(reminders: list[Reminder]) -> str:
    """Missed slots in one line, each dose once: an 'any time' dose that rides along with
    every slot is listed with the first slot that has it, and a slot with nothing new joins
    the title of the one before ('Morning and Midday (missed earlier): …')."""
    parts: list[tuple[list[str], list[str]]] = []  # (slot titles, new lines)
    listed: set[str] = set()
    for reminder in reminders:
        new = [line for line in reminder.lines if line not in listed]
        listed.update(new)
        title = SLOT_TITLES[reminder.slot]
        if new or not parts:
            parts.append(([title], new))
        else:
            parts[-1][0].append(title)
    return "; ".join(
        f"{' and '.join(titles)} (missed earlier): " + "; ".join(lines) for titles, lines in parts
    )
