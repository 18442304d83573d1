"""Suggestions on an idea page through `matching`: people whose skills fit, similar ideas and tasks.

Searches the cached, incrementally updated indexes of `portal.suggestions` (profiles coordinators and
institutions may find, visible ideas, published tasks), so a page view never builds an index; the
scheduled job `matching_refit` refits them. Who may see whom is models.consent's to say: a sparring
agent sees the people who fit, the idea's initiator sees how many, and by name only those who chose to
be shown to citizens.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from models import Idea, Task, User, VolunteerProfile, db, utcnow
from models.consent import Audience, findable_profiles
from portal import suggestions

SUGGESTIONS = 5
COUNTED = 50  # the initiator is told how many fit, up to this many
MIN_SCORE = suggestions.MIN_SCORE


@dataclass(frozen=True)
class Suggestion:
    item: object
    score: float
    terms: tuple[str, ...]


def _search(corpus_name: str, query: str, k: int, allowed) -> list:
    """Strong text matches among `allowed` ids (a callable given the corpus' fresh stamps)."""
    if not query.strip():
        return []
    corpus = suggestions.corpora()[corpus_name]
    index = corpus.current()
    ids = allowed(corpus.seen)
    if not ids:
        return []
    return [m for m in index.search(query, k=k, allowed_ids=ids) if m.score >= MIN_SCORE]


def _suggest(model, matches: list) -> list[Suggestion]:
    if not matches:
        return []
    rows = {row.id: row for row in db.session.scalars(select(model).where(model.id.in_([m.id for m in matches])))}
    return [Suggestion(rows[m.id], m.score, m.explanation) for m in matches if m.id in rows]


def _fitting(idea: Idea, k: int) -> list:
    """Matches among the people coordinators may find (the profiles index), not the idea's own people."""
    skip = {idea.initiator_id} | {c.user_id for c in idea.co_creators}
    return _search("profiles", idea.matching_text, k, lambda seen: [uid for uid in seen if uid not in skip])


def people_for(idea: Idea, audience: str, k: int = SUGGESTIONS) -> list[Suggestion]:
    """People whose skills fit, among those `audience` may find; never the initiator nor those who joined.

    A sparring agent asks with Audience.COORDINATORS; the idea's initiator with Audience.CITIZENS."""
    matches = _fitting(idea, COUNTED if audience == Audience.CITIZENS else k)
    if audience == Audience.CITIZENS and matches:
        shown = set(db.session.scalars(findable_profiles(Audience.CITIZENS).with_only_columns(
            VolunteerProfile.user_id).where(VolunteerProfile.user_id.in_([m.id for m in matches]))))
        matches = [m for m in matches if m.id in shown]
    return _suggest(User, matches[:k])


def how_many_fit(idea: Idea) -> int:
    """How many people whose skills fit the sparring agent could invite (all an initiator may know)."""
    return len(_fitting(idea, COUNTED))


def similar_ideas(idea: Idea, k: int = SUGGESTIONS) -> list[Suggestion]:
    """Other visible ideas (not hidden, not closed) whose text is close to this one's."""
    matches = _search("ideas", idea.matching_text, k, lambda seen: [i for i in seen if i != idea.id])
    return _suggest(Idea, matches)


def similar_tasks(idea: Idea, k: int = SUGGESTIONS) -> list[Suggestion]:
    """Published tasks one can still sign up for (a future time with a free place) that fit the idea."""
    bookable = suggestions.bookable_task_ids(utcnow())
    return _suggest(Task, _search("tasks", idea.matching_text, k, lambda seen: [i for i in bookable if i in seen]))
