"""Domain concepts: low-weight expansion so that related volunteering words meet (lexicon.CONCEPTS)."""
from __future__ import annotations

import pytest

from matching import TextIndex
from matching.index import CONCEPT_PRUNE_FROM
from matching.analysis import CONCEPT_PREFIX, CONCEPT_WEIGHT, Analyzer, concept_label
from matching.lexicon import CONCEPTS

TASKS = {
    "bag": "Bag kager og boller med børnene i fritidsklubben.",
    "gå": "Gåtur i parken med beboerne fra plejecentret.",
    "regn": "Kasserer til idrætsforeningen: regnskab og kontingent.",
    "it": "Hjælp seniorer med tablet og MitID på biblioteket.",
    "strik": "Strikkecafé: garn og pinde er der.",
}


@pytest.fixture(scope="module")
def index() -> TextIndex:
    return TextIndex.build(TASKS)


def concepts_of(analyzer: Analyzer, text: str) -> set[str]:
    return {concept_label(f) for f in analyzer.features(text) if concept_label(f)}


def test_a_concept_match_is_found_and_explained(index):
    # A cook shares no word with the baking task, but both are about food.
    found = {m.id: m for m in index.search("Jeg er uddannet kok", k=5)}
    assert "bag" in found
    assert found["bag"].terms and all(t.endswith(" (mad)") for t in found["bag"].terms)
    word = found["bag"].terms[0].removesuffix(" (mad)")
    assert word.lower() in TASKS["bag"].lower()
    # One entry per concept, not one per word of the concept.
    assert len(found["bag"].terms) == 1


def test_english_reaches_concepts_through_the_lexicon(index):
    top = index.search("Former chef, loves cooking", k=1)[0]
    assert top.id == "bag"
    assert any(t.endswith("(mad)") for t in top.terms)


def test_cycling_trip_meets_a_walk(index):
    matches = index.search("Cykler gerne en cykeltur med ældre", k=5)
    assert matches[0].id == "gå"
    assert any("(natur og ture)" in t for t in matches[0].terms)
    assert any("(ældre)" in t for t in matches[0].terms)


def test_literal_words_come_before_concept_words_in_the_reasons(index):
    terms = index.search("Vil gerne hjælpe med regnskab og økonomi", k=1)[0].terms
    assert terms[0] == "regnskab"
    labelled = [i for i, t in enumerate(terms) if t.endswith(")")]
    plain = [i for i, t in enumerate(terms) if not t.endswith(")")]
    assert labelled and plain and max(plain) < min(labelled)


def _pairs():
    # For every concept: two of its words whose analyses share nothing but concepts.
    for label, words in CONCEPTS.items():
        for first in words:
            for second in words:
                analyzer = Analyzer.fit([first, second])  # knows both, as an index of the two would
                first_words = {f for f in analyzer.features(first) if not concept_label(f)}
                second_words = {f for f in analyzer.features(second) if not concept_label(f)}
                if label not in (first, second) and not first_words & second_words:
                    yield label, first, second
                    break
            else:
                continue
            break


@pytest.mark.parametrize("label, literal, related", list(_pairs()))
def test_literal_matches_rank_above_concept_only_ones(label, literal, related):
    filler = "Frivillig søges til {} i foreningen om tirsdagen."
    index = TextIndex.build({"literal": filler.format(literal), "related": filler.format(related),
                             "other": "Vi mangler en frivillig til opgaven om torsdagen."})
    query = f"Jeg er god til {literal}"
    matches = index.search(query, k=3)
    by_id = {m.id: m for m in matches}
    assert matches[0].id == "literal", (label, literal, related)
    assert "related" in by_id, (label, literal, related)  # found through the concept alone
    assert by_id["related"].score < 0.5 * matches[0].score
    assert f"{related} ({label})".lower() in [t.lower() for t in by_id["related"].terms]


def test_a_concept_counts_once_and_less_than_a_word():
    analyzer = Analyzer()
    features = analyzer.features("Bag kager, boller og brød; bagning og madlavning i køkkenet.")
    assert features[CONCEPT_PREFIX + "mad"] == CONCEPT_WEIGHT
    assert 0 < CONCEPT_WEIGHT < 0.5
    words = [w for f, w in features.items() if not concept_label(f)]
    assert max(words) >= 1.0


def test_ambiguous_words_do_not_carry_concepts():
    analyzer = Analyzer()
    assert "mad" not in concepts_of(analyzer, "Jeg er chef i en bank")  # Danish chef = boss
    assert "mad" in concepts_of(analyzer, "I worked as a chef")
    assert concepts_of(analyzer, "Du skal have tid") == set()  # have = to have
    assert concepts_of(analyzer, "Jeg har kørekort") == {"kørsel"}  # not "spil" from kort


def test_a_words_own_concept_wins_over_its_parts():
    analyzer = Analyzer.fit(["bog og bøger", "føring", "holder", "flygtninge", "kvinder"])
    assert concepts_of(analyzer, "bogføring") == {"økonomi"}  # not "læsning" from bog
    assert "integration" in concepts_of(analyzer, "flygtningekvinder")  # an unknown compound takes its parts'
    assert "ældre" in concepts_of(analyzer, "plejecentrets")


def test_every_thesaurus_word_carries_its_concept():
    analyzer = Analyzer()
    for label, words in CONCEPTS.items():
        assert len(words) >= 4, label  # a concept is a group of related words
        for word in words:
            assert label in concepts_of(analyzer, word), (label, word)
            assert label in concepts_of(analyzer, word.capitalize()), (label, word)


def test_documents_meeting_only_on_a_concept_are_weak_not_strong(index):
    # Concept-only scores stay well below a match on the words themselves.
    literal = index.search("kager og boller", k=1)[0]
    related = {m.id: m for m in index.search("madlavning", k=5)}["bag"]
    assert literal.id == "bag" and related.score < 0.5 * literal.score


def test_widespread_concepts_are_left_out_of_queries_only_in_large_indexes():
    # In a large index a concept in more than CONCEPT_MAX_DF of the documents is not queried: alone it
    # would tie all of them, and its long posting list would cost every query (max_df pruning).
    docs = {i: "Bag kager med børnene." if i % 4 == 0 else "Vi mangler en frivillig til opgaven." for i in range(
        CONCEPT_PRUNE_FROM)}
    docs["bus"] = "Chauffør til minibussen."
    large = TextIndex.build(docs)
    assert large.search("Jeg er kok", k=5) == []
    assert large.search("Jeg er kok og har kørekort", k=5)[0].id == "bus"  # narrower concepts still count
    queries = ["Jeg er kok", "kager", "kørekort"]
    assert large.search_many(queries, k=5) == [large.search(q, k=5) for q in queries]
    assert docs[large.search("kager", k=1)[0].id].startswith("Bag")  # the words themselves are always searched
    small = TextIndex.build({i: text for i, text in docs.items() if i in range(0, 40) or i == "bus"})
    assert docs[small.search("Jeg er kok", k=1)[0].id].startswith("Bag")
