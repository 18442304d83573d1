"""Suggestions through `matching`: tasks for a citizen, volunteers for a task, related tasks.

Three cached TextIndexes per process (open tasks; profiles that coordinators and institutions may find
by models.consent; visible ideas, for the idea pages) are kept in step with the database on each use by a diff of (id, updated_at): changed rows are
added, updated or removed incrementally, never refitted inside a request. The scheduled job
`matching_refit` rebuilds them all from the database (relearning the compound vocabulary and IDF) and,
outside tests, writes them to the instance folder so every web process picks the fresh fit up.

Hard filters and breadth come from `matching.ranking`; candidates that fail a cheap SQL pre-filter
are never searched, and the text search runs over the pre-filtered ids only.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from matching import Match, TextIndex
from matching.index import FORMAT_VERSION
from matching.params import DEFAULT
from matching import ranking
from portal import index_codec
from models.base import chunks
from models import (CertificateStatus, Idea, IdeaStatus, Institution, Occurrence, ReviewStatus, Signup, SignupStatus,
                    Task, TaskStatus, User, VolunteerProfile, db, utcnow)
from models.base import matching_text
from models.consent import Audience, findable_profiles

log = logging.getLogger(__name__)

SHOWN = 5            # suggestions shown on a page
RELATED_SHOWN = 3
# Related tasks ranked beyond those shown, so that a few full ones can drop out when the ranking is reused.
RELATED_SPARE = 6
POOL = 40            # text matches fetched before the per-candidate filters; widened once if too few
WIDEN = 5
MIN_SCORE = DEFAULT.min_score  # below this a "match" is stray (learned, see matching/params.py), not a reason


# --- the cached indexes ------------------------------------------------------------------------

class Corpus:
    """One TextIndex kept in step with a set of rows, identified by id and an `updated_at` stamp."""

    def __init__(self, name: str, stamps: Callable[[], dict], texts: Callable[[Iterable], dict]) -> None:
        self.name = name
        self._stamps = stamps
        self._texts = texts
        self.index: TextIndex | None = None
        self.seen: dict[Hashable, object] = {}
        self.loaded_file_mtime = 0.0
        self.loaded_shared_stamp: bytes | None = None
        self.checked_at: tuple | None = None  # the change mark under which the stamps were last compared
        self.shared_checked = float("-inf")  # when Redis was last asked for a new fit (time.monotonic)
        self.lock = threading.Lock()

    def current(self) -> TextIndex:
        """The index, brought up to date with the database by cheap incremental changes.

        The stamps (one row per published task, or per findable profile) are compared only when
        something may have changed: a content write in any process (the caches' generation and shared
        version, portal/public/cache.py), a new saved fit, or every STAMPS_SECONDS (what changes with
        time alone, and a Redis that restarted empty). Without Redis they are compared on every call.
        """
        with self.lock:
            index_before = self.index
            self._load_saved()
            mark = _change_mark()
            if mark is not None and mark == self.checked_at and self.index is index_before is not None:
                return self.index
            stamps = self._stamps()
            self.checked_at = mark
            if self.index is None:
                # First use in this process and no saved fit: build once (nothing to refit yet).
                self.index, self.seen = TextIndex.build(self._texts(stamps)), stamps
                return self.index
            gone = [i for i in self.seen if i not in stamps]
            changed = [i for i, stamp in stamps.items() if self.seen.get(i, object()) != stamp]
            for doc_id in gone:
                self.index.discard(doc_id)
            if changed:
                for doc_id, text in self._texts(changed).items():
                    self.index.update(doc_id, text)
            self.seen = stamps
            return self.index

    def refit(self) -> int:
        """Rebuild from the database (the scheduled job's work); returns the number of documents."""
        stamps = self._stamps()
        fresh = TextIndex.build(self._texts(stamps))
        with self.lock:
            self.index, self.seen = fresh, stamps
            self._save()
        return len(fresh)

    def _path(self) -> Path | None:
        folder = current_app.config.get("MATCHING_INDEX_DIR")
        if folder is None and not current_app.config.get("TESTING"):
            folder = os.path.join(current_app.instance_path, "matching")
        if not folder:
            return None
        db_key = hashlib.sha256(current_app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()[:12]
        return Path(folder) / f"{self.name}-{db_key}.npz"

    def _shared_key(self) -> tuple | None:
        """(Redis client, key) where every host finds the fit, when the site has Redis."""
        shared = current_app.extensions.get("samskab_shared_version")
        if shared is None:
            return None
        db_key = hashlib.sha256(current_app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()[:12]
        return shared, f"{shared.key.rsplit(':', 1)[0]}:matching:{self.name}-{db_key}"

    def _save(self) -> None:
        shared = self._shared_key()
        if shared is not None:
            data = index_codec.dumps({"format": FORMAT_VERSION, "index": self.index, "seen": self.seen})
            stamp = hashlib.sha256(data).hexdigest().encode()
            try:
                shared[0].client.pipeline().set(shared[1], data).set(shared[1] + ":stamp", stamp).execute()
                self.loaded_shared_stamp = stamp
            except shared[0].errors:
                log.warning("Could not store the matching index %s in Redis", self.name)
        path = self._path()
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        with open(temporary, "wb") as handle:
            # A safe format (JSON + numpy arrays, no pickle): see portal/index_codec.py.
            handle.write(index_codec.dumps({"format": FORMAT_VERSION, "index": self.index, "seen": self.seen}))
        os.replace(temporary, path)  # atomic: readers see the old or the new file, never half of one
        self.loaded_file_mtime = path.stat().st_mtime

    def _load_shared(self) -> bool:
        shared = self._shared_key()
        if shared is None:
            return False
        # A new fit (the refit job's) is looked for at most once a second, not on every call.
        if time.monotonic() < self.shared_checked + SHARED_FIT_SECONDS:
            return self.loaded_shared_stamp is not None
        self.shared_checked = time.monotonic()
        try:
            stamp = shared[0].client.get(shared[1] + ":stamp")
            if stamp is None or stamp == self.loaded_shared_stamp:
                return stamp is not None
            data = shared[0].client.get(shared[1])
        except shared[0].errors:
            return False
        self.loaded_shared_stamp = stamp  # tried once per version
        try:
            saved = index_codec.loads(data)
        except Exception:  # noqa: BLE001 - a damaged entry only costs a rebuild
            log.warning("Could not read the shared matching index %s", self.name, exc_info=True)
            return False
        if isinstance(saved, dict) and saved.get("format") == FORMAT_VERSION:
            self.index, self.seen = saved["index"], saved["seen"]
        return True

    def _load_saved(self) -> None:
        if self._load_shared():
            return
        path = self._path()
        if path is None or not path.exists() or path.stat().st_mtime <= self.loaded_file_mtime:
            return
        self.loaded_file_mtime = path.stat().st_mtime  # tried once per version of the file
        try:
            # Read without pickle: a file can only build the index's own classes.
            saved = index_codec.loads(path.read_bytes())
        except Exception:  # noqa: BLE001 - a damaged file only costs a rebuild
            log.warning("Could not read the saved matching index %s", path, exc_info=True)
            return
        if not isinstance(saved, dict) or saved.get("format") != FORMAT_VERSION:
            return  # written by other code: the next refit replaces it
        self.index, self.seen = saved["index"], saved["seen"]


STAMPS_SECONDS = 10
SHARED_FIT_SECONDS = 1.0


def _change_mark() -> tuple | None:
    """What has to move before the indexes can be out of step with the database (None: cannot tell,
    because the site has no Redis or it is away, so other processes' writes would go unseen)."""
    from portal.public import cache
    shared = current_app.extensions.get("samskab_shared_version")
    if shared is None:
        return None
    seen = cache.versions(shared)
    if seen.content[1] is None:
        return None
    return seen.content, int(utcnow().timestamp() // STAMPS_SECONDS)


def _task_stamps() -> dict:
    return dict(db.session.execute(select(Task.id, Task.updated_at).where(Task.status == TaskStatus.OPEN)).all())


def _texts(model, ids: Iterable) -> dict:
    """{id: the matching text} of rows, reading only the columns the model's MATCHING_FIELDS name."""
    ids = list(ids)
    if not ids:
        return {}
    columns = [getattr(model, name) for name in model.MATCHING_FIELDS]
    return {row[0]: matching_text(row[1:]) for batch in chunks(ids)
            for row in db.session.execute(select(model.id, *columns).where(model.id.in_(batch)))}


def _task_texts(ids: Iterable) -> dict:
    return _texts(Task, ids)


def _consenting():
    """Profiles whose people may be suggested at all: those institutions may find (models.consent)."""
    return findable_profiles(Audience.INSTITUTIONS)


class ProfileStamp(NamedTuple):
    """What the profiles corpus remembers per person: the change stamp and whether they offer time
    (people who offer only ideas are suggested on idea pages, never for tasks)."""
    updated_at: datetime
    offers_time: bool


def _profile_stamps() -> dict:
    query = _consenting().with_only_columns(VolunteerProfile.user_id, VolunteerProfile.updated_at,
                                            VolunteerProfile.offers_time)
    return {uid: ProfileStamp(updated_at, bool(offers_time))
            for uid, updated_at, offers_time in db.session.execute(query)}


def _profile_texts(ids: Iterable) -> dict:
    ids = list(ids)
    if not ids:
        return {}
    return {p.user_id: p.matching_text for batch in chunks(ids) for p in db.session.scalars(
        select(VolunteerProfile).where(VolunteerProfile.user_id.in_(batch)))}


def _idea_stamps() -> dict:
    """Ideas that may be suggested as similar: not hidden, not closed."""
    return dict(db.session.execute(select(Idea.id, Idea.updated_at)
                                   .where(Idea.hidden.is_(False), Idea.status != IdeaStatus.CLOSED)).all())


def _idea_texts(ids: Iterable) -> dict:
    return _texts(Idea, ids)


def corpora() -> dict[str, Corpus]:
    """This application's three corpora (created on first use, one set per app)."""
    store = current_app.extensions.setdefault("samskab_matching", {})
    if not store:
        store["tasks"] = Corpus("tasks", _task_stamps, _task_texts)
        store["profiles"] = Corpus("profiles", _profile_stamps, _profile_texts)
        store["ideas"] = Corpus("ideas", _idea_stamps, _idea_texts)
    return store


def refit_job(now: datetime) -> list:
    """Scheduled: rebuild all indexes from the database; queues no mail."""
    sizes = {name: corpus.refit() for name, corpus in corpora().items()}
    log.info("Matching indexes refitted: %s", sizes)
    return []


# --- facts for the filters -----------------------------------------------------------------------

def _coming_time(now: datetime, *, free_only: bool = True) -> list:
    """SQL conditions on an occurrence: in the future, not cancelled, and (with `free_only`) a free spot."""
    conditions = [Occurrence.cancelled.is_(False), Occurrence.starts_at > now]
    if free_only:
        conditions.append(Occurrence.accepted_count < Occurrence.capacity)
    return conditions


def bookable_task_ids(now: datetime, *, free_only: bool = True) -> list[int]:
    """Cheap SQL pre-filter: published tasks with a future, uncancelled occurrence with a free spot
    (with `free_only` False: with a future, uncancelled occurrence, full or not)."""
    return list(db.session.scalars(
        select(Task.id).join(Occurrence, Occurrence.task_id == Task.id)
        .where(Task.status == TaskStatus.OPEN, *_coming_time(now, free_only=free_only)).distinct()))


def task_facts(ids: Iterable[int], now: datetime) -> dict[int, ranking.TaskFacts]:
    ids = list(ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Task, func.coalesce(Task.postcode, Institution.postcode))
        .join(Institution, Task.institution_id == Institution.id).where(Task.id.in_(ids))).all()
    openings: dict[int, list[ranking.Opening]] = {i: [] for i in ids}
    for o in db.session.scalars(select(Occurrence).where(Occurrence.task_id.in_(ids), Occurrence.starts_at > now)
                                .order_by(Occurrence.starts_at)):
        openings[o.task_id].append(ranking.Opening(o.id, o.starts_at, o.ends_at, o.spots_left, o.cancelled))
    return {t.id: ranking.TaskFacts(t.id, tuple(openings[t.id]), t.takes_signups, postcode,
                                    t.requires_child_certificate, t.requires_pledge)
            for t, postcode in rows}


def volunteer_facts(user_ids: Iterable[int], now: datetime, *, task_id: int | None = None,
                    require_consent: bool = True,
                    profiles: list[VolunteerProfile] | None = None) -> dict[int, ranking.VolunteerFacts]:
    """Facts of volunteers in a fixed number of queries (profiles with slots, away and screening;
    upcoming commitments counted in one grouped query; sign-ups to `task_id` or to anything).
    `profiles`: these people's profiles, loaded already (one person's own page has theirs)."""
    user_ids = list(user_ids)
    if not user_ids:
        return {}
    if profiles is None:
        profiles = db.session.scalars(
            select(VolunteerProfile).where(VolunteerProfile.user_id.in_(user_ids))
            .options(selectinload(VolunteerProfile.availability), selectinload(VolunteerProfile.away),
                     selectinload(VolunteerProfile.screening))).all()
    upcoming = dict(db.session.execute(
        select(Signup.user_id, func.count(Signup.id)).join(Occurrence, Signup.occurrence_id == Occurrence.id)
        .where(Signup.user_id.in_(user_ids), Signup.status.in_(SignupStatus.HOLDING), Occurrence.starts_at > now)
        .group_by(Signup.user_id)).all())
    busy_query = (select(Signup.user_id, Signup.occurrence_id).join(Occurrence, Signup.occurrence_id == Occurrence.id)
                  .where(Signup.user_id.in_(user_ids), Signup.status.in_(SignupStatus.ACTIVE),
                         Occurrence.starts_at > now))
    if task_id is not None:
        busy_query = busy_query.where(Occurrence.task_id == task_id)
    busy: dict[int, set] = {}
    for uid, oid in db.session.execute(busy_query):
        busy.setdefault(uid, set()).add(oid)
    facts = {}
    for p in profiles:
        screening = p.screening
        valid = (screening.child_certificate_valid_until
                 if screening and screening.child_certificate_status == CertificateStatus.RECEIVED else None)
        facts[p.user_id] = ranking.VolunteerFacts(
            p.user_id, consent_to_be_found=bool(p.consent_to_be_found) or not require_consent,
            availability=frozenset((s.weekday, s.part) for s in p.availability),
            away=tuple((a.starts_on, a.ends_on) for a in p.away), postcode=p.postcode, travel_km=p.travel_km,
            child_certificate_until=valid, pledge_given=bool(screening and screening.pledge_accepted_at),
            can_be_screened=p.review_status not in ReviewStatus.BARRED, upcoming=upcoming.get(p.user_id, 0),
            busy_openings=frozenset(busy.get(p.user_id, ())))
    return facts


# --- the three kinds of suggestion ------------------------------------------------------------------

@dataclass(frozen=True)
class TaskSuggestion:
    task: Task
    suggestion: ranking.Suggestion
    missing: tuple[str, ...] = ()  # the screening the citizen lacks for the first fitting time, named

    @property
    def reasons(self) -> list[str]:
        return explain(self.suggestion, self.missing)


@dataclass(frozen=True)
class VolunteerSuggestion:
    user: User
    suggestion: ranking.Suggestion
    invited: bool = False

    @property
    def reasons(self) -> list[str]:
        return explain_volunteer(self.suggestion)


def tasks_for(user: User, *, now: datetime | None = None, k: int = SHOWN) -> list[TaskSuggestion]:
    """"Forslag til dig": bookable tasks that fit the citizen's profile text, times, area and screening.

    The citizen's own consent to be found is not needed to see suggestions for oneself; a declined
    profile holds no place, so nothing is suggested to it.
    """
    now = now or utcnow()
    profile = user.profile
    if (profile is None or not profile.offers_time or profile.review_status in ReviewStatus.BARRED
            or not profile.matching_text.strip()):
        return []
    me = volunteer_facts([user.id], now, require_consent=False, profiles=[profile]).get(user.id)
    if me is None:
        return []
    # A task the citizen already takes part in is not suggested again, not even its other times.
    mine = set(db.session.scalars(select(Occurrence.task_id).join(Signup, Signup.occurrence_id == Occurrence.id)
                                  .where(Signup.user_id == user.id, Signup.status.in_(SignupStatus.ACTIVE))))
    bookable = [i for i in bookable_task_ids(now) if i not in mine]
    index = corpora()["tasks"].current()
    ranked: list[ranking.Suggestion] = []
    for pool in (POOL, POOL * WIDEN):
        matches = _strong(index.search(profile.matching_text, k=pool, allowed_ids=bookable))
        ranked = ranking.rank_tasks(matches, task_facts([m.id for m in matches], now), me, now=now, k=k)
        if len(ranked) >= k or len(matches) < pool:
            break
    tasks = _load(Task, [s.id for s in ranked], selectinload(Task.institution))
    ranked = _lift_by_breadth(ranked, tasks, breadth_wanted(user, now=now))
    return [TaskSuggestion(tasks[s.id], s, _lacking(tasks[s.id], s, me)) for s in ranked if s.id in tasks]


def _lacking(task: Task, suggestion: ranking.Suggestion, me: ranking.VolunteerFacts) -> tuple[str, ...]:
    """Which screening (as models.tasks.unmet_requirements names it) the volunteer still needs for the
    suggested time: "child_certificate", "pledge" or both."""
    if ranking.SCREENING_NEEDED not in suggestion.reasons or suggestion.opening is None:
        return ()
    day = suggestion.opening.starts_at.astimezone(ranking.COPENHAGEN).date()
    missing = []
    if task.requires_child_certificate and (me.child_certificate_until is None or me.child_certificate_until < day):
        missing.append("child_certificate")
    if task.requires_pledge and not me.pledge_given:
        missing.append("pledge")
    return tuple(missing)


# --- breadth (000): tasks flagged as open to this person are lifted and say why -----------------------

BREADTH_LIFT = 0.25  # a suggestion's score is raised by this share per breadth flag that fits the person
BREADTH_REASON = "breadth:"  # reason code prefix, followed by the flag's name


def breadth_wanted(user: User, *, now: datetime) -> set[str]:
    """The breadth flags that speak to this person, from what their profile says (nothing is guessed):

    a good first task for someone who has not yet taken part; no Danish needed for someone who does not
    list Danish among their languages; for young people under 18 for someone who gave a birth year that
    makes them so.
    """
    from models.base import LOCAL
    profile = user.profile
    wanted: set[str] = set()
    took_part = db.session.scalar(select(func.count(Signup.id)).where(
        Signup.user_id == user.id, Signup.status == SignupStatus.ATTENDED))
    if not took_part:
        wanted.add("good_first_task")
    languages = (profile.languages or "").lower() if profile else ""
    if languages.strip() and "dansk" not in languages and "danish" not in languages:
        wanted.add("no_danish_needed")
    if profile and profile.birth_year and now.astimezone(LOCAL).year - profile.birth_year < 18:
        wanted.add("for_under_18")
    return wanted


def _lift_by_breadth(ranked: list, tasks: dict, wanted: set[str]) -> list:
    if not wanted:
        return ranked
    lifted = []
    for suggestion in ranked:
        task = tasks.get(suggestion.id)
        fits = [flag for flag in (task.breadth if task is not None else []) if flag in wanted]
        if fits:
            suggestion = replace(suggestion, score=round(suggestion.score * (1 + BREADTH_LIFT * len(fits)), 6),
                                 reasons=suggestion.reasons + tuple(BREADTH_REASON + flag for flag in fits))
        lifted.append(suggestion)
    return sorted(lifted, key=lambda s: (-s.score, -s.text_score, str(s.id)))


def volunteers_for(task: Task, *, now: datetime | None = None, k: int = SHOWN,
                   occurrence_id: int | None = None) -> list[VolunteerSuggestion]:
    """"Foreslåede frivillige": consenting volunteers who fit the task's text, times, area, requirements;
    volunteers with many upcoming commitments are demoted (breadth).

    With `occurrence_id` only that occurrence counts (the under-filled task mail asks about one date).
    """
    now = now or utcnow()
    if not task.takes_signups:
        return []
    facts = task_facts([task.id], now).get(task.id)
    if facts is not None and occurrence_id is not None:
        facts = replace(facts, openings=tuple(o for o in facts.openings if o.id == occurrence_id))
    if facts is None or not facts.openings:
        return []
    corpus = corpora()["profiles"]
    index = corpus.current()
    # The findable profiles just read (consent as of this request), of people who offer time.
    allowed = {uid for uid, stamp in corpus.seen.items() if stamp.offers_time}
    ranked: list[ranking.Suggestion] = []
    for pool in (POOL, POOL * WIDEN):
        matches = _strong(index.search(task.matching_text, k=pool, allowed_ids=allowed))
        people = volunteer_facts([m.id for m in matches], now, task_id=task.id)
        ranked = ranking.rank_volunteers(matches, people, facts, now=now, k=k)
        if len(ranked) >= k or len(matches) < pool:
            break
    users = _load(User, [s.id for s in ranked])
    invited = invited_ids(task, users)
    return [VolunteerSuggestion(users[s.id], s, s.id in invited) for s in ranked if s.id in users]


def tasks_and_obstacle(user: User, *, now: datetime | None = None) -> dict:
    """The page context of "Forslag til dig": the suggestions, and when there are none, what stands in
    the way (portal.obstacles)."""
    from portal import obstacles
    now = now or utcnow()
    found = tasks_for(user, now=now)
    return {"suggestions": found, "obstacle": None if found else obstacles.for_citizen(user, now=now)}


def volunteers_and_obstacle(task: Task, *, now: datetime | None = None) -> dict:
    """The page context of "Foreslåede frivillige": the suggestions, or what stands in the way."""
    from portal import obstacles
    now = now or utcnow()
    found = volunteers_for(task, now=now)
    return {"suggested_volunteers": found, "obstacle": None if found else obstacles.for_task(task, now=now)}


def related_tasks(task: Task, *, now: datetime | None = None, k: int = RELATED_SHOWN,
                  ranked: list[tuple] | None = None) -> list[TaskSuggestion]:
    """Other bookable tasks whose text is close to this one's (on the public task page). `ranked`: a
    related_ranking made earlier (the task page reuses it for a short while)."""
    now = now or utcnow()
    if ranked is None:
        ranked = related_ranking(task, now=now, k=k + RELATED_SPARE)
    found = read_related(ranked, now=now, k=k)
    if len(found) < k and len(ranked) >= k + RELATED_SPARE:
        # More of the closest tasks are full than the spares cover: rank among the free ones alone.
        found = read_related(related_ranking(task, now=now, k=k, free_only=True), now=now, k=k)
    return found


def related_ranking(task: Task, *, now: datetime, k: int = RELATED_SHOWN + RELATED_SPARE,
                    free_only: bool = False) -> list[tuple]:
    """(task id, Match) of the published tasks with a coming time closest to `task`, best first,
    full or not: the ranking depends on the tasks' text alone, so the task page may reuse it while
    sign-ups come and go (read_related drops the full ones when it reads them)."""
    candidates = [i for i in bookable_task_ids(now, free_only=free_only) if i != task.id]
    if not candidates:
        return []
    # The matches explain themselves when asked: only the ones shown pay for their reasons.
    return [(m.id, m) for m in _strong(corpora()["tasks"].current().search(task.matching_text, k=k,
                                                                             allowed_ids=candidates))]


def read_related(ranked: list[tuple], *, now: datetime, k: int = RELATED_SHOWN) -> list[TaskSuggestion]:
    """The first `k` of a related_ranking that are still published with a free coming time, read fresh
    in one statement (a task closed or filled meanwhile drops out at once)."""
    if not ranked:
        return []
    free_time = select(Occurrence.id).where(Occurrence.task_id == Task.id, *_coming_time(now)).exists()
    tasks = {t.id: t for t in db.session.scalars(
        select(Task).where(Task.id.in_([task_id for task_id, _m in ranked]), Task.status == TaskStatus.OPEN,
                           free_time)
        .options(joinedload(Task.institution)))}
    shown = [match for task_id, match in ranked if task_id in tasks][:k]
    return [TaskSuggestion(tasks[m.id], ranking.Suggestion(m.id, m.score, m.score, m.explanation)) for m in shown]


def invited_ids(task: Task, users: dict[int, User]) -> set[int]:
    """Who among `users` has been invited to the task already (their invitation is in the outbox)."""
    from portal.mail.notices.tasks import invitation_key
    from portal.mail.outbox import already_queued
    keys = {invitation_key(task, u): uid for uid, u in users.items()}
    return {keys[key] for key in already_queued(keys)}


def _strong(matches: list[Match]) -> list[Match]:
    return [m for m in matches if m.score >= MIN_SCORE]


def _load(model, ids: list, *options) -> dict:
    if not ids:
        return {}
    return {row.id: row for batch in chunks(ids)
            for row in db.session.scalars(select(model).where(model.id.in_(batch)).options(*options))}


def explain(suggestion: ranking.Suggestion, missing: Iterable[str] = ()) -> list[str]:
    """The reasons as short Danish sentences (through Babel), shared words first; the screening still
    needed is named ("Kræver børneattest"), never "a certificate or a pledge"."""
    from flask_babel import gettext as _
    from portal.formatting import requires
    reasons = []
    if suggestion.terms:
        reasons.append(_("Fits what you wrote: %(words)s", words=", ".join(suggestion.terms[:4])))
    texts = {
        ranking.AVAILABLE: _("At a time you said suits you"),
        ranking.NEARBY: _("Within your travel area"),
        ranking.STARTS_SOON: _("Starts soon and still has free places"),
        ranking.SCREENING_NEEDED: requires(missing),
    }
    reasons.extend(texts[code] for code in suggestion.reasons if texts.get(code))
    from portal.public.forms import breadth_labels
    labels = breadth_labels()
    reasons.extend(str(labels[code[len(BREADTH_REASON):]]) for code in suggestion.reasons
                   if code.startswith(BREADTH_REASON) and code[len(BREADTH_REASON):] in labels)
    return reasons


def explain_volunteer(suggestion: ranking.Suggestion) -> list[str]:
    """Reasons for staff, about the volunteer (not addressed to them).

    Never whether the volunteer's screening is in place: staff see screening facts only for their
    sign-ups, and each such view is written to the audit log (models.screening.facts_for_task).
    """
    from flask_babel import gettext as _
    reasons = []
    if suggestion.terms:
        reasons.append(_("Shared words: %(words)s", words=", ".join(suggestion.terms[:4])))
    texts = {
        ranking.AVAILABLE: _("Available at the task's time"),
        ranking.NEARBY: _("Lives within their travel area"),
        ranking.FEW_COMMITMENTS: _("Has no other coming tasks"),
    }
    reasons.extend(texts[code] for code in suggestion.reasons if code in texts)
    return reasons


# --- teams and networks for a citizen (issue 17) ------------------------------------------------------

COMMUNITY_SHOWN = 3
_community_cache: dict = {"key": None, "index": None}
_community_lock = threading.Lock()


@dataclass(frozen=True)
class CommunitySuggestion:
    """A team or a network to join, with the reasons in words."""

    kind: str                 # "team" | "network"
    row: object               # models.Team | models.Network
    reasons: tuple[str, ...]


def _community_texts() -> dict:
    from models import Network, Team
    texts = {("team", t.id): t.matching_text
             for t in db.session.scalars(select(Team).options(selectinload(Team.task)))}
    texts.update({("network", n.id): n.matching_text for n in db.session.scalars(select(Network))})
    return {key: text for key, text in texts.items() if text.strip()}


def _community_index(texts: dict) -> TextIndex:
    """One small index over every team's and network's text, rebuilt only when a text changed."""
    key = hashlib.sha1(repr(sorted(texts.items())).encode(), usedforsecurity=False).hexdigest()
    with _community_lock:
        if _community_cache["key"] != key:
            _community_cache["index"], _community_cache["key"] = TextIndex.build(texts), key
        return _community_cache["index"]


def community_for(user: User, *, now: datetime | None = None, k: int = COMMUNITY_SHOWN) -> list[CommunitySuggestion]:
    """"Fællesskaber for dig": teams and networks whose text fits the citizen's profile, the way tasks are
    suggested, each with its reasons (shared words, near where they live, a place they already help at,
    how many are in it). Teams and networks the citizen is in already are left out; a declined profile
    gets nothing."""
    from flask_babel import gettext as _, ngettext
    from models import Network, NetworkMember, Team, TeamMember
    from models.networks import member_counts as network_counts
    from models.teams import member_counts as team_counts
    now = now or utcnow()
    profile = user.profile
    if profile is None or profile.review_status in ReviewStatus.BARRED or not profile.matching_text.strip():
        return []
    texts = _community_texts()
    if not texts:
        return []
    mine = {("team", i) for i in db.session.scalars(select(TeamMember.team_id).where(TeamMember.user_id == user.id))}
    mine |= {("network", i) for i in db.session.scalars(select(NetworkMember.network_id)
                                                         .where(NetworkMember.user_id == user.id))}
    allowed = [key for key in texts if key not in mine]
    matches = _strong(_community_index(texts).search(profile.matching_text, k=k, allowed_ids=allowed))
    if not matches:
        return []
    teams = _load(Team, [m.id[1] for m in matches if m.id[0] == "team"], selectinload(Team.institution))
    networks = _load(Network, [m.id[1] for m in matches if m.id[0] == "network"])
    helped_at = set(db.session.scalars(
        select(Task.institution_id).join(Occurrence, Occurrence.task_id == Task.id)
        .join(Signup, Signup.occurrence_id == Occurrence.id)
        .where(Signup.user_id == user.id, Signup.status.in_(SignupStatus.TOOK_PART + (SignupStatus.PENDING,)))))
    counts = {"team": team_counts(teams), "network": network_counts(networks)}
    result = []
    for match in matches:
        kind, row_id = match.id
        row = (teams if kind == "team" else networks).get(row_id)
        if row is None:
            continue
        reasons = []
        if match.explanation:
            reasons.append(_("Fits what you wrote: %(words)s", words=", ".join(match.explanation[:4])))
        if kind == "team":
            if row.institution_id in helped_at:
                reasons.append(_("At %(place)s, where you already help", place=row.institution.name))
            elif profile.postcode and row.institution.postcode == profile.postcode:
                reasons.append(_("Near where you live"))
            if row.tovholder is not None:
                reasons.append(_("A tovholder arranges the shifts, so you are never alone with a task"))
        n = counts[kind].get(row_id, 0)
        if n:
            reasons.append(ngettext("%(num)d is in it already", "%(num)d are in it already", n))
        result.append(CommunitySuggestion(kind, row, tuple(reasons)))
    return result
