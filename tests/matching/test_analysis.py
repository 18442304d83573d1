"""The Danish/English analysis: normalisation, stop words, compounds, English, robustness."""
from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.analysis import (CONCEPT_WEIGHT, Analyzer, cap_concepts, concept_label, fold, normalize,
                               surface_tokens)
from matching.lexicon import DANISH_STOP_WORDS

CORPUS = ["Lektier i dansk og matematik", "Kørestole skal olies", "Besøg hos en ven", "Hjælp med IT",
          "Have og blomster", "Et hold"]


def analyzer() -> Analyzer:
    return Analyzer.fit(CORPUS)


def test_nfd_text_is_composed_and_danish_letters_kept():
    decomposed = unicodedata.normalize("NFD", "på gården får børn æbler")
    assert normalize(decomposed) == "på gården får børn æbler"
    assert surface_tokens(decomposed) == ["på", "gården", "får", "børn", "æbler"]
    features = analyzer().features(decomposed)
    assert {"gård", "får", "børn"} <= set(features)
    assert "far" not in features and "brn" not in features and "pa" not in features


def test_have_is_not_a_stop_word_but_og_is():
    assert "have" not in DANISH_STOP_WORDS and "og" in DANISH_STOP_WORDS
    features = analyzer().features("have og blomster")
    assert "hav" in features and "og" not in features


def test_it_and_one_letter_tokens_survive():
    features = analyzer().features("Kørekort B og IT-hjælp")
    assert "b" in features and "it" in features


def test_compounds_meet_their_parts():
    a = analyzer()
    assert a.split_compound("lektiehjælp") == ["lektie", "hjælp"]
    assert [p.rstrip("s") for p in a.split_compound("besøgsven")] == ["besøg", "ven"]
    assert "stol" in a.features("kørestolsteam") or "kørestol" in a.features("kørestolsteam")
    shared = set(a.features("lektiehjælp")) & set(a.features("lektier"))
    assert shared
    assert set(a.features("it-hjælp")) & set(a.features("IT"))


def test_short_words_are_not_split_into_noise():
    a = analyzer()
    assert a.split_compound("hold") is None
    assert a.split_compound("ekstra") is None


def test_inflections_share_a_stem():
    a = analyzer()
    assert set(a.features("hjælp")) & set(a.features("hjælper")) & set(a.features("hjælpe"))


def test_aa_in_names_reads_as_å():
    assert fold("Aalborg") == "ålborg" and fold("Faaborg") == "fåborg"
    assert fold("ekstraarbejde") == "ekstraarbejde"


def test_english_is_stemmed_and_bridged_to_danish():
    a = analyzer()
    features = a.features("I love gardening and reading to children")
    assert "garden" in features  # English stem
    assert "hav" in features and "børn" in features and "læs" in features  # Danish equivalents


def test_english_it_is_kept():
    assert "it" in analyzer().features("I can help with IT and computers")


def test_empty_and_non_text_input():
    a = analyzer()
    assert a.features("") == {} and a.features("   ") == {} and a.features("og i at") == {}
    assert a.features(None) == {}  # type: ignore[arg-type]


def test_huge_input_is_bounded():
    a = analyzer()
    assert len(a.features("lektiehjælp " * 100_000)) < 10
    assert len(a.features("x" * 1_000_000)) == 1
    assert len(a.features("lektiehjælp-" * 5_000)) < 10


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_unicode_is_analysed(text):
    features = analyzer().features(text)
    assert all(isinstance(f, str) and f and w > 0 for f, w in features.items())
    assert features == analyzer().features(text)  # deterministic


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from("first aid board games read aloud og have IT B lektiehjælp kørestole I love "
                                "gardening".split()) | st.text(max_size=10), max_size=12).map(" ".join))
def test_features_are_the_sum_of_the_tokens(text):
    # Word features are summed over the tokens; a concept counts once per text (capped).
    a = analyzer()
    totals: dict[str, float] = {}
    for token in a.tokens(text):
        for feature, weight in token.features:
            totals[feature] = totals.get(feature, 0.0) + weight
    assert a.features(text) == cap_concepts(dict(totals))
    assert all(w <= CONCEPT_WEIGHT for f, w in a.features(text).items() if concept_label(f))


def test_english_phrases_reach_danish():
    assert "førstehjælp" in analyzer().features("I know first aid")


def test_known_part_of_a_compound_with_an_unknown_part():
    a = Analyzer.fit(["Vi spiller skak", "Koret synger", "park"])
    assert "skak" in a.features("skakentusiast")  # skak + entusiast (unknown)
    assert a.partial_parts("parkering") == []  # park + an ending is not a compound
    assert a.partial_parts("skakken") == []  # an inflection, not a compound


def test_the_c_stemmer_gives_the_pure_python_stems():
    # requirements.txt pins PyStemmer: snowballstemmer then hands out its C stemmers (4-30x faster on new
    # words). They must stem exactly as the pure-Python ones, or an index built with one would not meet
    # queries analysed with the other.
    import snowballstemmer
    from snowballstemmer.danish_stemmer import DanishStemmer
    from snowballstemmer.english_stemmer import EnglishStemmer

    words = ("kørestolsbrugere cykler cykel lektiehjælpen besøgsvenner plejecenteret plejecentret struktureret "
             "strukturere svømning gåture sygeplejersker åbenrå ideer idéer fællesskabet gardening reading "
             "children volunteering cooking computers photography").split()
    for language, pure in (("danish", DanishStemmer()), ("english", EnglishStemmer())):
        fast = snowballstemmer.stemmer(language)
        assert [fast.stemWord(w) for w in words] == [pure.stemWord(w) for w in words]
