"""Demo data: realistic Danish content drawn from the seed documents, with dates relative to now.

`load_demo_data(session, now=...)` fills an empty database and returns what it added; on a database
that already has users it raises DemoDataExists and changes nothing. The random generator has a fixed
seed, so two loads on the same day give the same site.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from models import (AvailabilitySlot, CoCreator, Council, CouncilMember, Event, EventSignup, Idea, IdeaEvent,
                    Institution, InstitutionMember, Occurrence, Project, ProjectFollower, ProjectUpdate, Role,
                    Screening, Signup, Task, User, VolunteerProfile)

DEMO_PASSWORD = "Samskab-demo-2026"
LOCAL = ZoneInfo("Europe/Copenhagen")

# (e-mail, name, roles) — the README lists these logins.
DEMO_LOGINS = [
    ("borger@samskab.dk", "Mette Andersen", (Role.CITIZEN,)),
    ("institution@samskab.dk", "Lars Holm", (Role.STAFF,)),
    ("lokalraad@samskab.dk", "Birgit Sørensen", (Role.COUNCIL, Role.CITIZEN)),
    ("koordinator@samskab.dk", "Sara Nielsen", (Role.COORDINATOR,)),
    ("admin@samskab.dk", "Jonas Berg", (Role.ADMIN,)),
]

AREAS = [("2800", "Kongens Lyngby"), ("2830", "Virum"), ("2840", "Holte"), ("2820", "Gentofte"),
         ("2900", "Hellerup"), ("2920", "Charlottenlund"), ("2930", "Klampenborg"), ("2870", "Dyssegård")]

INSTITUTIONS = [
    ("Lindegårdsskolen", "school", "Lindegårdsvej 10", "2800"),
    ("Virum Skole", "school", "Skolebakken 3", "2830"),
    ("Plejecentret Bakkehuset", "elder_centre", "Bakkevej 4", "2800"),
    ("Solgården Ældrecenter", "elder_centre", "Solvej 21", "2820"),
    ("Børnehuset Mælkebøtten", "day_care", "Engvej 7", "2830"),
    ("Vuggestuen Lærkereden", "day_care", "Lærkevej 2", "2900"),
    ("Stadsbiblioteket Lyngby", "library", "Lyngby Hovedgade 28", "2800"),
    ("Hellerup Bibliotek", "library", "Hellerupvej 20", "2900"),
    ("Lyngby Roklub", "club", "Bådvej 1", "2800"),
    ("Virum Fodboldklub", "club", "Idrætsvej 5", "2830"),
    ("Frivilligcenter Lyngby", "other", "Toftebæksvej 12", "2800"),
]

# (institution index, title, description, skills wanted, volunteers do, recurrence, weeks, capacity, hours,
#  child certificate, pledge, kind)
TASK_TEMPLATES = [
    (0, "Lektiehjælp i skolens lektiecafé", "Hjælp elever i 4.–6. klasse med lektier i matematik og dansk.",
     "lektiehjælp, matematik, dansk, tålmodighed", "Hjælper elever med lektier i lektiecaféen.", "weekly", 6, 4, 2,
     True, True, "fixed"),
    (0, "Højtlæsning for indskolingen", "Læs højt for en lille gruppe elever i skolens bibliotek.",
     "højtlæsning, bøger, børn", "Læser højt og taler om bøgerne med børnene.", "weekly", 4, 2, 1, True, False, "fixed"),
    (1, "Skak for begyndere i frikvarteret", "Lær elever skak i det lange frikvarter.",
     "skak, spil, undervisning", "Viser skaktræk og spiller med eleverne.", "weekly", 8, 2, 1, True, False, "fixed"),
    (1, "Cykelværksted for 7. klasse", "Hjælp elever med at reparere deres cykler inden cykeldagen.",
     "cykelreparation, værktøj, håndværk", "Viser hvordan man lapper og justerer bremser.", "none", 1, 3, 3,
     True, False, "fixed"),
    (1, "Bygge udekøkken med elever", "Vi bygger et udekøkken i skolegården sammen med 8. klasse.",
     "tømrer, håndværk, byggeri", "Hjælper eleverne med at bygge under lærerens ledelse.", "none", 1, 4, 5,
     True, False, "fixed"),
    (2, "Kørestolsteamet: hold kørestolene kørende", "Vær med i teamet der olierer og pumper kørestole en gang om ugen.",
     "kørestole, reparation, teknik, håndværk", "Tjekker dæk, bremser og olierer kørestole.", "weekly", 8, 3, 2,
     False, True, "fixed"),
    (2, "Gåtur med beboere", "Gå en tur i nærområdet med beboere der gerne vil ud.",
     "gåture, samtale, natur", "Går tur og snakker med beboere.", "weekly", 6, 4, 1, False, True, "fixed"),
    (2, "Fællessang om eftermiddagen", "Spil klaver eller guitar til fællessang i caféen.",
     "musik, klaver, guitar, sang", "Spiller og synger sammen med beboerne.", "biweekly", 6, 2, 1, False, True,
     "fixed"),
    (3, "Cykling uden alder", "Tag en beboer med på cykeltur i rickshaw langs Øresund.",
     "cykling, natur, samtale", "Cykler rickshaw med en eller to beboere.", "weekly", 6, 3, 2, False, True, "fixed"),
    (3, "IT-hjælp til ældre", "Hjælp beboere med tablet, MitID og videoopkald til familien.",
     "IT, computer, tablet, tålmodighed", "Viser hvordan tablet og videoopkald virker.", "weekly", 6, 2, 2,
     False, True, "fixed"),
    (3, "Havearbejde i sansehaven", "Luge, plante og vande i centrets sansehave.",
     "have, havearbejde, planter", "Luger, planter og vander i haven.", "none", 1, 5, 3, False, False, "fixed"),
    (3, "Besøgsven på Solgården", "Bliv fast besøgsven for en beboer, der savner nogen at tale med.",
     "samtale, besøgsven, lytte", "Besøger og taler med en fast beboer.", "biweekly", 8, 3, 1, False, True, "fixed"),
    (4, "Naturtur med børnehavebørn", "Tag med på tur i skoven og vis børnene dyr og planter.",
     "natur, børn, dyr, friluftsliv", "Går med på tur og fortæller om naturen.", "none", 1, 2, 3, True, False,
     "fixed"),
    (4, "Bedstefar-læsning i børnehaven", "Læs højt for de store børnehavebørn før frokost.",
     "højtlæsning, børn, bøger", "Læser højt for en lille gruppe børn.", "weekly", 5, 1, 1, True, False, "fixed"),
    (5, "Reparation af legeplads", "Hjælp med at male og reparere legepladsens træhuse.",
     "maling, tømrer, håndværk", "Maler og reparerer legehuse.", "none", 1, 4, 4, True, False, "fixed"),
    (6, "Sprogcafé for nye danskere", "Snak dansk med flygtninge og nye borgere over en kop kaffe.",
     "dansk, samtale, sprog, kultur", "Taler dansk og hjælper med ord og udtale.", "weekly", 8, 5, 2, False, False,
     "fixed"),
    (6, "Lektiehjælp på biblioteket", "Lektiecafé for skoleelever tirsdag eftermiddag.",
     "lektiehjælp, matematik, engelsk", "Hjælper elever med lektier.", "weekly", 8, 4, 2, True, False, "fixed"),
    (6, "Digital hjælp: MitID og borger.dk", "Hjælp borgere der har svært ved at komme i gang med MitID.",
     "IT, MitID, computer, tålmodighed", "Viser borgere hvordan MitID og borger.dk virker.", "weekly", 6, 3, 2,
     False, True, "fixed"),
    (6, "Bogfestival: værter i weekenden", "Vær vært ved bibliotekets bogfestival.",
     "værtskab, service, bøger", "Byder velkommen og viser vej.", "none", 1, 10, 4, False, False, "fixed"),
    (7, "Strikkecafé", "Vær tovholder på bibliotekets strikkecafé.",
     "strikning, håndarbejde, samvær", "Tager imod og hjælper med strikkemønstre.", "biweekly", 6, 2, 2, False,
     False, "fixed"),
    (7, "Læsevenner for 2. klasse", "Læs sammen med børn der har brug for ekstra læsetræning.",
     "læsning, børn, tålmodighed", "Læser sammen med et barn.", "weekly", 6, 3, 1, True, False, "fixed"),
    (8, "Regatta: hjælpere til stævnedagen", "Vi har brug for mange hænder til Lyngby Regatta.",
     "roning, logistik, service", "Hjælper med opstilling, forplejning og oprydning.", "none", 1, 40, 6, False,
     False, "fixed"),
    (8, "Vedligehold af robåde", "Slib og lak robåde i vinterperioden.",
     "bådebyggeri, håndværk, maling", "Sliber og lakerer både.", "weekly", 6, 4, 3, False, False, "fixed"),
    (8, "Fisketur for børn", "Tag med på fisketur på Furesøen med klubbens børnehold.",
     "fiskeri, natur, børn", "Viser børn hvordan man fisker.", "none", 1, 3, 4, True, False, "fixed"),
    (9, "Hjælpetræner for U10-drenge", "Hjælp træneren med træning to gange om ugen.",
     "fodbold, træning, børn", "Sætter øvelser op og hjælper træneren.", "weekly", 8, 2, 2, True, False, "fixed"),
    (9, "Kioskvagt til hjemmekampe", "Pas kiosken til klubbens hjemmekampe.",
     "salg, service, kasse", "Sælger kaffe og kage.", "biweekly", 6, 2, 3, False, False, "fixed"),
    (9, "Kasserer deles mellem tre klubber", "Vi deler en frivillig kasserer på tværs af tre foreninger.",
     "regnskab, bogføring, økonomi", "Fører regnskab og betaler regninger.", "none", 1, 1, 6, False, True,
     "open_ended"),
    (10, "Frivillig Fredag: stand i Lyngby", "Hjælp med Frivilligcentrets stand på Frivillig Fredag.",
     "formidling, service, samtale", "Fortæller om frivillighed ved standen.", "none", 1, 6, 3, False, False,
     "fixed"),
    (10, "Telefonkæde for ensomme ældre", "Ring til en ældre borger en gang om ugen og hør hvordan det går.",
     "samtale, telefon, lytte", "Ringer og taler med en ældre borger.", "none", 1, 8, 6, False, True, "window"),
    (10, "Grafisk hjælp til foreningers plakater", "Lav plakater og opslag til små foreninger.",
     "grafisk design, plakater, kommunikation", "Laver plakater ud fra foreningens tekst.", "none", 1, 2, 6, False,
     False, "window"),
    (10, "Oversættelse til arabisk og engelsk", "Oversæt korte foldere til arabisk og engelsk.",
     "oversættelse, arabisk, engelsk, sprog", "Oversætter foldere.", "none", 1, 2, 4, False, True, "open_ended"),
    (2, "Madklub med beboerne", "Lav mad sammen med beboerne en gang om måneden.",
     "madlavning, køkken, samvær", "Laver mad sammen med beboerne.", "biweekly", 6, 3, 3, False, True, "fixed"),
    (3, "Udflugt til Dyrehavsbakken", "Ledsag beboere på udflugt til Dyrehaven.",
     "ledsager, natur, samtale", "Går med og hjælper med at finde vej.", "none", 1, 6, 5, False, True, "fixed"),
    (0, "Skolefest: kagebord og oprydning", "Hjælp med kagebord og oprydning til skolefesten.",
     "bagning, service, oprydning", "Sælger kage og rydder op.", "none", 1, 6, 4, False, False, "fixed"),
    (4, "Byg insekthotel med børnene", "Byg insekthoteller af grene og kogler sammen med børnene.",
     "natur, håndværk, børn", "Bygger sammen med børnene.", "none", 1, 2, 2, True, False, "fixed"),
    (6, "Erindringsværksted for seniorer", "Hjælp seniorer med at skrive deres erindringer ned.",
     "skrivning, samtale, historie", "Lytter og hjælper med at skrive.", "weekly", 6, 2, 2, False, True, "fixed"),
    (7, "Brætspilsaften for unge", "Vær vært ved brætspilsaften for unge 13–17 år.",
     "brætspil, unge, værtskab", "Forklarer spil og er vært.", "biweekly", 6, 2, 3, True, False, "fixed"),
    (8, "Kajakintroduktion for nye medlemmer", "Hjælp instruktøren med introduktion til kajak.",
     "kajak, svømning, instruktion", "Hjælper nye i og ud af kajakken.", "weekly", 4, 2, 2, False, False, "fixed"),
    (9, "Kridtning af baner", "Kridt banerne før weekendens kampe.",
     "praktisk, udendørs", "Kridter baner med kridtvognen.", "weekly", 6, 1, 1, False, False, "fixed"),
    (10, "Borgerdialog: referent", "Skriv referat ved et temamøde mellem borgere og udvalg.",
     "referat, skrivning, kommunikation", "Skriver referat af mødet.", "none", 1, 1, 3, False, True, "fixed"),
    (5, "Sang og rytmik i vuggestuen", "Syng og spil for de mindste en formiddag om ugen.",
     "sang, musik, børn", "Synger og spiller for børnene.", "weekly", 6, 1, 1, True, False, "fixed"),
    (2, "Avislæsning for svagtseende beboere", "Læs dagens avis højt for beboere der ser dårligt.",
     "højtlæsning, samtale, nyheder", "Læser avisen højt.", "weekly", 6, 2, 1, False, True, "fixed"),
    (6, "Help with English conversation club", "Lead an English conversation club for adults.",
     "English, conversation, teaching", "Leads conversation in English.", "weekly", 6, 2, 2, False, False, "fixed"),
]

FIRST_NAMES = ["Anne", "Peter", "Hanne", "Jens", "Kirsten", "Mads", "Lone", "Søren", "Ida", "Ahmad", "Fatima",
               "Oliver", "Emma", "Niels", "Karen", "Mikkel", "Sofie", "Henrik", "Camilla", "Bo", "Yasmin", "Ole",
               "Freja", "Erik", "Maja", "Thomas", "Aisha", "Poul", "Lærke", "Jørgen"]
LAST_NAMES = ["Jensen", "Nielsen", "Hansen", "Pedersen", "Larsen", "Sørensen", "Rasmussen", "Jørgensen",
              "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen", "Christensen", "Møller", "Hussein",
              "Østergaard", "Aaberg"]
SKILL_SETS = [
    ("Lektiehjælp i matematik, tidligere lærer", "Børn og læring"),
    ("Højtlæsning og fortælling", "Bøger og børn"),
    ("IT-support, computer og tablet", "Hjælpe ældre med det digitale"),
    ("Tømrer og håndværker, kan reparere det meste", "Byggeri og værksted"),
    ("Cykelmekaniker i fritiden", "Cykling og natur"),
    ("Havearbejde og planter", "Haver og grønne områder"),
    ("Musik: klaver, guitar og sang", "Fællessang og kor"),
    ("Kok, madlavning til mange", "Mad og fællesskab"),
    ("Fodboldtræner med licens", "Sport og unge"),
    ("Regnskab og bogføring", "Foreningsliv"),
    ("Taler arabisk, dansk og engelsk, tolkning", "Integration og sprog"),
    ("Samtale og lytte, tidligere sygeplejerske", "Ældre og ensomhed"),
    ("Grafisk design og kommunikation", "Kultur og plakater"),
    ("Skak og brætspil", "Spil med børn og unge"),
    ("Roning og kajak, instruktør", "Vandsport"),
    ("Strikning og håndarbejde", "Samvær og kreativitet"),
    ("Fiskeri og friluftsliv", "Natur med børn"),
    ("I am a software developer, good with computers and teaching", "Helping seniors with technology"),
    ("Retired engineer, repairing bikes and wheelchairs", "Mechanics and gardening"),
    ("Referent og skrivning", "Lokaldemokrati"),
]
MOTIVATION_CHOICES = ["citizenship", "difference", "community", "responsibility", "time", "skills", "network"]


class DemoDataExists(Exception):
    """The database already has users; demo data is only for an empty one."""


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Copenhagen wall-clock time as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL).astimezone(timezone.utc)


def load_demo_data(session: Session, *, now: datetime) -> dict[str, int]:
    """Fill an empty database with demo content; raise DemoDataExists when there are users already."""
    if session.scalar(select(func.count(User.id))):
        raise DemoDataExists()
    rng = random.Random(2026)
    today = now.astimezone(LOCAL).date()
    password_hash = generate_password_hash(DEMO_PASSWORD, method="scrypt")

    logins = {}
    for email, name, roles in DEMO_LOGINS:
        user = User(email=email, name=name, password_hash=password_hash, email_verified_at=now,
                    created_at=now - timedelta(days=200), password_changed_at=now - timedelta(days=200))
        for role in roles:
            user.grant(role)
        session.add(user)
        logins[email] = user
    session.flush()

    institutions = _institutions(session, logins["institution@samskab.dk"])
    citizens = _citizens(session, rng, now, password_hash, logins["borger@samskab.dk"])
    tasks = _tasks(session, rng, now, today, institutions, logins["institution@samskab.dk"])
    signups = _signups(session, rng, now, tasks, citizens)
    councils = _councils(session, logins["lokalraad@samskab.dk"], citizens)
    projects = _projects(session, rng, now, councils, logins["lokalraad@samskab.dk"], citizens, tasks)
    events = _events(session, rng, today, councils, institutions, citizens)
    ideas = _ideas(session, rng, now, citizens, logins["koordinator@samskab.dk"])
    session.flush()
    return {"users": len(logins) + len(citizens) - 1, "institutions": len(institutions), "tasks": len(tasks),
            "sign-ups": signups, "councils": len(councils), "projects": projects, "events": events,
            "ideas": ideas}


def _institutions(session: Session, staff: User) -> list[Institution]:
    created = []
    for name, kind, address, postcode in INSTITUTIONS:
        inst = Institution(name=name, kind=kind, address=address, postcode=postcode,
                           email=f"kontakt@{name.split()[0].lower().replace('ø', 'oe').replace('æ', 'ae').replace('å', 'aa')}.dk",
                           description="")
        session.add(inst)
        created.append(inst)
    session.flush()
    # The demo staff member works for a school and an elder centre, so both views have content.
    for inst in (created[0], created[2]):
        session.add(InstitutionMember(institution_id=inst.id, user_id=staff.id))
    return created


def _citizens(session: Session, rng: random.Random, now: datetime, password_hash: str,
              demo: User) -> list[User]:
    people = [demo]
    _profile(session, rng, demo, ("Lektiehjælp, højtlæsning og IT-hjælp", "Børn, bøger og ældre"), "2800",
             consent=True, approved=True)
    for n in range(64):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        user = User(email=f"{_ascii(first)}.{_ascii(last)}.{n}@example.dk", name=f"{first} {last}",
                    password_hash=password_hash, email_verified_at=now,
                    created_at=now - timedelta(days=rng.randint(5, 700)))
        user.grant(Role.CITIZEN)
        session.add(user)
        session.flush()
        postcode = rng.choice(AREAS)[0]
        _profile(session, rng, user, rng.choice(SKILL_SETS), postcode, consent=rng.random() < 0.75,
                 approved=rng.random() < 0.8)
        people.append(user)
    return people


def _ascii(name: str) -> str:
    return name.lower().replace("ø", "oe").replace("æ", "ae").replace("å", "aa")


def _profile(session: Session, rng: random.Random, user: User, skills: tuple[str, str], postcode: str, *,
             consent: bool, approved: bool) -> VolunteerProfile:
    profile = VolunteerProfile(
        user_id=user.id, skills=skills[0], interests=skills[1], tags="", postcode=postcode,
        travel_km=rng.choice([2, 5, 10, 20]), languages=rng.choice(["dansk", "dansk, engelsk", "dansk, arabisk"]),
        offers_time=True, offers_ideas=rng.random() < 0.4,
        motivations=",".join(rng.sample(MOTIVATION_CHOICES, 2)), consent_to_be_found=consent,
        birth_year=rng.randint(1945, 2006), gender=rng.choice(["female", "male", None]),
        review_status="approved" if approved else "new")
    for weekday in rng.sample(range(7), 3):
        profile.availability.append(AvailabilitySlot(weekday=weekday, part=rng.choice(["morning", "afternoon",
                                                                                        "evening"])))
    session.add(profile)
    session.flush()
    if approved and rng.random() < 0.5:
        session.add(Screening(profile_id=profile.id, child_certificate_status="received",
                              child_certificate_received_on=date.today() - timedelta(days=200),
                              child_certificate_valid_until=date.today() + timedelta(days=rng.choice([20, 500])),
                              pledge_accepted_at=user.created_at))
    return profile


def _tasks(session: Session, rng: random.Random, now: datetime, today: date, institutions: list[Institution],
           staff: User) -> list[Task]:
    tasks = []
    for i, (inst_no, title, description, skills, does, recurrence, weeks, capacity, hours, child, pledge,
            kind) in enumerate(TASK_TEMPLATES):
        inst = institutions[inst_no]
        task = Task(institution_id=inst.id, title=title, description=description, skills_wanted=skills,
                    volunteers_do=does,
                    volunteers_do_not="Ingen personlig pleje eller medicin, ingen fortrolige oplysninger, "
                                      "og du indgår aldrig i normeringen.",
                    place=inst.address, postcode=inst.postcode,
                    contact_name=rng.choice(["Lars Holm", "Pia Friis", "Ahmed Ali", "Susanne Kjær"]),
                    contact_email=inst.email or "kontakt@example.dk", contact_phone="45 97 35 00",
                    capacity=capacity, kind=kind, recurrence=recurrence,
                    hours_estimate=Decimal(hours), requires_child_certificate=child, requires_pledge=pledge,
                    compensation_note="Kørselsgodtgørelse efter aftale." if i % 3 == 0 else "",
                    insurance_note="Kommunen har en forsikring, der dækker frivillige under opgaven.",
                    status="open", created_by_id=staff.id, created_at=now - timedelta(days=30 - i % 20),
                    published_at=now - timedelta(days=28 - i % 20))
        # The first tasks start within the next day, so reminders are due right after loading.
        first_day = today + timedelta(days=1 if i < 4 else rng.randint(2, 40))
        start_hour = 9 + (i % 4) * 2
        if kind == "fixed":
            for week in range(weeks):
                step = 2 if recurrence == "biweekly" else 1
                day = first_day + timedelta(weeks=week * step)
                starts = _at(day, start_hour)
                if i == 0 and week == 0:
                    # Starts in a few hours whatever the clock: the day-before reminder is due at once.
                    starts = (now + timedelta(hours=5)).replace(minute=0, second=0, microsecond=0)
                task.occurrences.append(Occurrence(starts_at=starts, ends_at=starts + timedelta(hours=hours),
                                                   capacity=capacity))
        elif kind == "window":
            task.occurrences.append(Occurrence(starts_at=_at(first_day, 8), ends_at=_at(first_day + timedelta(days=30), 20),
                                               capacity=capacity))
        else:
            task.occurrences.append(Occurrence(starts_at=_at(first_day, 8), ends_at=None, capacity=capacity))
        session.add(task)
        tasks.append(task)
    # A draft, a closed and a cancelled task show the other states.
    tasks[-1].status = "draft"
    tasks[-1].published_at = None
    tasks[-2].status = "closed"
    tasks[-3].status = "cancelled"
    tasks[-3].cancel_reason = "Arrangementet er aflyst på grund af ombygning."
    session.flush()
    return tasks


def _signups(session: Session, rng: random.Random, now: datetime, tasks: list[Task], citizens: list[User]) -> int:
    count = 0
    demo = citizens[0]
    # The demo citizen has commitments in the next day and a history with hours.
    for task in tasks[:3]:
        occ = task.occurrences[0]
        _add_signup(session, occ, demo, "accepted", now)
        count += 1
    past_task = tasks[5]
    past = Occurrence(starts_at=now - timedelta(days=20), ends_at=now - timedelta(days=20) + timedelta(hours=2),
                      capacity=past_task.capacity)
    past_task.occurrences.append(past)
    session.flush()
    _add_signup(session, past, demo, "attended", now, hours=Decimal("2.0"))
    count += 1
    for task in tasks[:30]:
        if task.status != "open":
            continue
        for occ in task.occurrences[:2]:
            volunteers = rng.sample(citizens[1:], min(len(citizens) - 1, occ.capacity + 1))
            for volunteer in volunteers[: rng.randint(0, occ.capacity)]:
                if occ.accepted_count >= occ.capacity:
                    break
                if volunteer is demo:
                    continue
                _add_signup(session, occ, volunteer, "accepted", now)
                count += 1
    # A full occurrence with a waitlist, and a pending application waiting for a child certificate.
    full = tasks[1].occurrences[0]
    for volunteer in citizens[10:20]:
        if any(s.user_id == volunteer.id for s in full.signups):
            continue
        _add_signup(session, full, volunteer, "accepted" if full.accepted_count < full.capacity else "waitlisted", now)
        count += 1
    pending_occ = tasks[0].occurrences[1]
    _add_signup(session, pending_occ, citizens[30], "pending", now)
    return count + 1


def _add_signup(session: Session, occ: Occurrence, user: User, status: str, now: datetime,
                hours: Decimal | None = None) -> Signup:
    holds = status in ("accepted", "pending", "attended")
    signup = Signup(occurrence=occ, user_id=user.id, status=status, holds_spot=holds, hours=hours,
                    created_at=now - timedelta(days=3), decided_at=now - timedelta(days=2) if holds else None)
    if holds:
        occ.accepted_count += 1
    session.add(signup)
    session.flush()
    return signup


def _councils(session: Session, member: User, citizens: list[User]) -> list[Council]:
    councils = [
        Council(name="Lokalrådet Lyngby Nord", kind="local_council", area="Kongens Lyngby",
                description="Lokalrådet samler borgere, foreninger og kommunen om livet i Lyngby Nord."),
        Council(name="Seniorrådet", kind="council", area="Hele kommunen",
                description="Seniorrådet rådgiver om forhold for kommunens ældre borgere."),
    ]
    for council in councils:
        session.add(council)
    session.flush()
    session.add(CouncilMember(council_id=councils[0].id, user_id=member.id))
    session.add(CouncilMember(council_id=councils[1].id, user_id=citizens[5].id))
    return councils


def _projects(session: Session, rng: random.Random, now: datetime, councils: list[Council], author: User,
              citizens: list[User], tasks: list[Task]) -> int:
    specs = [
        (councils[0], "Grøn forbindelse langs Mølleåen", "En sti og bænke langs åen, så flere kan gå tur.",
         "Kongens Lyngby", 150000, "active", 40),
        (councils[0], "Fælleskøkken i medborgerhuset", "Et køkken hvor foreninger kan lave mad sammen.",
         "Kongens Lyngby", 80000, "proposed", 0),
        (councils[1], "Digital hjælp til seniorer", "Faste steder hvor seniorer får hjælp til MitID og tablet.",
         "Hele kommunen", None, "active", 65),
        (councils[1], "Motion i det fri for ældre", "Ugentlige gåhold fra alle ældrecentre.",
         "Hele kommunen", 20000, "completed", 100),
    ]
    for council, title, goal, area, budget, status, progress in specs:
        project = Project(council_id=council.id, title=title, goal=goal, area=area, budget_kr=budget,
                          status=status, progress=progress, created_by_id=author.id,
                          created_at=now - timedelta(days=90))
        session.add(project)
        session.flush()
        if progress:
            session.add(ProjectUpdate(project_id=project.id, author_id=author.id, progress=progress,
                                      body="Vi er kommet godt i gang, tak til alle der har hjulpet.",
                                      created_at=now - timedelta(days=10)))
        for follower in rng.sample(citizens, 4):
            session.add(ProjectFollower(project_id=project.id, user_id=follower.id))
    tasks[9].project_id = None
    return len(specs)


def _events(session: Session, rng: random.Random, today: date, councils: list[Council],
            institutions: list[Institution], citizens: list[User]) -> int:
    specs = [
        (councils[0], None, "Temamøde: trafik og cykelstier", "theme_meeting", 5, 19, 2, 60),
        (councils[0], None, "Lokalrådsmøde (åbent)", "meeting", 12, 19, 2, None),
        (councils[1], None, "Seniorrådet fortæller på biblioteket", "talk", 9, 14, 1, 40),
        (councils[1], None, "Åbent møde om ensomhed", "theme_meeting", 20, 16, 2, 50),
        (None, institutions[10], "Frivillig Fredag", "event", 25, 10, 6, None),
        (None, institutions[6], "Informationsmøde om lektiehjælp", "meeting", 3, 17, 1, 25),
    ]
    for council, inst, title, kind, days, hour, hours, capacity in specs:
        day = today + timedelta(days=days)
        event = Event(council_id=council.id if council else None, institution_id=inst.id if inst else None,
                      title=title, kind=kind, description="Alle er velkomne. Kaffe og kage.",
                      place=inst.name if inst else "Lyngby Medborgerhus", area=council.area if council else "Kongens Lyngby",
                      starts_at=_at(day, hour), ends_at=_at(day, hour) + timedelta(hours=hours), capacity=capacity)
        session.add(event)
        session.flush()
        for person in rng.sample(citizens, 5):
            session.add(EventSignup(event_id=event.id, user_id=person.id))
            event.attendee_count += 1
    return len(specs)


def _ideas(session: Session, rng: random.Random, now: datetime, citizens: list[User], agent: User) -> int:
    specs = [
        ("Bytte-reol på biblioteket", "En reol hvor man kan bytte frø, bøger og værktøj.", "received", 1),
        ("Reparationscafé en lørdag om måneden", "Vi reparerer cykler, lamper og tøj sammen.", "in_dialogue", 4),
        ("Fællesspisning for enlige ældre", "Et månedligt måltid i medborgerhuset for ældre, der bor alene.",
         "can_go_ahead", 12),
        ("Hundeskov i Virum", "En indhegnet hundeskov i Virum.", "cannot_engage", 20),
        ("Lektiecafé på arabisk og dansk", "Lektiehjælp hvor forældre også kan få hjælp.", "realised", 60),
        ("Loppemarked i gaden", "Et årligt loppemarked på vores vej.", "closed", 90),
    ]
    for n, (title, what, status, age_days) in enumerate(specs):
        initiator = citizens[0] if n == 1 else citizens[n + 2]
        created = now - timedelta(days=age_days)
        idea = Idea(initiator_id=initiator.id, title=title, what=what, why="Det skaber fællesskab i området.",
                    for_whom="Naboer og borgere i området", own_contribution="Jeg kan stå for planlægningen.",
                    needs_from_municipality="Et lokale og lidt hjælp til at komme i gang.",
                    area=rng.choice(AREAS)[1], theme="community", status=status, agent_id=agent.id,
                    created_at=created, answer_due_at=created + timedelta(days=7))
        session.add(idea)
        session.flush()
        session.add(IdeaEvent(idea_id=idea.id, actor_id=initiator.id, kind="created", to_status="received",
                              created_at=created))
        if status != "received":
            answered = created + timedelta(days=min(age_days - 1, 3))
            idea.first_answer_at = answered
            session.add(IdeaEvent(idea_id=idea.id, actor_id=agent.id, kind="status", from_status="received",
                                  to_status="in_dialogue", message="Tak for idéen! Lad os tage en snak.",
                                  created_at=answered))
            if status != "in_dialogue":
                message = ("Vi kan desværre ikke indgå: der er ikke et egnet areal i Virum."
                           if status == "cannot_engage" else "Kommunen kan stille et lokale til rådighed.")
                session.add(IdeaEvent(idea_id=idea.id, actor_id=agent.id, kind="status", from_status="in_dialogue",
                                      to_status="cannot_engage" if status == "cannot_engage" else "can_go_ahead",
                                      message=message, next_step="Første planlægningsmøde" if status != "cannot_engage" else "",
                                      next_who=agent.name if status != "cannot_engage" else "",
                                      next_when="Inden for to uger" if status != "cannot_engage" else "",
                                      created_at=answered + timedelta(days=1)))
            if status in ("realised", "closed"):
                session.add(IdeaEvent(idea_id=idea.id, actor_id=initiator.id, kind="status",
                                      from_status="can_go_ahead", to_status=status,
                                      created_at=answered + timedelta(days=20)))
        for helper in rng.sample(citizens[20:], 2 if n % 2 == 0 else 0):
            session.add(CoCreator(idea_id=idea.id, user_id=helper.id, offer="Jeg kan hjælpe med praktiske ting.",
                                  created_at=created + timedelta(days=1)))
    return len(specs)
