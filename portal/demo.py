"""Demo data: realistic Danish content drawn from the seed documents, with dates relative to now.

`load_demo_data(session, now=...)` fills an empty database and returns what it added; on a database
that already has users it raises DemoDataExists and changes nothing. The random generator has a fixed
seed, so two loads on the same day give the same site.

Everything that has a use case is made through it (models/*_operations.py and the councils' operations),
at the moment it would have happened, so the demo tells the truth: no volunteer is accepted on a task
whose screening they lack, no task is published with an incomplete frame, and the audit log shows who
decided what. Nobody is mailed while it loads (models.notices.quiet).
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from models import (Council, Project, CouncilMember, IdeaStatus, Institution, InstitutionMember, ReviewStatus, Role, Task,
                    TaskKind, TaskStatus, User)
from models.base import LOCAL
from models.calendar import create_event, sign_up_for_event
from models.idea_operations import answer_idea, close_idea, join_idea, submit_idea
from models.notices import quiet
from models.projects import create_project, follow_project, post_update
from models.task_operations import (TaskPlan, cancel_task, close_task, confirm_coming, create_task, publish_task,
                                    record_attendance, sign_up)
from models.tasks import Recurrence, unmet_requirements
from models.volunteer_operations import (ProfileChanges, ScreeningFacts, review_profile, record_screening,
                                         update_profile)
from portal import demo_auth, demo_budgets, demo_history, demo_teams, demo_volunteers

DEMO_PASSWORD = "Samskab-demo-2026"

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
    with quiet():
        return _load(session, now)


def _load(session: Session, now: datetime) -> dict[str, int]:
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
    coordinator = logins["koordinator@samskab.dk"]

    institutions, hosts = _institutions(session, now, logins["institution@samskab.dk"])
    citizens = _citizens(session, rng, now, today, password_hash, logins["borger@samskab.dk"], coordinator)
    tasks = _tasks(rng, now, today, institutions, hosts)
    signups = _signups(rng, now, tasks, citizens, hosts)
    councils = _councils(session, logins["lokalraad@samskab.dk"], citizens)
    projects = _projects(rng, now, councils, citizens)
    events = _events(rng, now, today, councils, institutions, hosts, citizens)
    ideas = _ideas(rng, now, citizens)
    demo_volunteers.add_fitting_volunteers(session, now=now, today=today, password_hash=password_hash,
                                           coordinator=coordinator)
    budgets = demo_budgets.load_budgets(now=now, coordinator=coordinator, council=councils[0][0], citizens=citizens,
                                        demo=logins["borger@samskab.dk"])
    meetings = demo_budgets.load_plans(now=now, coordinator=coordinator, council=councils[0][0], member=councils[0][1],
                                       project_ids=[p.id for p in session.scalars(select(Project).order_by(Project.id))])
    community = demo_teams.load(session, now=now, institutions=institutions, hosts=hosts, citizens=citizens, coordinator=coordinator)
    history = demo_history.add_history(random.Random(2027), now, institutions, hosts, citizens)
    history |= demo_history.add_answered_ideas(random.Random(2028), now, citizens)
    demo_auth.give_demo_second_factors(session, logins, now=now)  # flushes
    return {"users": session.scalar(select(func.count(User.id))), "institutions": len(institutions),
            "tasks": len(tasks), "sign-ups": signups, "councils": len(councils), "projects": projects,
            "events": events, "ideas": ideas, "citizen budgets": budgets, "dialogue meetings": meetings,
            **community, **history}


def _institutions(session: Session, now: datetime, staff: User) -> tuple[list[Institution], dict[int, User]]:
    """The institutions, each with a member of staff who posts its tasks (the demo login works at two);
    returns the institutions and {institution id: its member of staff}."""
    created, hosts = [], {}
    for name, kind, address, postcode in INSTITUTIONS:
        slug = name.split()[0].lower().replace('ø', 'oe').replace('æ', 'ae').replace('å', 'aa')
        inst = Institution(name=name, kind=kind, address=address, postcode=postcode, email=f"kontakt@{slug}.dk",
                           description="")
        session.add(inst)
        created.append(inst)
    session.flush()
    # The demo staff member works for a school and an elder centre, so both views have content.
    for n, inst in enumerate(created):
        host = staff if n in (0, 2) else User(email=f"personale{n}@example.dk", name=f"Personale, {inst.name}",
                                              created_at=now - timedelta(days=300))
        if host is not staff:
            host.grant(Role.STAFF)
            session.add(host)
            session.flush()
        session.add(InstitutionMember(institution_id=inst.id, user_id=host.id))
        hosts[inst.id] = host
    session.flush()
    return created, hosts


def _citizens(session: Session, rng: random.Random, now: datetime, today: date, password_hash: str, demo: User,
              coordinator: User) -> list[User]:
    people = [demo]
    _profile(rng, now, today, demo, ("Lektiehjælp, højtlæsning og IT-hjælp", "Børn, bøger og ældre"), "2800",
             coordinator, consent=True, approved=True, screened=True)
    for n in range(64):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        user = User(email=f"{_ascii(first)}.{_ascii(last)}.{n}@example.dk", name=f"{first} {last}",
                    password_hash=password_hash, email_verified_at=now,
                    created_at=now - timedelta(days=rng.randint(5, 700)))
        user.grant(Role.CITIZEN)
        session.add(user)
        session.flush()
        approved = rng.random() < 0.8
        _profile(rng, now, today, user, rng.choice(SKILL_SETS), rng.choice(AREAS)[0], coordinator,
                 consent=rng.random() < 0.75, approved=approved,
                 screened=approved and rng.random() < 0.5 and n != 29)  # citizens[30] waits for a certificate
        people.append(user)
    return people


def _ascii(name: str) -> str:
    return name.lower().replace("ø", "oe").replace("æ", "ae").replace("å", "aa")


def _profile(rng: random.Random, now: datetime, today: date, user: User, skills: tuple[str, str], postcode: str,
             coordinator: User, *, consent: bool, approved: bool, screened: bool) -> None:
    """The citizen writes a profile; the coordinator approves most and records screening for some."""
    written = max(user.created_at, now - timedelta(days=60))
    availability = {(weekday, rng.choice(["morning", "afternoon", "evening"])) for weekday in rng.sample(range(7), 3)}
    update_profile(user, ProfileChanges(
        skills=skills[0], interests=skills[1], postcode=postcode, travel_km=rng.choice([2, 5, 10, 20]),
        languages=rng.choice(["dansk", "dansk, engelsk", "dansk, arabisk"]), offers_time=True,
        offers_ideas=rng.random() < 0.4, motivations=rng.sample(MOTIVATION_CHOICES, 2),
        consent_to_be_found=consent, consent_shown_to_citizens=consent and approved and rng.random() < 0.3,
        availability=availability, birth_year=rng.randint(1945, 2006), gender=rng.choice(["female", "male", None])),
        now=written)
    if approved:
        review_profile(user.profile, actor=coordinator, now=written + timedelta(days=2), decision=ReviewStatus.APPROVED)
    if screened:
        record_screening(user.profile, ScreeningFacts(
            "received", requested_on=today - timedelta(days=230), received_on=today - timedelta(days=200),
            valid_until=today + timedelta(days=rng.choice([20, 500])), pledge_given=True),
            actor=coordinator, now=written + timedelta(days=3))


def _tasks(rng: random.Random, now: datetime, today: date, institutions: list[Institution],
           hosts: dict[int, User]) -> list[Task]:
    tasks = []
    for i, (inst_no, title, description, skills, does, recurrence, weeks, capacity, hours, child, pledge,
            kind) in enumerate(TASK_TEMPLATES):
        inst = institutions[inst_no]
        fields = dict(title=title, description=description, skills_wanted=skills, volunteers_do=does,
                      volunteers_do_not="Ingen personlig pleje eller medicin, ingen fortrolige oplysninger, "
                                        "og du indgår aldrig i normeringen.",
                      place=inst.address, postcode=inst.postcode,
                      contact_name=rng.choice(["Lars Holm", "Pia Friis", "Ahmed Ali", "Susanne Kjær"]),
                      contact_email=inst.email, contact_phone="45 97 35 00", hours_estimate=Decimal(hours),
                      requires_child_certificate=child, requires_pledge=pledge,
                      compensation_note="Kørselsgodtgørelse efter aftale." if i % 3 == 0 else "Ingen godtgørelse.",
                      insurance_note="Kommunen har en forsikring, der dækker frivillige under opgaven.")
        created = now - timedelta(days=30 - i % 20)
        # The first tasks start within the next day, so reminders are due right after loading; the
        # wheelchair team began three weeks ago, so its first time has attendance and hours.
        first_day = today + timedelta(days=1 if i < 4 else rng.randint(2, 40))
        if i == 5:
            first_day = today - timedelta(days=20)
        start_hour = 9 + (i % 4) * 2
        if kind == TaskKind.FIXED:
            step = 2 if recurrence == Recurrence.BIWEEKLY else 1
            schedule = []
            for week in range(weeks):
                starts = _at(first_day + timedelta(weeks=week * step), start_hour)
                if i == 0 and week == 0:
                    # Starts in a few hours whatever the clock: the day-before reminder is due at once.
                    starts = (now + timedelta(hours=5)).replace(minute=0, second=0, microsecond=0)
                schedule.append((starts, starts + timedelta(hours=hours)))
        elif kind == TaskKind.WINDOW:
            schedule = [(_at(first_day, 8), _at(first_day + timedelta(days=30), 20))]
        else:
            schedule = [(_at(first_day, 8), None)]
        plan = TaskPlan(fields=fields, capacity=capacity, kind=kind, recurrence=recurrence, schedule=schedule)
        task = create_task(inst, plan, actor=hosts[inst.id], now=created)
        tasks.append(task)
    # A draft and a closed task show the other states (a cancelled one follows the sign-ups).
    for task in tasks[:-1]:
        publish_task(task, actor=hosts[task.institution_id], now=task.created_at + timedelta(days=2))
    close_task(tasks[-2], actor=hosts[tasks[-2].institution_id], now=now - timedelta(days=1))
    return tasks


def _signups(rng: random.Random, now: datetime, tasks: list[Task], citizens: list[User],
             hosts: dict[int, User]) -> int:
    signed_at = now - timedelta(days=3)
    demo = citizens[0]
    count = 0

    def join(occurrence, volunteer, at=signed_at):
        nonlocal count
        count += 1
        return sign_up(occurrence, volunteer=volunteer, actor=volunteer, now=at).signup

    # The demo citizen has commitments in the next day (and said "Jeg kommer" to the first) and a history.
    firsts = [join(task.occurrences[0], demo) for task in tasks[:3]]
    confirm_coming(firsts[0], actor=demo, now=now - timedelta(hours=1))
    wheelchairs = tasks[5]
    past = wheelchairs.occurrences[0]
    helpers = [p for p in citizens[1:] if not unmet_requirements(wheelchairs, p, past.day)][:2]
    came = [join(past, person, at=past.starts_at - timedelta(days=4)) for person in [demo, *helpers]]
    staff = hosts[wheelchairs.institution_id]
    record_attendance(came[0], actor=staff, now=past.ends_at, attended=True, hours=Decimal("2.0"))
    for signup, attended in zip(came[1:], (True, False)):
        record_attendance(signup, actor=staff, now=past.ends_at, attended=attended, hours=None)
    for task in tasks[:30]:
        if task.status != TaskStatus.OPEN:
            continue
        for occurrence in [o for o in task.occurrences if o.starts_at > now][:2]:
            # Volunteers pick tasks they can do; those still without a certificate wait, honestly, below.
            fitting = [p for p in citizens[1:] if not unmet_requirements(task, p, occurrence.day)]
            for volunteer in rng.sample(fitting, min(len(fitting), rng.randint(0, occurrence.capacity))):
                if occurrence.spots_left and not any(s.user_id == volunteer.id for s in occurrence.signups):
                    join(occurrence, volunteer)
    # A full time with a waiting list (some of them wait for a certificate), and an application that
    # waits for a child certificate the coordinator has not yet seen.
    full = tasks[1].occurrences[0]
    for volunteer in citizens[10:20]:
        if not any(s.user_id == volunteer.id for s in full.signups):
            join(full, volunteer)
    join(tasks[0].occurrences[1], citizens[30])
    cancelled = tasks[-3]
    cancel_task(cancelled, actor=hosts[cancelled.institution_id], now=now - timedelta(days=1),
                reason="Arrangementet er aflyst på grund af ombygning.")
    return count


def _councils(session: Session, member: User, citizens: list[User]) -> list[tuple[Council, User]]:
    """The councils, each with the member who posts for it."""
    councils = [
        Council(name="Lokalrådet Lyngby Nord", kind="local_council", area="Kongens Lyngby",
                description="Lokalrådet samler borgere, foreninger og kommunen om livet i Lyngby Nord."),
        Council(name="Seniorrådet", kind="council", area="Hele kommunen",
                description="Seniorrådet rådgiver om forhold for kommunens ældre borgere."),
    ]
    for council in councils:
        session.add(council)
    session.flush()
    members = [member, citizens[5]]
    for council, person in zip(councils, members):
        session.add(CouncilMember(council_id=council.id, user_id=person.id))
    session.flush()
    return list(zip(councils, members))


def _projects(rng: random.Random, now: datetime, councils: list[tuple[Council, User]], citizens: list[User]) -> int:
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
    today = now.astimezone(LOCAL).date()
    for (council, member), title, goal, area, budget, status, progress in specs:
        project = create_project(council, actor=member, now=_at(today - timedelta(days=340), 10), title=title,
                                 goal=goal, area=area, budget_kr=budget, status=status, progress=0)
        demo_history.add_project_updates(now, project, member, progress)
        if progress:
            post_update(project, actor=member, now=_at(today - timedelta(days=10), 14), progress=progress,
                        body="Vi er kommet godt i gang, tak til alle der har hjulpet.")
        for follower in rng.sample(citizens, 4):
            follow_project(project, user=follower, now=now - timedelta(days=rng.randint(1, 80)))
    return len(specs)


def _events(rng: random.Random, now: datetime, today: date, councils: list[tuple[Council, User]],
            institutions: list[Institution], hosts: dict[int, User], citizens: list[User]) -> int:
    specs = [
        (councils[0], None, "Temamøde: trafik og cykelstier", "theme_meeting", 5, 19, 2, 60),
        (councils[0], None, "Lokalrådsmøde (åbent)", "meeting", 12, 19, 2, None),
        (councils[1], None, "Seniorrådet fortæller på biblioteket", "talk", 9, 14, 1, 40),
        (councils[1], None, "Åbent møde om ensomhed", "theme_meeting", 20, 16, 2, 50),
        (None, 10, "Frivillig Fredag", "event", 25, 10, 6, None),
        (None, 6, "Informationsmøde om lektiehjælp", "meeting", 3, 17, 1, 25),
    ]
    for host, inst_no, title, kind, days, hour, hours, capacity in specs:
        day = today + timedelta(days=days)
        council, member = host or (None, None)
        inst = institutions[inst_no] if inst_no is not None else None
        event = create_event(actor=member or hosts[inst.id], now=now - timedelta(days=14),
                             council_id=council.id if council else None,
                             institution_id=inst.id if inst else None, title=title, kind=kind,
                             description="Alle er velkomne. Kaffe og kage.",
                             place=inst.name if inst else "Lyngby Medborgerhus",
                             area=council.area if council else "Kongens Lyngby",
                             starts_at=_at(day, hour), ends_at=_at(day, hour) + timedelta(hours=hours),
                             capacity=capacity)
        for person in rng.sample(citizens, 5):
            sign_up_for_event(event, user=person, now=now - timedelta(days=rng.randint(1, 10)))
    return len(specs)


def _ideas(rng: random.Random, now: datetime, citizens: list[User]) -> int:
    specs = [
        ("Bytte-reol på biblioteket", "En reol hvor man kan bytte frø, bøger og værktøj.", IdeaStatus.RECEIVED, 1),
        ("Reparationscafé en lørdag om måneden", "Vi reparerer cykler, lamper og tøj sammen.",
         IdeaStatus.IN_DIALOGUE, 4),
        ("Fællesspisning for enlige ældre", "Et månedligt måltid i medborgerhuset for ældre, der bor alene.",
         IdeaStatus.CAN_GO_AHEAD, 12),
        ("Hundeskov i Virum", "En indhegnet hundeskov i Virum.", IdeaStatus.CANNOT_ENGAGE, 20),
        ("Lektiecafé på arabisk og dansk", "Lektiehjælp hvor forældre også kan få hjælp.", IdeaStatus.REALISED, 60),
        ("Loppemarked i gaden", "Et årligt loppemarked på vores vej.", IdeaStatus.CLOSED, 90),
    ]
    for n, (title, what, status, age_days) in enumerate(specs):
        initiator = citizens[0] if n == 1 else citizens[n + 2]
        created = _at(now.astimezone(LOCAL).date() - timedelta(days=age_days), 9 + n)
        idea = submit_idea(initiator=initiator, now=created, answer_due_at=created + timedelta(days=7), title=title,
                           what=what, why="Det skaber fællesskab i området.",
                           for_whom="Naboer og borgere i området", own_contribution="Jeg kan stå for planlægningen.",
                           needs_from_municipality="Et lokale og lidt hjælp til at komme i gang.",
                           area=rng.choice(AREAS)[1], theme="community")
        for helper in rng.sample(citizens[20:], 2 if n % 2 == 0 else 0):
            join_idea(idea, user=helper, now=created + timedelta(hours=6), offer="Jeg kan hjælpe med praktiske ting.")
        if status == IdeaStatus.RECEIVED:
            continue
        agent = idea.agent
        answered = created + timedelta(days=min(age_days - 1, 3))
        answer_idea(idea, actor=agent, now=answered, status=IdeaStatus.IN_DIALOGUE,
                    message="Tak for idéen! Lad os tage en snak.")
        if status == IdeaStatus.IN_DIALOGUE:
            continue
        if status == IdeaStatus.CANNOT_ENGAGE:
            answer_idea(idea, actor=agent, now=answered + timedelta(days=1), status=status,
                        message="Vi kan desværre ikke indgå: der er ikke et egnet areal i Virum.")
            continue
        answer_idea(idea, actor=agent, now=answered + timedelta(days=1), status=IdeaStatus.CAN_GO_AHEAD,
                    message="Kommunen kan stille et lokale til rådighed.", next_step="Første planlægningsmøde",
                    next_who=agent.name, next_when="Inden for to uger")
        if status in IdeaStatus.FINAL:
            close_idea(idea, actor=initiator, now=answered + timedelta(days=20), status=status)
    return len(specs)
