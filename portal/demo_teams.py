"""Demo data for teams, networks and associations (issue 17), through their use cases.

Three associations registered by board members, each with an open task (same frame and screening as an
institution's), "we need" lists and the municipality's offers; two thematic networks with tovholders,
members, a held meeting with minutes, a planned one and items for the municipality; volunteer teams at two
institutions with tovholders (the demo citizen leads one), shifts, a message and a team sign-up.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Institution, Task, TaskStatus, User
from models.association_operations import add_municipal_offer, add_need, edit_profile, register_association
from models.base import LOCAL
from models.network_operations import answer_item, create_network, join_network, plan_meeting, publish_minutes, raise_item
from models.task_operations import TaskPlan, create_task, publish_task
from models.team_operations import add_shift, ask_to_cover, answer_shift, create_team, join_team, sign_up_team, write_to_team

ASSOCIATIONS = [
    # (name, cvr, activity, postcode, description, need, task title, task description, does)
    ("Lyngby Lektiecafé-forening", "31245678", "Lektiehjælp og læsning", "2800",
     "Frivillige hjælper børn og unge med lektierne to gange om ugen på biblioteket.",
     ("Kasserer for et år", "Vi mangler en kasserer, der kan føre regnskab og lave årsregnskab.", "1 år"),
     "Lektiehjælper i lektiecaféen", "Hjælp elever i 4.–9. klasse med matematik, dansk og engelsk.",
     "Hjælper eleverne med at forstå opgaverne og læser med dem."),
    ("Virum Seniorcykling", None, "Motion og fællesskab for ældre", "2830",
     "Vi cykler ture med ældre medborgere i rickshaw og på tandemcykel.",
     ("Cykelmekaniker et par timer om måneden", "Hjælp med at holde rickshaws og tandemcykler kørende.", "løbende"),
     "Pilot på rickshaw-tur", "Kør ældre medborgere en tur i rickshaw rundt om Furesøen.",
     "Cykler en rolig tur og snakker med passagererne."),
    ("Lundtofte Kulturforening", "29876543", "Kultur og musik", "2800",
     "Koncerter, foredrag og fællesspisning i Lundtofte Medborgerhus.",
     ("Hjælp til sociale medier", "Vi vil gerne nå flere unge og mangler en, der kan lave opslag.", "et halvt år"),
     "Frivillig ved fællesspisning", "Hjælp med at dække op, servere og rydde op ved fællesspisningen.",
     "Dækker op, serverer og rydder op sammen med bestyrelsen."),
]

OFFERS = [
    ("room", "Lokaler i medborgerhuse og på skoler", "Foreninger kan låne kommunens lokaler gratis uden for "
     "skoletid efter folkeoplysningsloven.", "Book i Foreningsportalen senest 14 dage før; faste lokaler "
     "søges hvert år inden 1. april.", ""),
    ("grant", "§ 18-tilskud til frivilligt socialt arbejde", "Kommunen støtter frivilligt socialt arbejde "
     "efter servicelovens § 18 med drift og aktiviteter.", "Søg på kommunens skema inden 1. marts; "
     "svar i maj. Koordinatorerne hjælper gerne med ansøgningen.", ""),
    ("grant", "Puljen for nye fællesskaber", "Mindre beløb til at sætte en ny aktivitet i gang sammen med "
     "en institution eller et lokalråd.", "Skriv til frivillighed@ltk.dk med en kort beskrivelse; svar "
     "inden for 10 arbejdsdage.", ""),
]

NETWORKS = [
    ("Lektiehjælp i Lyngby", "Et netværk for alle, der laver lektiehjælp: skoler, biblioteker, foreninger og "
     "frivillige. Vi deler erfaringer, materialer og frivillige på tværs."),
    ("Besøgsvenner", "Besøgsvenner på plejecentre og i eget hjem mødes, deler gode erfaringer og bringer "
     "ønsker videre til kommunen."),
]


def _at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LOCAL).astimezone(timezone.utc)


def load(session: Session, *, now: datetime, institutions: list[Institution], hosts: dict[int, User],
         citizens: list[User], coordinator: User) -> dict[str, int]:
    today = now.astimezone(LOCAL).date()
    associations = _associations(now, today, citizens, coordinator)
    networks = _networks(now, today, citizens, coordinator)
    teams = _teams(now, today, institutions, hosts, citizens)
    session.flush()
    return {"associations": associations, "networks": networks, "teams": teams}


def _associations(now, today, citizens, coordinator) -> int:
    for kind, title, description, how, link in OFFERS:
        add_municipal_offer(actor=coordinator, now=now - timedelta(days=60), kind=kind, title=title,
                            description=description, how_to_apply=how, link=link)
    for n, (name, cvr, activity, postcode, description, need, title, task_text, does) in enumerate(ASSOCIATIONS):
        board = citizens[3 + n]
        created = now - timedelta(days=50 - n)
        association = register_association(actor=board, now=created, name=name, cvr=cvr or "", activity=activity,
                                           postcode=postcode, description=description,
                                           email=f"bestyrelse{n}@example.dk")
        edit_profile(association, actor=board, now=created, story=description + " Foreningen blev stiftet af "
                     "naboer, der ville gøre en forskel.", volunteer_frame=does + " Du skal ikke være medlem.")
        add_need(association, actor=board, now=created, title=need[0], description=need[1], period=need[2])
        fields = dict(title=title, description=task_text, skills_wanted="", volunteers_do=does,
                      volunteers_do_not="Ingen personlig pleje, ingen fortrolige oplysninger.", place="Lyngby",
                      postcode=postcode, contact_name=board.name, contact_email=f"bestyrelse{n}@example.dk",
                      contact_phone=None, hours_estimate=Decimal(2), requires_child_certificate=n == 0,
                      requires_pledge=False, compensation_note="Ingen godtgørelse.",
                      insurance_note="Foreningens ansvarsforsikring dækker frivillige.")
        first = today + timedelta(days=7 + n)
        schedule = [(_at(first + timedelta(weeks=w), 16), _at(first + timedelta(weeks=w), 18)) for w in range(4)]
        task = create_task(association, TaskPlan(fields=fields, capacity=4, schedule=schedule), actor=board, now=created)
        publish_task(task, actor=board, now=created + timedelta(hours=1))
    return len(ASSOCIATIONS)


def _networks(now, today, citizens, coordinator) -> int:
    for n, (name, purpose) in enumerate(NETWORKS):
        tovholder = citizens[10 + n]
        started = now - timedelta(days=120)
        network = create_network(actor=coordinator, now=started, name=name, purpose=purpose, tovholder=tovholder)
        for person in citizens[12 + n * 7: 20 + n * 7]:
            join_network(network, person=person, now=started + timedelta(days=3))
        held = plan_meeting(network, actor=tovholder, now=started + timedelta(days=5),
                            starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=30) + timedelta(hours=2),
                            place="Lyngby Hovedbibliotek", agenda="1. Velkommen\n2. Erfaringer siden sidst\n"
                            "3. Ønsker til kommunen\n4. Næste møde")
        publish_minutes(held, actor=tovholder, now=now - timedelta(days=28),
                        minutes="Vi delte erfaringer og blev enige om at bede kommunen om et fast lokale.")
        plan_meeting(network, actor=tovholder, now=now - timedelta(days=20), starts_at=_at(today + timedelta(days=40), 17),
                     ends_at=_at(today + timedelta(days=40), 19), place="Lyngby Hovedbibliotek",
                     agenda="1. Velkommen\n2. Svar fra kommunen\n3. Plan for foråret")
        item = raise_item(network, actor=tovholder, now=now - timedelta(days=27), title="Et fast mødelokale",
                          body="Vi vil gerne have et fast lokale til netværkets møder fire gange om året.",
                          answer_due_at=now - timedelta(days=20))
        answer_item(item, actor=coordinator, now=now - timedelta(days=22),
                    answer="I kan booke lokale 2 på hovedbiblioteket; vi har reserveret det til jer.")
        raise_item(network, actor=citizens[12 + n * 7], now=now - timedelta(days=1),
                   title="Kørsel til arrangementer", body="Kan kommunen hjælpe med kørsel for ældre frivillige?",
                   answer_due_at=now + timedelta(days=6))
    return len(NETWORKS)


def _teams(now, today, institutions, hosts, citizens) -> int:
    plans = [(institutions[0], "Lektieholdet", "Vi hjælper elever med lektier tirsdag og torsdag.", citizens[0],
              citizens[20:24]),
             (institutions[2], "Besøgsholdet på Bakkehuset", "Vi går ture og drikker kaffe med beboerne.",
              citizens[24], citizens[25:29])]
    count = 0
    for inst, name, purpose, tovholder, members in plans:
        staff = hosts[inst.id]
        task = next(iter(_open_tasks(inst)), None)
        started = now - timedelta(days=40)
        team = create_team(inst, actor=staff, now=started, name=name, purpose=purpose, tovholder=tovholder, task=task)
        for person in members:
            join_team(team, person=person, now=started + timedelta(days=2), consent=True)
        for week in (1, 2):
            shift = add_shift(team, actor=tovholder, now=now - timedelta(days=2),
                              starts_at=_at(today + timedelta(days=7 * week), 15),
                              ends_at=_at(today + timedelta(days=7 * week), 17), needed=2, note="")
            answer_shift(shift, person=members[0], now=now - timedelta(days=1), coming=True)
            ask_to_cover(shift, members[1], actor=tovholder, now=now - timedelta(days=1))
        write_to_team(team, actor=tovholder, now=now - timedelta(days=1),
                      body="Hej alle! Husk at skrive jer på vagterne for de næste to uger.")
        if task is not None:
            coming = [o for o in task.occurrences if o.starts_at > now and not o.cancelled]
            if coming:
                sign_up_team(team, coming[-1], actor=tovholder, now=now - timedelta(hours=12), places=2)
        count += 1
    return count


def _open_tasks(inst: Institution) -> list[Task]:
    from models import db
    return list(db.session.scalars(select(Task).where(Task.institution_id == inst.id, Task.status == TaskStatus.OPEN)
                                   .order_by(Task.id)))
