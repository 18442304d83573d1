"""Demo volunteers whose skills fit the demo tasks, so "Foreslåede frivillige" shows people (issue 14).

Each theme below is written in the words a volunteer would use about the demo tasks' skills; four people
share each theme, live in the demo municipality's postcodes, will travel 20–40 km, have time on weekday and
weekend daytimes, agreed that institutions may find them, and the coordinator approved and screened them
(child certificate and pledge), all through the same use cases a real profile goes through.
`flask --app app suggestions report` measures the result (README, "Suggestions that say what stands in
the way").
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from models import ReviewStatus, Role, User
from models.volunteer_operations import ProfileChanges, ScreeningFacts, record_screening, review_profile, update_profile

PER_THEME = 4
SEED = 14
POSTCODES = ("2800", "2830", "2840", "2820", "2900", "2920", "2930", "2870")
DAYTIME = {(weekday, part) for weekday in range(7) for part in ("morning", "afternoon")}

# (skills, interests): the volunteer's own words, close to the demo tasks they would fit.
THEMES = [
    ("Lektiehjælp i matematik, dansk og engelsk, tidligere lærer", "Børn, skole og lektiecafé"),
    ("Højtlæsning og læsning med børn, elsker bøger", "Bøger, børn og at læse avis højt for ældre"),
    ("Skak, brætspil og spil med unge", "Undervisning af børn og unge i spil"),
    ("Cykelreparation med værktøj, kan lappe og justere bremser", "Cykling, cykler og håndværk"),
    ("Tømrer og håndværk: byggeri, maling og reparation", "Bygge med børn, værksted og bådebyggeri"),
    ("Teknik og reparation af kørestole og cykler", "Håndværk og teknik på plejecentret"),
    ("Gåture, samtale og natur", "Ældre, besøgsven og udflugter som ledsager"),
    ("Musik: klaver, guitar og sang", "Fællessang og rytmik med børn og ældre"),
    ("IT, computer, tablet og MitID, tålmodig", "Hjælpe ældre og borgere med det digitale"),
    ("Havearbejde, planter og natur", "Have, sansehave og dyr og planter med børn"),
    ("Dansk samtale, sprog og kultur", "Sprogcafé, oversættelse og nye danskere"),
    ("Strikning, håndarbejde og samvær", "Strikkecafé og kreativitet"),
    ("Service, værtskab og logistik ved stævner", "Regatta, bogfestival og kiosk: salg og kasse"),
    ("Fodbold, træning og praktisk udendørs arbejde", "Sport med børn og kridtning af baner"),
    ("Samtale i telefon, god til at lytte", "Ensomme ældre og besøgsven"),
    ("Grafisk design, plakater, skrivning og kommunikation", "Referat, historie og erindringer"),
    ("Madlavning, køkken og bagning", "Madklub, kagebord og samvær"),
    ("Kajak, roning, svømning og instruktion", "Vandsport og friluftsliv"),
    ("English conversation and teaching, dansk og engelsk", "Conversation club and languages"),
    ("Formidling, service og samtale om frivillighed", "Frivillig Fredag, stand og foreningsliv"),
]
FIRST_NAMES = ["Gitte", "Allan", "Rikke", "Kasper", "Bente", "Morten", "Louise", "Rasmus", "Hanne", "Tariq",
               "Nadia", "Johan", "Signe", "Carsten", "Pernille", "Ali", "Vibeke", "Steen", "Line", "Finn"]
LAST_NAMES = ["Lund", "Holm", "Dam", "Bach", "Vestergaard", "Frandsen", "Skov", "Mortensen", "Iversen", "Berg",
              "Karimi", "Winther", "Friis", "Nørgaard"]


def add_fitting_volunteers(session: Session, *, now: datetime, today: date, password_hash: str,
                           coordinator: User) -> list[User]:
    """Add PER_THEME volunteers per theme (own random stream: the rest of the demo is unchanged)."""
    rng = random.Random(SEED)
    people = []
    for t, (skills, interests) in enumerate(THEMES):
        for n in range(PER_THEME):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            user = User(email=f"frivillig.{t}.{n}@example.dk", name=f"{first} {last}", password_hash=password_hash,
                        email_verified_at=now, created_at=now - timedelta(days=rng.randint(20, 400)))
            user.grant(Role.CITIZEN)
            session.add(user)
            session.flush()
            written = now - timedelta(days=rng.randint(10, 19))
            update_profile(user, ProfileChanges(
                skills=skills, interests=interests, postcode=rng.choice(POSTCODES), travel_km=rng.choice([20, 30, 40]),
                languages=rng.choice(["dansk", "dansk, engelsk"]), offers_time=True, motivations=["community", "time"],
                consent_to_be_found=True, availability=set(DAYTIME) | ({(rng.randrange(7), "evening")}),
                birth_year=rng.randint(1950, 2000), gender=rng.choice(["female", "male"])), now=written)
            review_profile(user.profile, actor=coordinator, now=written + timedelta(days=1),
                           decision=ReviewStatus.APPROVED)
            record_screening(user.profile, ScreeningFacts(
                "received", requested_on=today - timedelta(days=40), received_on=today - timedelta(days=20),
                valid_until=today + timedelta(days=700), pledge_given=True),
                actor=coordinator, now=written + timedelta(days=2))
            people.append(user)
    return people
