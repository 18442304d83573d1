"""Reasons that stay true: "what you wrote" holds only words the person wrote; anything met through
a part of a word, a skill equivalent or a concept is shown as "your word ~ their word"."""
from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from matching import TextIndex, ranking
from matching.analysis import surface_tokens
from matching.index import CONCEPT, SAME_WORD, Evidence

# The demo's language café (portal/demo.py): its skills name "kultur".
SPROGCAFE = ("Sprogcafé for nye danskere Snak dansk med flygtninge og nye borgere over en kop kaffe. "
             "dansk, samtale, sprog, kultur Taler dansk og hjælper med ord og udtale.")
TASKS = {
    "sprog": SPROGCAFE,
    "stol": "Ledsager for kørestolsbrugere fra plejecentret til havnen.",
    "lektie": "Lektiehjælp i dansk og matematik for elever i udskolingen.",
    "bag": "Bag kager og boller med børnene i fritidsklubben.",
    "have": "Havearbejde i fælleshaven med beboerne: luge, plante og høste.",
}


def words_of(text: str) -> set[str]:
    return {w.lower() for w in surface_tokens(text)}


def test_a_word_the_person_never_wrote_is_not_shown_as_theirs():
    # A new user who likes films and art met the language café through the concept "kultur": the
    # reason used to read "Passer til det, du har skrevet: ... kultur".
    index = TextIndex.build(TASKS)
    profile = "Jeg elsker film og kunst"
    match = next(m for m in index.search(profile, k=5) if m.id == "sprog")
    assert "kultur" not in match.explanation
    assert all(" ~ " in shown for shown in match.explanation)  # nothing is a shared word here
    assert any(e.via == CONCEPT and e.concept == "kultur" and e.query.lower() in {"film", "kunst"}
               for e in match.evidence)


def test_english_words_meet_their_danish_equivalents_as_pairs():
    index = TextIndex.build(TASKS)
    match = index.search("I love gardening", k=1)[0]
    assert match.id == "have"
    assert match.explanation[0] == "gardening ~ havearbejde"


def test_the_same_word_in_another_form_is_shown_as_the_person_wrote_it():
    index = TextIndex.build(TASKS)
    match = index.search("Jeg kan lide at bage kage", k=1)[0]
    assert match.id == "bag"
    assert "kage" in match.explanation and "kager" not in match.explanation  # theirs: "kager"
    same = [e for e in match.evidence if e.via == SAME_WORD]
    assert any((e.query, e.document) == ("kage", "kager") for e in same)


def test_a_compound_part_is_not_a_shared_word():
    index = TextIndex.build(TASKS)
    match = index.search("Jeg hjælper gerne med lektier", k=1)[0]
    assert match.id == "lektie"
    assert "lektier ~ lektiehjælp" in match.explanation
    assert "lektiehjælp" not in match.explanation


_WORDS = st.sampled_from("lektier kørestol kørestole film kunst dansk kaffe kage bage have I love gardening "
                         "reading og at elsker sprog flygtninge ældre plejecenteret kulturen".split())


@settings(max_examples=60, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=7).map(" ".join))
def test_every_reason_names_a_word_of_each_side(query):
    index = TextIndex.build(TASKS)
    for match in index.search(query, k=5):
        for evidence in match.evidence:
            assert evidence.query.lower() in words_of(query)
            assert evidence.document.lower() in words_of(TASKS[match.id])
            shown = str(evidence)
            if evidence.via == SAME_WORD:
                assert shown == evidence.query  # a shared word is shown as the person wrote it
            else:
                assert shown.startswith(f"{evidence.query} ~ {evidence.document}")
        assert match.explanation == tuple(str(e) for e in match.evidence)


def test_suggestions_carry_the_query_side_reasons():
    # matching.ranking hands Match.explanation to the pages ("Passer til det, du har skrevet: ...").
    now = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
    opening = ranking.Opening("o1", now + timedelta(days=3), None, 2)
    tasks = {i: ranking.TaskFacts(i, (opening,)) for i in TASKS}
    volunteer = ranking.VolunteerFacts("v", consent_to_be_found=True)
    matches = TextIndex.build(TASKS).search("Jeg elsker film og kunst og kan skubbe en kørestol", k=5)
    suggested = ranking.rank_tasks(matches, tasks, volunteer, now=now)
    assert suggested
    for suggestion in suggested:
        for shown in suggestion.terms:
            mine = shown.split(" ~ ")[0]
            assert mine.lower() in words_of("Jeg elsker film og kunst og kan skubbe en kørestol")


def test_evidence_survives_pickling():
    match = TextIndex.build(TASKS).search("Jeg hjælper gerne med lektier", k=1)[0]
    copy = pickle.loads(pickle.dumps(match))
    assert copy == match and copy.evidence == match.evidence
    assert isinstance(copy.evidence[0], Evidence)
