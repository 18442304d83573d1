"""A year of demo history at plausible Copenhagen hours whenever the demo is loaded, skipping Danish
public holidays (issue 15, part B 2)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import func, select

from models import Occurrence, Signup, SignupStatus, Task, TaskStatus, db
from models.base import LOCAL
from portal.coordinators import overview as figures
from portal.demo import load_demo_data
from portal.demo_history import HISTORY
from portal.holidays_dk import danish_holidays


def test_the_holidays_come_from_the_maintained_library():
    days = danish_holidays([2026])
    assert date(2026, 12, 25) in days and date(2026, 4, 5) in days  # Christmas Day, Easter Sunday
    assert date(2026, 12, 23) not in days


def test_a_year_of_history_at_daytime_hours_even_when_loaded_at_midnight(app):
    midnight = datetime(2026, 12, 7, 23, 5, tzinfo=timezone.utc)  # 00.05 in Copenhagen
    load_demo_data(db.session, now=midnight)
    db.session.commit()
    titles = [title for title, *_ in HISTORY]
    history = db.session.scalars(select(Task).where(Task.title.in_(titles))).all()
    assert len(history) == len(HISTORY) and all(t.status == TaskStatus.CLOSED for t in history)
    starts = [o.starts_at.astimezone(LOCAL) for t in history for o in t.occurrences]
    assert len(starts) > 120
    assert min(starts).date() <= date(2025, 12, 15) and max(starts).date() < date(2026, 12, 8)
    assert all(8 <= s.hour and (s.hour + 2) <= 21 for s in starts), "no times at night"
    free = danish_holidays([2025, 2026])
    assert not [s for s in starts if s.date() in free]
    # Attendance with hours, returning and one-time volunteers: the overview has real numbers.
    view = figures.build(figures.Period(date(2025, 12, 8), date(2026, 12, 7)), now=midnight)
    assert view.total_hours > 300 and view.returning >= 8 and view.one_time >= 3
    assert sum(n for _m, n in view.hours_by_month if n) and all(h > 0 for _m, h in view.hours_by_month[1:-1])
    reached = dict(view.breadth_reached)
    assert reached["good_first_task"] > 0 and reached["no_danish_needed"] > 0
    no_shows = db.session.scalar(select(func.count(Signup.id)).join(Occurrence).where(
        Occurrence.task_id.in_([t.id for t in history]), Signup.status == SignupStatus.NO_SHOW))
    assert no_shows > 0


def test_the_editor_is_warned_about_times_on_public_holidays(client, make):
    from models import Role
    from tests.conftest import sign_in
    staff = make.user(Role.STAFF)
    school = make.institution(staff=[staff])
    db.session.commit()
    sign_in(client, staff)
    data = {"institution_id": str(school.id), "title": "Julehygge", "description": "Vi hygger før jul.",
            "volunteers_do": "Hygger.", "volunteers_do_not": "Ingen tunge løft.", "place": "Hallen",
            "postcode": "2800", "contact_name": "Kim", "contact_email": "kim@example.dk",
            "compensation_note": "Ingen", "insurance_note": "Kommunen dækker.", "capacity": "4", "kind": "fixed",
            "date": "2030-12-18", "start_time": "10:00", "end_time": "12:00", "recurrence": "weekly",
            "repeat_count": "3"}
    page = client.post("/institution/opgaver/ny", data=data, follow_redirects=True).get_data(as_text=True)
    assert ("2 gange falder på helligdage: onsdag den 25. december 2030, onsdag den 1. januar 2031."
            in page), page[page.find("<main"):][:1500]
    data.update(title="Forårshygge", date="2030-03-06", recurrence="none", repeat_count="1")
    page = client.post("/institution/opgaver/ny", data=data, follow_redirects=True).get_data(as_text=True)
    assert "helligdag" not in page


def _is_night(moment) -> bool:
    hour = moment.astimezone(LOCAL).hour
    return hour >= 22 or hour < 7


def test_answered_ideas_and_project_updates_over_the_year_at_daytime_hours(app, client):
    """Answer times and project pages show real numbers on a fresh demo, and no demo time is at night."""
    import re
    from datetime import timedelta

    from models import Idea, IdeaEvent, IdeaStatus, Project, ProjectUpdate, Role, User
    from portal.demo_history import IDEAS
    from tests.conftest import sign_in

    midnight = datetime(2026, 12, 7, 23, 5, tzinfo=timezone.utc)  # 00.05 in Copenhagen
    load_demo_data(db.session, now=midnight)
    db.session.commit()
    ideas = db.session.scalars(select(Idea)).all()
    answered = [i for i in ideas if i.first_answer_at is not None]
    assert len(answered) >= 2 * len(IDEAS)
    assert min(i.created_at for i in ideas) < midnight - timedelta(days=300)
    spans = [i.first_answer_at - i.created_at for i in answered]
    assert min(spans) < timedelta(hours=8) and max(spans) >= timedelta(days=3), "hours to a few working days"
    assert max(spans) < timedelta(days=10)
    refusals = [i for i in ideas if i.status == IdeaStatus.CANNOT_ENGAGE]
    assert len(refusals) >= 3
    for idea in refusals:
        reason = [e for e in idea.events if e.to_status == IdeaStatus.CANNOT_ENGAGE][-1].message
        assert reason.startswith("Vi kan desværre ikke indgå:")
    assert {IdeaStatus.REALISED, IdeaStatus.CLOSED, IdeaStatus.CAN_GO_AHEAD, IdeaStatus.IN_DIALOGUE} <= {
        i.status for i in ideas}
    updates = db.session.scalars(select(ProjectUpdate)).all()
    assert min(u.created_at for u in updates) < midnight - timedelta(days=250)
    times = ([i.created_at for i in ideas] + [i.first_answer_at for i in answered]
             + [e.created_at for e in db.session.scalars(select(IdeaEvent))]
             + [u.created_at for u in updates] + [p.created_at for p in db.session.scalars(select(Project))])
    assert times and not [t.astimezone(LOCAL) for t in times if _is_night(t)]
    assert all(t <= midnight for t in times)

    coordinator = db.session.scalar(select(User).where(User.email == "koordinator@samskab.dk"))
    assert coordinator.has_role(Role.COORDINATOR)
    sign_in(client, coordinator)
    page = client.get("/ideer/svartider").get_data(as_text=True)
    year = page[page.find("De seneste 12 måneder"):][:600]
    cells = re.findall(r"<td>([^<]*)</td>", year)
    received, answered_n, median = int(cells[0]), int(cells[1]), cells[2]
    assert received >= 2 * len(IDEAS) and answered_n >= 2 * len(IDEAS), year
    assert median != "–" and float(median.replace(",", ".")) > 0, year
    assert re.match(r"\d+ %", cells[3].replace("\xa0", " ")), year

    project = db.session.scalar(select(Project).where(Project.title == "Grøn forbindelse langs Mølleåen"))
    page = client.get(f"/projekter/{project.id}").get_data(as_text=True)
    assert page.count('class="prose"') >= 6, "the latest update and those over the year"
    assert "Vi har holdt det første møde med kommunen" in page
