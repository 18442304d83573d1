"""Suggestions on an idea page through `matching`: people whose skills fit, similar ideas and tasks.

Searches the cached, incrementally updated indexes of `portal.suggestions` (consenting profiles,
visible ideas, published tasks), so a page view never builds an index; the scheduled job
`matching_refit` refits them. Only people who consented to be found are ever in the profiles index.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from models import Idea, Task, User, db, utcnow
from portal import suggestions

SUGGESTIONS = 5
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


def people_for(idea: Idea, k: int = SUGGESTIONS) -> list[Suggestion]:
    """Consenting, active volunteers whose skills fit; not the initiator nor those who joined.

    Show only to the idea's owners and coordinators (the caller decides)."""
    skip = {idea.initiator_id} | {c.user_id for c in idea.co_creators}
    matches = _search("profiles", idea.matching_text, k, lambda seen: [uid for uid in seen if uid not in skip])
    return _suggest(User, matches)


def similar_ideas(idea: Idea, k: int = SUGGESTIONS) -> list[Suggestion]:
    """Other visible ideas (not hidden, not closed) whose text is close to this one's."""
    matches = _search("ideas", idea.matching_text, k, lambda seen: [i for i in seen if i != idea.id])
    return _suggest(Idea, matches)


def similar_tasks(idea: Idea, k: int = SUGGESTIONS) -> list[Suggestion]:
    """Published tasks one can still sign up for (a future time with a free place) that fit the idea."""
    bookable = suggestions.bookable_task_ids(utcnow())
    return _suggest(Task, _search("tasks", idea.matching_text, k, lambda seen: [i for i in bookable if i in seen]))
