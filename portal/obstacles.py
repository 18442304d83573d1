"""What stands in the way of an empty suggestion list, counted honestly, with the one change that helps.

When "Forslag til dig", "Foreslåede frivillige" or the people who fit an idea come out empty, the same
candidates are run through the same filters one stage at a time (the hard filters are matching.ranking's
own functions, evaluated one by one), and the number each stage removes is counted:

    citizen → tasks:      open tasks with a coming time → already signed up → the text meets →
                          a free place → distance → time (availability, away) → screening
    task → volunteers:    people who offer time → consent → review status → the text meets →
                          already signed up → distance → time → screening
    idea → people:        people with a profile → the idea's own people → consent → review status → text

The obstacle named is the filter that, changed alone, would let the most candidates through (a candidate
stopped by two filters is helped by neither alone); when no single change helps, the stage that removed
the most. Nothing here names a person: staff see counts, never who declined to be found.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _, ngettext
from sqlalchemy import select

from matching import ranking
from models import Idea, Occurrence, ReviewStatus, Signup, SignupStatus, Task, TaskStatus, User, VolunteerProfile, db
from portal import suggestions

# Stage codes, in the order the filters run.
NO_PROFILE = "no_profile"        # the citizen has no profile that offers time
DECLINED = "declined"            # the citizen's own profile is declined
NO_TEXT = "no_text"              # the profile or task says nothing the matching can read
NO_CANDIDATES = "no_candidates"  # nothing to suggest at all (no open tasks / nobody offers time)
NO_TIMES = "no_times"            # the task has no coming time with a free place
SIGNED_UP = "signed_up"
OWN_PEOPLE = "own_people"        # the idea's initiator and co-creators
CONSENT = "consent"
REVIEW = "review"
TEXT = "text"
FULL = "full"
DISTANCE = "distance"
TIME = "time"
SCREENING = "screening"

# Distances (km) to try when distance is what stands in the way: the limits of matching.ranking's
# postcode-prefix approximation, then "anywhere".
WIDER_KM = tuple(limit for limit, _digits in ranking.TRAVEL_PREFIX) + (500,)
# Bounds on the work of an empty list (a page view): people who may not be found, read to count how many
# of them would fit (newest first), and text matches counted per list. Counts above them are "at least".
NON_FINDABLE_CAP = 1000
MATCH_CAP = 2000


@dataclass(frozen=True)
class Obstacle:
    code: str
    message: str
    fix: str = ""
    fix_url: str | None = None
    counts: dict[str, int] = field(default_factory=dict)  # stage → candidates it removed (and "candidates")


# --- shared counting -----------------------------------------------------------------------------

def _choose(failing: dict[object, set[str]], order: tuple[str, ...], removed: dict[str, int]) -> str | None:
    """The filter whose change alone lets the most candidates through; else the stage removing the most."""
    alone = Counter(next(iter(codes)) for codes in failing.values() if len(codes) == 1)
    if alone:
        return max(order, key=lambda code: (alone.get(code, 0), -order.index(code)))
    if any(removed.get(code) for code in order):
        return max(order, key=lambda code: (removed.get(code, 0), -order.index(code)))
    return None


def _sequential(failing: dict[object, set[str]], order: tuple[str, ...]) -> dict[str, int]:
    """How many candidates each stage removes when the stages run one after another."""
    removed = dict.fromkeys(order, 0)
    for codes in failing.values():
        for code in order:
            if code in codes:
                removed[code] += 1
                break
    return removed


def _bookable(task: ranking.TaskFacts, person: ranking.VolunteerFacts, now: datetime) -> list[ranking.Opening]:
    return [o for o in task.openings if ranking.bookable(o, now=now) and o.id not in person.busy_openings]


def _task_failures(task: ranking.TaskFacts, person: ranking.VolunteerFacts, now: datetime) -> set[str]:
    """Each hard filter of matching.ranking.fit, evaluated on its own, for one task and one person."""
    failing = set()
    free = [o for o in task.openings if ranking.bookable(o, now=now)]
    if not free:
        return {FULL}
    open_to_me = [o for o in free if o.id not in person.busy_openings]
    if not open_to_me:
        return {SIGNED_UP}
    if not ranking.within_travel_area(task, person):
        failing.add(DISTANCE)
    if not any(ranking.fits_availability(o, person) and not ranking.is_away(o, person) for o in open_to_me):
        failing.add(TIME)
    if all(ranking.requirements(task, person, o) is None for o in open_to_me):
        failing.add(SCREENING)
    return failing


# --- citizen: "Forslag til dig" ------------------------------------------------------------------

def for_citizen(user: User, *, now: datetime) -> Obstacle:
    """Why "Forslag til dig" is empty for this citizen, and what would help."""
    profile_url = url_for("citizens.profile")
    profile = user.profile
    if profile is None or not profile.offers_time:
        return Obstacle(NO_PROFILE, _("We suggest tasks to people who offer their time."),
                        _("Say in your profile that you would like to help with tasks."), profile_url)
    if profile.review_status in ReviewStatus.BARRED:
        return Obstacle(DECLINED, _("The volunteer coordinators have not approved your volunteer profile, so we "
                                    "suggest no tasks."), _("Change your profile, and they will look at it again."),
                        profile_url)
    if not profile.matching_text.strip():
        return Obstacle(NO_TEXT, _("Your profile does not yet say what you are good at or interested in."),
                        _("Write a few words about it in your profile."), profile_url)
    me = suggestions.volunteer_facts([user.id], now, require_consent=False, profiles=[profile])[user.id]
    candidates = list(db.session.scalars(
        select(Task.id).join(Occurrence, Occurrence.task_id == Task.id)
        .where(Task.status == TaskStatus.OPEN, Occurrence.cancelled.is_(False), Occurrence.starts_at > now)
        .distinct()))
    counts = {"candidates": len(candidates)}
    if not candidates:
        return Obstacle(NO_CANDIDATES, _("There are no open tasks right now."),
                        _("Look again later, or offer an idea of your own."), url_for("ideas.new"), counts)
    mine = set(db.session.scalars(select(Occurrence.task_id).join(Signup, Signup.occurrence_id == Occurrence.id)
                                  .where(Signup.user_id == user.id, Signup.status.in_(SignupStatus.ACTIVE))))
    rest = [i for i in candidates if i not in mine]
    counts[SIGNED_UP] = len(candidates) - len(rest)
    index = suggestions.corpora()["tasks"].current()
    matched = {m.id for m in index.search(profile.matching_text, k=min(max(len(rest), 1), MATCH_CAP),
                                                allowed_ids=rest)
               if m.score >= suggestions.MIN_SCORE} if rest else set()
    counts[TEXT] = len(rest) - len(matched)
    if not rest:
        return Obstacle(SIGNED_UP, _("You are already signed up for every open task."), _("See your tasks."),
                        url_for("citizens.my_tasks"), counts)
    if not matched:
        return Obstacle(TEXT, ngettext("None of the %(num)d open tasks meets what your profile says you are good "
                                       "at or interested in.",
                                       "None of the %(num)d open tasks meets what your profile says you are good "
                                       "at or interested in.", len(rest)),
                        _("Tell us more about what you like in your profile, and we will look again."),
                        profile_url, counts)
    facts = suggestions.task_facts(matched, now)
    failing = {task_id: _task_failures(task, me, now) for task_id, task in facts.items()}
    order = (FULL, DISTANCE, TIME, SCREENING)
    removed = _sequential(failing, order)
    counts.update(removed)
    chosen = _choose(failing, order, removed)
    fitting = len(matched)
    if chosen == DISTANCE:
        km = 10 if me.travel_km is None else me.travel_km
        wider = next(((limit, n) for limit in WIDER_KM if limit > km
                      for n in [sum(1 for task_id, task in facts.items() if failing[task_id] == {DISTANCE}
                                    and ranking.within_travel_area(task, replace(me, travel_km=limit)))] if n), None)
        message = _("No tasks that fit you within %(km)d km of %(postcode)s.", km=km, postcode=me.postcode)
        fix = (ngettext("Try a longer distance in your profile: within %(wider)d km, %(num)d task would fit.",
                        "Try a longer distance in your profile: within %(wider)d km, %(num)d tasks would fit.",
                        wider[1], wider=wider[0]) if wider else _("Try a longer distance in your profile."))
        return Obstacle(DISTANCE, message, fix, url_for("citizens.profile", _anchor="travel_km"), counts)
    if chosen == TIME:
        away_only = [task_id for task_id, task in facts.items() if failing[task_id] == {TIME}
                     and any(ranking.fits_availability(o, me) for o in _bookable(task, me, now))]
        if away_only:
            return Obstacle(TIME, ngettext("%(num)d task that fits you takes place while you are away.",
                                           "%(num)d tasks that fit you take place while you are away.",
                                           len(away_only)),
                            _("Check your away periods in your profile."), profile_url, counts)
        return Obstacle(TIME, ngettext("%(num)d task fits you, but not at the times you said suit you.",
                                       "%(num)d tasks fit you, but not at the times you said suit you.",
                                       removed[TIME] or fitting),
                        _("Add more days or parts of the day in your profile."),
                        url_for("citizens.profile", _anchor="availability"), counts)
    if chosen == FULL:
        return Obstacle(FULL, ngettext("%(num)d task that fits you is full.", "%(num)d tasks that fit you are full.",
                                       removed[FULL]),
                        _("You can join a waiting list on the task's page, and we tell you when a place is free."),
                        url_for("public.tasks"), counts)
    if chosen == SCREENING:
        return Obstacle(SCREENING, _("The tasks that fit you require screening we cannot arrange for you."),
                        _("Write to the volunteer coordinators."), profile_url, counts)
    if chosen == SIGNED_UP:
        return Obstacle(SIGNED_UP, _("You are already signed up for the tasks that fit you."), _("See your tasks."),
                        url_for("citizens.my_tasks"), counts)
    return Obstacle(TEXT, _("We have no suggestions for you right now."),
                    _("Tell us more about what you like in your profile, and we will look again."), profile_url, counts)


# --- institution: "Foreslåede frivillige" --------------------------------------------------------

def _fit_non_findable(text: str, corpus_name: str, doc_id, exclude: set) -> tuple[int, int]:
    """Of the people offering time whom staff may not find, how many would fit the text: (no consent,
    review status). Their profile texts are searched against the one document in its own corpus."""
    from models.consent import Audience, findable
    rows = db.session.execute(
        select(VolunteerProfile.user_id, VolunteerProfile.consent_to_be_found, VolunteerProfile.review_status,
               VolunteerProfile.skills, VolunteerProfile.interests, VolunteerProfile.tags)
        .join(User, VolunteerProfile.user_id == User.id)
        .where(~findable(Audience.INSTITUTIONS), User.active.is_(True), User.deleted_at.is_(None),
               VolunteerProfile.offers_time.is_(True))
        .order_by(VolunteerProfile.updated_at.desc()).limit(NON_FINDABLE_CAP)).all()
    rows = [r for r in rows if r.user_id not in exclude]
    if not rows:
        return 0, 0
    index = suggestions.corpora()[corpus_name].current()
    if doc_id not in index:
        return 0, 0
    # The same text as VolunteerProfile.matching_text, read in bulk.
    texts = [" ".join(filter(None, (r.skills, r.interests, (r.tags or "").replace(",", " ")))) for r in rows]
    results = index.search_many(texts, k=1, allowed_ids=[doc_id])
    fits = [r for r, found in zip(rows, results) if found and found[0].score >= suggestions.MIN_SCORE]
    barred = sum(1 for r in fits if r.review_status in ReviewStatus.BARRED)
    return len(fits) - barred, barred


def for_task(task: Task, *, now: datetime) -> Obstacle:
    """Why "Foreslåede frivillige" is empty for a task, and what would help (for its staff)."""
    edit_url = url_for("institutions.edit_task", task_id=task.id)
    facts = suggestions.task_facts([task.id], now).get(task.id)
    if facts is None or not task.takes_signups or not [o for o in facts.openings if ranking.bookable(o, now=now)]:
        return Obstacle(NO_TIMES, _("The task has no coming time with a free place, so we suggest nobody."),
                        _("Add a time or more places to the task."), edit_url)
    corpus = suggestions.corpora()["profiles"]
    index = corpus.current()
    allowed = [uid for uid, stamp in corpus.seen.items() if stamp.offers_time]
    matches = [m for m in index.search(task.matching_text, k=min(max(len(allowed), 1), MATCH_CAP),
                                            allowed_ids=allowed)
               if m.score >= suggestions.MIN_SCORE] if allowed else []
    no_consent, barred = _fit_non_findable(task.matching_text, "tasks", task.id, set())
    counts = {"candidates": len(allowed) + no_consent + barred, CONSENT: no_consent, REVIEW: barred,
              TEXT: len(allowed) - len(matches)}
    if not matches:
        if no_consent or barred:
            code = CONSENT if no_consent >= barred else REVIEW
            if code == CONSENT:
                return Obstacle(CONSENT, ngettext(
                    "%(num)d volunteer fits the task but has not agreed that institutions may find them.",
                    "%(num)d volunteers fit the task but have not agreed that institutions may find them.",
                    no_consent),
                    _("Share the link to the task, or ask the volunteer coordinators to pass it on: people who "
                      "fit can then find it themselves."), url_for("public.task", task_id=task.id), counts)
            return Obstacle(REVIEW, ngettext(
                "%(num)d volunteer fits the task, but the volunteer coordinators have not approved their profile.",
                "%(num)d volunteers fit the task, but the volunteer coordinators have not approved their profiles.",
                barred), _("Ask the volunteer coordinators."), None, counts)
        if not allowed:
            return Obstacle(NO_CANDIDATES, _("No volunteers have agreed that institutions may find them yet."),
                            _("Share the link to the task, so people can find it themselves."),
                            url_for("public.task", task_id=task.id), counts)
        return Obstacle(TEXT, _("No volunteer's profile meets what the task says."),
                        _("Describe in plain words what the volunteers do and what is good to bring."), edit_url,
                        counts)
    people = suggestions.volunteer_facts([m.id for m in matches], now, task_id=task.id)
    failing = {uid: _task_failures(facts, person, now) for uid, person in people.items()}
    order = (SIGNED_UP, DISTANCE, TIME, SCREENING)
    removed = _sequential(failing, order)
    counts.update(removed)
    chosen = _choose(failing, order, removed)
    fitting = len(people)
    if chosen == SIGNED_UP:
        return Obstacle(SIGNED_UP, _("The volunteers who fit are already signed up for the task."), "", None, counts)
    if chosen == DISTANCE:
        return Obstacle(DISTANCE, ngettext(
            "%(num)d volunteer fits the task but lives farther from %(postcode)s than they will travel.",
            "%(num)d volunteers fit the task but live farther from %(postcode)s than they will travel.",
            removed[DISTANCE] or fitting, postcode=facts.postcode or "?"),
            _("Check the task's postcode, or ask the volunteer coordinators to pass the task on: some travel "
              "farther for the right task."), edit_url, counts)
    if chosen == TIME:
        free = Counter(slot for uid, person in people.items() if TIME in failing[uid]
                       for slot in person.availability)
        fix = _("Another day or time of day would help.")
        if free:
            (weekday, part), n = free.most_common(1)[0]
            fix = ngettext("Another time would help: %(num)d of them is free on %(when)s.",
                           "Another time would help: %(num)d of them are free on %(when)s.", n,
                           when=_slot_label(weekday, part))
        return Obstacle(TIME, ngettext("%(num)d volunteer fits the task but is not free at its times.",
                                       "%(num)d volunteers fit the task but are not free at its times.",
                                       removed[TIME] or fitting), fix, edit_url, counts)
    if chosen == SCREENING:
        return Obstacle(SCREENING, ngettext(
            "%(num)d volunteer fits the task but cannot meet its screening requirement.",
            "%(num)d volunteers fit the task but cannot meet its screening requirement.", removed[SCREENING]),
            _("Ask the volunteer coordinators."), None, counts)
    return Obstacle(TEXT, _("No volunteer's profile meets what the task says."),
                    _("Describe in plain words what the volunteers do and what is good to bring."), edit_url, counts)


def _slot_label(weekday: int, part: str) -> str:
    from portal.public.forms import PART_LABELS, WEEKDAY_LABELS
    return f"{WEEKDAY_LABELS[weekday]} ({str(PART_LABELS.get(part, part)).lower()})"


# --- sparring agent: people who fit an idea --------------------------------------------------------

def for_idea(idea: Idea) -> Obstacle:
    """Why no findable person fits an idea (for its sparring agent), and what would help."""
    own = {idea.initiator_id} | {c.user_id for c in idea.co_creators}
    corpus = suggestions.corpora()["profiles"]
    index = corpus.current()
    everyone = list(corpus.seen)
    matches = [m for m in index.search(idea.matching_text, k=min(max(len(everyone), 1), MATCH_CAP),
                                            allowed_ids=everyone)
               if m.score >= suggestions.MIN_SCORE] if everyone and idea.matching_text.strip() else []
    taken = sum(1 for m in matches if m.id in own)
    no_consent, barred = _fit_non_findable(idea.matching_text, "ideas", idea.id, own)
    counts = {"candidates": len(everyone) + no_consent + barred, OWN_PEOPLE: taken, CONSENT: no_consent,
              REVIEW: barred, TEXT: len(everyone) - len(matches)}
    if taken and taken == len(matches) and not (no_consent or barred):
        return Obstacle(OWN_PEOPLE, _("The people whose skills fit have already joined the idea."), "", None, counts)
    if no_consent and no_consent >= barred:
        return Obstacle(CONSENT, ngettext(
            "%(num)d person fits the idea but has not agreed that the municipality may find them.",
            "%(num)d people fit the idea but have not agreed that the municipality may find them.", no_consent),
            _("Tell about the idea where people meet, so those who fit can join it themselves."), None, counts)
    if barred:
        return Obstacle(REVIEW, ngettext(
            "%(num)d person fits the idea, but their volunteer profile is not approved.",
            "%(num)d people fit the idea, but their volunteer profiles are not approved.", barred),
            _("Look at the profiles in the review queue."), url_for("coordinators.queue"), counts)
    return Obstacle(TEXT, _("Nobody's profile meets what the idea says."),
                    _("Ask the initiator to describe what help the idea needs, in plain words."), None, counts)
