"""The sub-word channel: Danish compounds, inflections and spellings meet without lexicon entries."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import TextIndex
from matching.analysis import SUBWORD_PREFIX, Analyzer, char_ngrams
from matching.index import SAME_WORD
from matching.lexicon import CONCEPTS, SEED_PARTS, SKILL_LEXICON
from matching.params import DEFAULT

FILLER = {
    "kaffe": "Kaffe og kage i medborgerhuset hver fredag.",
    "bus": "Chauffør til minibussen, kørekort B.",
    "skak": "Skak med beboerne på plejehjemmet.",
    "vej": "Vejen til stationen skal fejes om vinteren.",
}


def _lexicon_words() -> set[str]:
    words = {w for phrase, targets in SKILL_LEXICON.items() for w in (*phrase, *targets)}
    return words | {w for group in CONCEPTS.values() for w in group} | set(SEED_PARTS)


@pytest.mark.parametrize("query, document", [
    ("Jeg kan skubbe en kørestol", "Ledsager for kørestolsbrugere på turen til havnen."),  # compound
    ("Frivillig i en lektiecafé", "Lektiehjælp til skoleelever i udskolingen."),  # compound, shared head
    ("Jeg har struktureret mange projekter", "Vi søger en, der kan strukturere vores arkiv."),  # inflection
    ("Kan hjælpe i lektiecafeen", "Lektiecafé på biblioteket tirsdag."),  # spelling (é) and inflection
    ("Erfaring med fundraising og fondsansøgninger", "Skriv fondsansøgning til foreningens nye bus."),
    ("Speaks Ukrainian", "Hjælp ukrainske familier i hverdagen."),  # an English profile, a Danish task
])
def test_danish_forms_meet_without_lexicon_entries(query, document):
    index = TextIndex.build({**FILLER, "target": document})
    matches = index.search(query, k=3)
    assert matches and matches[0].id == "target", [(m.id, m.score) for m in matches]


def test_spelling_variants_meet_and_are_paired_in_the_reasons():
    index = TextIndex.build({**FILLER, "target": "Aktiviteter med beboerne på plejecentret."})
    match = next(m for m in index.search("Frivillig på plejecenteret", k=3) if m.id == "target")
    assert "plejecenteret ~ plejecentret" in match.explanation
    off = TextIndex.build({**FILLER, "target": "Aktiviteter med beboerne på plejecentret."},
                          dataclasses.replace(DEFAULT, subword_weight=0.0))
    assert match.score > next(m.score for m in off.search("Frivillig på plejecenteret", k=3) if m.id == "target")


@pytest.mark.parametrize("query, document", [
    ("kørestol", "Ledsager for kørestolsbrugere."),
    ("lektiecafé", "Lektiehjælp til skoleelever."),
    ("struktureret", "Kan du strukturere vores arkiv?"),
])
def test_the_examples_of_the_issue_meet_without_any_word_list(query, document):
    # No concept and no lexicon entry joins them: the words themselves do (sub-words, stems, parts).
    assert not {"kørestolsbrugere", "struktureret", "strukturere"} & _lexicon_words()
    no_concepts = dataclasses.replace(DEFAULT, concept_weight=0.0)
    index = TextIndex.build({**FILLER, "target": document}, no_concepts)
    assert index.search(query, k=1)[0].id == "target"


def test_pieces_of_words_are_shown_as_such_never_as_a_shared_word():
    index = TextIndex.build({**FILLER, "stol": "Ledsager for kørestolsbrugere fra plejecentret."})
    match = index.search("Jeg kan skubbe en kørestol", k=1)[0]
    first = match.evidence[0]
    assert (first.query, first.document) == ("kørestol", "kørestolsbrugere") and first.via != SAME_WORD
    assert match.explanation[0] == "kørestol ~ kørestolsbrugere"
    assert "kørestolsbrugere" not in match.explanation  # never as if the person had written it


def test_a_whole_word_counts_more_than_a_piece_of_one():
    index = TextIndex.build({"word": "Vi søger hjælp til en kørestol.", "piece": "Vi søger hjælp til kørestolsbrugere.",
                             "other": "Vi søger hjælp til haven."})
    scores = {m.id: m.score for m in index.search("kørestol", k=3)}
    assert scores["word"] > scores["piece"] > 0
    assert "other" not in scores
    assert 0 < DEFAULT.subword_weight < 0.5  # the channel's share of the cosine is below a whole word's


def test_ngrams_mark_word_edges_split_parts_and_drop_spelling_accents():
    grams = dict(char_ngrams("it-café", 3, 5))
    assert {"#<it", "#it>", "#<it>", "#<caf", "#afe>", "#cafe>"} <= set(grams)
    assert not any("-" in g or "é" in g for g in grams)  # parts are separate words; é reads as e
    assert dict(char_ngrams("kørestol", 3, 5, edge=2.0))["#<kø"] == 2.0
    assert dict(char_ngrams("kørestol", 3, 5, edge=2.0))["#øre"] == 1.0
    assert all(g.startswith(SUBWORD_PREFIX) for g in grams)


def test_stop_words_have_no_subwords_and_features_stay_the_word_channel():
    analyzer = Analyzer()
    assert analyzer.subwords("og i at med") == {}
    assert not any(f.startswith(SUBWORD_PREFIX) for f in analyzer.features("Kørestolsbrugere på tur"))
    assert any(f.startswith(SUBWORD_PREFIX) for f in analyzer.subwords("Kørestolsbrugere på tur"))


def test_common_ngrams_are_pruned_in_large_indexes():
    # In a large index an n-gram in more than subword_max_postings documents is not used at all.
    params = dataclasses.replace(DEFAULT, subword_max_postings=50)
    docs = {i: f"Hjælp med lektier nummer {i}" for i in range(200)} | {"stol": "Kørestolsbrugere søger ledsager"}
    index = TextIndex.build(docs, params)
    state = index._state
    assert state.idf_of("#<lek") == 0.0 and state.idf_of("#<kør") > 0
    assert index.search("kørestol", k=1)[0].id == "stol"


@pytest.mark.parametrize("query, document", [
    ("Jeg er frisør", "Frisørsalon søger hjælp til kunderne."),
    ("Interesseret i genbrug", "Genbrugsbutikken mangler ekspedienter."),
    ("Tidligere tandlæge", "Tandlægeklinik søger tolk."),
    ("Erfaring som naturvejleder", "Naturvejledning for skoleklasser."),
    ("Kan lide svampe", "Svampetur i skoven."),
    ("Jeg spiller badminton", "Badmintonklubben søger hjælpetræner."),
    ("Jeg er pædagog", "Pædagogisk medhjælper i børnehaven."),
    ("Engageret i klimaet", "Klimavenlig madlavning i medborgerhuset."),
])
def test_without_the_channel_these_forms_meet_nothing(query, document):
    # The word channel alone (no sub-words) finds no word in common; the channel finds the document.
    docs = {**FILLER, "target": document}
    off = dataclasses.replace(DEFAULT, subword_weight=0.0)
    assert all(m.id != "target" for m in TextIndex.build(docs, off).search(query, k=3))
    assert TextIndex.build(docs).search(query, k=1)[0].id == "target"


_WORDS = st.sampled_from("first aid board games read aloud og have IT B lektiehjælp kørestole I love gardening "
                         "kørestolsbrugere café lektiecafe".split())


@settings(max_examples=80, deadline=None)
@given(st.lists(_WORDS | st.text(max_size=10), max_size=12).map(" ".join))
def test_query_rows_are_the_analysers_features(text):
    # The index builds query rows from cached word rows; they must be the analyser's features exactly
    # (word channel with capped concepts, plus the sub-words), over the index's unpruned columns.
    index = TextIndex.build({**FILLER, "x": "Kørestolsbrugere, first aid og lektiehjælp i en café"})
    state = index._state
    rows, cols, raw = state._raw_entries([text])
    expected = state.analyzer.features(text)
    expected.update(state.analyzer.subwords(text))
    expected = {state.vocab[f]: w for f, w in expected.items() if f in state.vocab and state.active[state.vocab[f]]}
    assert dict(zip(cols.tolist(), raw.tolist())) == pytest.approx(expected)


@pytest.mark.parametrize("query, document, reason", [
    # compounds: a linking -s-, a head met whole, a part inside a longer word, the Danish "fuge" -e-
    ("Jeg vil gerne være besøgsven", "Besøgsvenner til ensomme ældre i Lyngby.", "besøgsven ~ besøgsvenner"),
    ("Jeg træner fodbold", "Fodboldtræner til U10-holdet.", "fodbold ~ fodboldtræner"),
    ("Jeg synger i kor", "Korsang på plejehjemmet om torsdagen.", "kor ~ korsang"),
    ("svømning", "Svømmetræning for børn i svømmehallen.", "svømning ~ svømmetræning"),
    ("Jeg kan læse højt", "Højtlæsning for børnene i børnehaven.", "højt ~ højtlæsning"),
    # inflection: plural and definite forms, e-syncope (cykel / cykler)
    ("Glad for gåture", "Gåtur med hunden fra internatet.", "gåture"),
    ("Jeg er uddannet sygeplejerske", "Vi mangler sygeplejersker til løbet.", "sygeplejerske"),
    ("Frivillig i genbrugsbutik", "Ekspedient i genbrugsbutikken på hovedgaden.", "genbrugsbutik"),
    ("Jeg reparerer cykler", "Cykelværksted for flygtninge.", None),
    # spelling variants: accents, the old aa, hyphenation
    ("Har mange idéer til aktiviteter", "Kom med dine ideer til sommerfesten.", "idéer ~ ideer"),
    ("Jeg kommer fra Aabenraa", "Frivillig i Åbenrå til byfesten.", None),
    ("e-mail og computer", "Hjælp til email og computere.", "e-mail ~ email"),
])
def test_more_danish_compounds_inflections_and_spellings(query, document, reason):
    index = TextIndex.build({**FILLER, "target": document})
    matches = index.search(query, k=3)
    assert matches and matches[0].id == "target", [(m.id, m.score) for m in matches]
    assert matches[0].score >= DEFAULT.min_score  # shown on the pages, not dropped as a stray match
    if reason is not None:
        assert matches[0].explanation[0] == reason
