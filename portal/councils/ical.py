"""iCalendar files for events: one event (with a confirmation) and feeds per council and for everything."""
from __future__ import annotations

from datetime import datetime

import icalendar
from flask import current_app

from models import Event
from portal.mail.outbox import external_url
from models.base import LOCAL, LOCAL_ZONE_NAME

PRODID = "-//Samskab//Faelles kalender//DA"


def uid(event: Event) -> str:
    host = current_app.config["BASE_URL"].split("://", 1)[-1].split("/", 1)[0] or "samskab"
    return f"event-{event.id}@{host}"


def event_url(event: Event) -> str:
    return external_url("councils.event", event_id=event.id)


def _component(event: Event, now: datetime) -> icalendar.Event:
    item = icalendar.Event()
    url = event_url(event)
    item.add("uid", uid(event))
    item.add("dtstamp", now)
    # Local wall-clock times with TZID, so calendars keep the meeting at 19:00 across a DST change.
    item.add("dtstart", event.starts_at.astimezone(LOCAL))
    item.add("dtend", event.ends_at.astimezone(LOCAL))
    item.add("summary", event.title)
    host = event.host.name if event.host else ""
    description = "\n\n".join(part for part in (event.description.strip(), host, url) if part)
    item.add("description", description)
    item.add("url", url)
    if event.place:
        item.add("location", event.place)
    item.add("sequence", event.sequence)
    item.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    return item


def calendar(events: list[Event], *, now: datetime, name: str, method: str | None = None) -> bytes:
    """A VCALENDAR with the events, their Europe/Copenhagen VTIMEZONE and a calendar name."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", LOCAL_ZONE_NAME)
    if method:
        cal.add("method", method)
    for event in events:
        cal.add_component(_component(event, now))
    cal.add_missing_timezones()
    return cal.to_ical()


def single(event: Event, *, now: datetime) -> str:
    """One event as text, for a download or a confirmation mail (METHOD:CANCEL when cancelled)."""
    method = "CANCEL" if event.cancelled else "PUBLISH"
    return calendar([event], now=now, name=event.title, method=method).decode("utf-8")
