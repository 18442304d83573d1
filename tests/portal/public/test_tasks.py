"""The public task list and task page: what is public, search, filters, sorting, pages, statement count."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from models import db, utcnow
from tests.factories import aware


@contextmanager
def count_statements():
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def titles(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def school(make):
    return make.institution(name="Lyngby Skole", kind="school", postcode="2800")


def test_only_published_tasks_are_listed(client, make, school):
    for status in ("draft", "open", "closed", "cancelled"):
        make.task(school, title=f"Opgave-{status}", status=status)
    full = make.task(school, title="Opgave-fuld", capacity=1)  # a full time still takes its waiting list
    make.signup_record(full.occurrences[0], make.user())
    db.session.commit()
    page = titles(client.get("/opgaver"))
    assert "Opgave-open" in page and "Opgave-fuld" in page
    for hidden in ("Opgave-draft", "Opgave-closed", "Opgave-cancelled"):
        assert hidden not in page
    assert "2 opgaver fundet" in page


def test_task_page_is_public_only_when_published(client, make, school):
    draft = make.task(school, status="draft")
    closed = make.task(school, status="closed")
    shown = make.task(school, status="open", title="Læs højt for de mindste", contact_name="Mette Hansen",
                      contact_phone="45 12 34 56", compensation_note="Vi betaler transport.",
                      insurance_note="Kommunen forsikrer dig.", requires_child_certificate=True, capacity=4)
    db.session.commit()
    assert client.get(f"/opgaver/{draft.id}").status_code == 404
    assert client.get(f"/opgaver/{closed.id}").status_code == 404
    assert client.get("/opgaver/999999").status_code == 404
    page = titles(client.get(f"/opgaver/{shown.id}"))
    for expected in ("Læs højt for de mindste", "Mette Hansen", "45 12 34 56", "Vi betaler transport.",
                     "Kommunen forsikrer dig.", "Læser højt for børnene.", "Ingen personlig pleje",
                     "Børneattest", "4 ledige pladser", "Log ind for at tilmelde dig", "Biblioteket"):
        assert expected in page, expected


def test_past_occurrences_are_not_offered(client, make, school):
    old = make.task(school, title="Sommerfest sidste år", starts_at=utcnow() - timedelta(days=30))
    db.session.commit()
    assert "Sommerfest sidste år" not in titles(client.get("/opgaver"))
    assert "Der er ikke flere tidspunkter" in titles(client.get(f"/opgaver/{old.id}"))


def test_free_text_search_covers_title_description_place_and_institution(client, make, school):
    library = make.institution(name="Stadsbiblioteket", kind="library")
    make.task(school, title="Lektiehjælp i matematik", description="Hjælp elever i 7. klasse.")
    make.task(library, title="Strikkecafé", description="Vi strikker sammen.", place="Æblehaven")
    db.session.commit()
    assert "Lektiehjælp i matematik" in titles(client.get("/opgaver?q=lektiehjælp"))
    assert "Strikkecafé" not in titles(client.get("/opgaver?q=lektiehjælp"))
    assert "Strikkecafé" in titles(client.get("/opgaver?q=stadsbibliotek"))
    # Case folding beyond ASCII: "æblehaven" finds "Æblehaven".
    assert "Strikkecafé" in titles(client.get("/opgaver?q=æblehaven"))
    # Every word must match.
    assert "1 opgave fundet" in titles(client.get("/opgaver?q=hjælp+elever"))
    assert "0 opgaver fundet" in titles(client.get("/opgaver?q=hjælp+strikker"))


def test_filters(client, make, school):
    centre = make.institution(name="Solgården", kind="elder_centre", postcode="2830")
    base = (utcnow() + timedelta(days=10)).replace(hour=12, minute=0, second=0, microsecond=0)
    make.task(school, title="Skolehaven", starts_at=base, requires_child_certificate=True)
    make.task(centre, title="Gåtur med beboere", starts_at=base + timedelta(days=20), requires_pledge=True,
              recurrence="weekly", occurrences=3)
    full = make.task(centre, title="Banko", starts_at=base, capacity=1)
    make.signup_record(full.occurrences[0], make.user())
    db.session.commit()

    def listed(query):
        return titles(client.get("/opgaver?" + query))

    page = listed("kind=elder_centre")
    assert "Gåtur med beboere" in page and "Banko" in page and "Skolehaven" not in page
    page = listed("area=283")
    assert "Skolehaven" not in page and "Banko" in page
    page = listed("recurrence=recurring")
    assert "Gåtur med beboere" in page and "Banko" not in page
    page = listed("recurrence=once")
    assert "Gåtur med beboere" not in page and "Skolehaven" in page
    page = listed("no_certificate=y&no_pledge=y")
    assert "Banko" in page and "Skolehaven" not in page and "Gåtur med beboere" not in page
    page = listed("spots_left=y")
    assert "Banko" not in page and "Skolehaven" in page
    until = (base + timedelta(days=5)).date().isoformat()
    page = listed(f"date_to={until}")
    assert "Skolehaven" in page and "Gåtur med beboere" not in page
    since = (base + timedelta(days=15)).date().isoformat()
    page = listed(f"date_from={since}")
    assert "Gåtur med beboere" in page and "Skolehaven" not in page


def test_weekday_and_part_of_day_use_copenhagen_time_across_summer_time(client, make, school):
    # 17:30 in Copenhagen is 15:30 UTC in summer and 16:30 UTC in winter; both are evening.
    make.task(school, title="Sommeraften", starts_at=aware(2030, 6, 5, 15, 30))   # Wednesday 17:30 CEST
    make.task(school, title="Vinteraften", starts_at=aware(2030, 1, 9, 16, 30))   # Wednesday 17:30 CET
    make.task(school, title="Sen eftermiddag", starts_at=aware(2030, 6, 5, 14, 30))  # Wednesday 16:30 CEST
    make.task(school, title="Natten til torsdag", starts_at=aware(2030, 6, 5, 22, 30))  # Thursday 00:30 CEST
    db.session.commit()
    evening = titles(client.get("/opgaver?parts=evening"))
    assert "Sommeraften" in evening and "Vinteraften" in evening and "Sen eftermiddag" not in evening
    afternoon = titles(client.get("/opgaver?parts=afternoon"))
    assert "Sen eftermiddag" in afternoon and "Sommeraften" not in afternoon
    wednesday = titles(client.get("/opgaver?weekdays=2"))
    assert "Sommeraften" in wednesday and "Natten til torsdag" not in wednesday
    assert "Natten til torsdag" in titles(client.get("/opgaver?weekdays=3&parts=morning"))


def test_sorting_and_pages(client, make, school):
    start = utcnow() + timedelta(days=2)
    for i in range(25):
        make.task(school, title=f"Opgave nr. {i:02d}", starts_at=start + timedelta(hours=24 * (25 - i)))
    db.session.commit()
    first = titles(client.get("/opgaver?sort=soonest"))
    assert "Opgave nr. 24" in first and "Opgave nr. 00" not in first
    assert first.index("Opgave nr. 24") < first.index("Opgave nr. 23")
    assert "Side 1 af 2" in first
    second = titles(client.get("/opgaver?sort=soonest&side=2"))
    assert "Opgave nr. 00" in second and "Opgave nr. 24" not in second
    by_title = titles(client.get("/opgaver?sort=title"))
    assert by_title.index("Opgave nr. 00") < by_title.index("Opgave nr. 01")
    # A page beyond the end shows the last page rather than an empty list.
    assert "Opgave nr. 00" in titles(client.get("/opgaver?sort=soonest&side=99"))


def test_invalid_search_keeps_input_and_explains_in_danish(client, make, school):
    make.task(school, title="Skolehaven")
    db.session.commit()
    page = titles(client.get("/opgaver?q=have&date_from=2030-05-10&date_to=2030-05-01&area=abc&kind=slot"))
    assert "Vælg en af mulighederne." in page
    assert "Vælg blandt de viste muligheder." in titles(client.get("/opgaver?weekdays=mandag"))
    # The valid part of the search still works.
    assert "Skolehaven" in titles(client.get("/opgaver?q=skole&kind=slot"))
    assert "Slutdatoen skal være samme dag som startdatoen eller senere." in page
    assert "Skriv et postnummer" in page
    assert 'value="have"' in page and 'value="2030-05-01"' in page and 'value="abc"' in page


def test_list_page_statement_count_does_not_grow_with_rows(client, make, school):
    other = make.institution(name="Anden skole")
    make.task(school, title="Første")
    make.task(other, title="Anden", occurrences=3, recurrence="weekly")
    db.session.commit()
    client.get("/tema.css")  # the municipality's identity is read once per 30 s per process, not per page
    with count_statements() as few:
        assert client.get("/opgaver").status_code == 200
    for i in range(30):
        make.task(make.institution(name=f"Sted {i}"), title=f"Flere {i}", occurrences=2, recurrence="weekly")
    db.session.commit()
    with count_statements() as many:
        response = client.get("/opgaver")
    assert titles(response).count("<h3>") == 20
    assert len(many) == len(few), many
    assert len(many) <= 3
