"""Suggestions on an idea page through `matching`: people whose skills fit, similar ideas and tasks.

Uses only the public contract of `matching` (TextIndex.build({id: text}).search(text, k)); the small
indexes are built per request over the current rows, which is plenty at a municipality's scale.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from matching import TextIndex
from models import Idea, Task, User, VolunteerProfile, db

SUGGESTIONS = 5
MIN_SCORE = 0.05
CANDIDATE_LIMIT = 5000


@dataclass(frozen=True)
class Suggestion:
    item: object
    score: float
    terms: tuple[str, ...]


def _rank(texts: dict, rows: dict, query: str, k: int, skip=frozenset()) -> list[Suggestion]:
    texts = {key: text for key, text in texts.items() if key not in skip and text.strip()}
    if not texts or not query.strip():
        return []
    matches = TextIndex.build(texts).search(query, k)
    return [Suggestion(rows[m.id], m.score, tuple(m.terms)) for m in matches if m.score >= MIN_SCORE]


def people_for(idea: Idea, k: int = SUGGESTIONS) -> list[Suggestion]:
    """Consenting, active volunteers whose skills and interests fit; not the initiator nor those who joined."""
    profiles = db.session.scalars(
        select(VolunteerProfile).join(User, VolunteerProfile.user_id == User.id)
        .where(VolunteerProfile.consent_to_be_found.is_(True), VolunteerProfile.review_status != "declined",
               User.active.is_(True), User.deleted_at.is_(None))
        .options(joinedload(VolunteerProfile.user)).order_by(VolunteerProfile.id.desc()).limit(CANDIDATE_LIMIT)).all()
    skip = {idea.initiator_id} | {c.user_id for c in idea.co_creators}
    texts = {p.user_id: p.matching_text for p in profiles}
    return _rank(texts, {p.user_id: p.user for p in profiles}, idea.matching_text, k, frozenset(skip))


def similar_ideas(idea: Idea, k: int = SUGGESTIONS) -> list[Suggestion]:
    ideas = db.session.scalars(
        select(Idea).where(Idea.hidden.is_(False), Idea.id != idea.id, Idea.status != "closed")
        .order_by(Idea.id.desc()).limit(CANDIDATE_LIMIT)).all()
    return _rank({i.id: i.matching_text for i in ideas}, {i.id: i for i in ideas}, idea.matching_text, k)


def similar_tasks(idea: Idea, k: int = SUGGESTIONS) -> list[Suggestion]:
    tasks = db.session.scalars(
        select(Task).where(Task.status == "open").order_by(Task.id.desc()).limit(CANDIDATE_LIMIT)).all()
    texts = {t.id: " ".join(filter(None, [t.title, t.description, t.skills_wanted, t.volunteers_do]))
             for t in tasks}
    return _rank(texts, {t.id: t for t in tasks}, idea.matching_text, k)
