"""The citizen's commitments as iCalendar: Copenhagen time zone, an alarm, and the task's address."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event, Timezone

from models import Signup, SignupStatus
from models.base import LOCAL, LOCAL_ZONE_NAME
from models.tasks import missing_for
from portal.formatting import awaited
from portal.mail.outbox import external_url

ALARM_BEFORE = timedelta(hours=2)
# The VTIMEZONE spans these years around today, so every client shows the right hour.
ZONE_YEARS_BACK, ZONE_YEARS_AHEAD = 2, 5


def _zone(now: datetime) -> Timezone:
    zone = Timezone.from_tzid(LOCAL_ZONE_NAME, first_date=date(now.year - ZONE_YEARS_BACK, 1, 1),
                              last_date=date(now.year + ZONE_YEARS_AHEAD, 1, 1))
    # The library notes the span in English ("This timezone only works from ..."); the reader needs no note.
    zone.pop("COMMENT", None)
    return zone


def _event(signup: Signup, now: datetime) -> Event:
    occurrence, task = signup.occurrence, signup.occurrence.task
    url = external_url("public.task", task_id=task.id)
    event = Event()
    event.add("uid", f"samskab-signup-{signup.id}@samskab")
    event.add("dtstamp", now)
    event.add("sequence", task.sequence)
    event.add("summary", task.title)
    event.add("location", ", ".join(filter(None, [task.place, task.postcode])))
    start = occurrence.starts_at.astimezone(LOCAL)
    if task.kind == "fixed" and occurrence.ends_at is not None:
        event.add("dtstart", start)
        event.add("dtend", occurrence.ends_at.astimezone(LOCAL))
    else:
        # A window or open-ended task is shown as whole days: any time then.
        event.add("dtstart", start.date())
        last = (occurrence.ends_at or occurrence.starts_at).astimezone(LOCAL).date()
        event.add("dtend", last + timedelta(days=1))
    event.add("status", "CONFIRMED" if signup.status in SignupStatus.TOOK_PART else "TENTATIVE")
    # Calendar programs ignore URL, so the address goes into the description as well.
    lines = [
        _("Read about the task: %(url)s", url=url),
        "",
        _("As a volunteer you: %(text)s", text=task.volunteers_do),
        _("As a volunteer you do not: %(text)s", text=task.volunteers_do_not),
        _("Contact person: %(name)s, %(email)s", name=task.contact_name, email=task.contact_email)
        + (f", {task.contact_phone}" if task.contact_phone else ""),
    ]
    if signup.status == SignupStatus.PENDING:
        what = awaited(missing_for(signup))
        if what:
            lines.insert(0, _("Your sign-up waits for %(what)s to be recorded.", what=what))
    event.add("description", "\n".join(lines))
    event.add("url", url)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _("Reminder: %(title)s", title=task.title))
    alarm.add("trigger", -ALARM_BEFORE)
    event.add_component(alarm)
    return event


def calendar_for(signups: list[Signup], *, name: str, now: datetime) -> bytes:
    """An iCalendar file with one event per sign-up (they must have occurrence and task loaded)."""
    cal = Calendar()
    cal.add("prodid", "-//Samskab//Frivillige opgaver//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", LOCAL_ZONE_NAME)
    cal.add_component(_zone(now))
    for signup in signups:
        cal.add_component(_event(signup, now))
    return cal.to_ical()
