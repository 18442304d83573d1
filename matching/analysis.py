"""Danish/English text analysis: normalisation, tokens, stems, compound parts and bilingual skill terms."""
from __future__ import annotations

import functools
import operator
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import snowballstemmer

from matching.lexicon import (CONCEPTS, DANISH_FILLER_WORDS, DANISH_STOP_WORDS, ENGLISH_STOP_WORDS,
                              SEED_PARTS, SKILL_LEXICON)
from matching.params import DEFAULT, Params

MAX_TEXT_CHARS = 20_000  # longer texts are cut: profiles and tasks are a few hundred characters
PART_WEIGHT = 0.5  # a compound's parts count half a word each ("lektiehjælp" → lektie, hjælp)
DERIVATION_WEIGHT = 0.7  # "svømning" also counts as "svøm" when that stem is known
LEXICON_WEIGHT = 0.8  # an English skill word counts this much for each Danish equivalent
# A text touching a domain concept (lexicon.CONCEPTS) gets that concept's feature with this weight,
# once per text however many of its words carry it: clearly less than one literal word (1.0). Learned
# (matching.tune); see params.py.
CONCEPT_WEIGHT = DEFAULT.concept_weight
CONCEPT_PREFIX = "~"  # concept features are "~label"; no word feature can start with "~"
SUBWORD_PREFIX = "#"  # sub-word features are "#" + a character n-gram of a word marked "<word>"
# The sub-word channel reads past accents that are only spelling (café/cafe, idé/ide), not æ, ø, å.
_SPELLING = str.maketrans("éèêëáàâíìîïóòôúùûäöü", "eeeeaaaiiiiooouuuæøy")
MIN_PART_CHARS = 3
MIN_COMPOUND_CHARS = 6
PARTIAL_WEIGHT = 0.35  # a known head or tail of a compound whose other part is unknown
PARTIAL_MIN_CHARS = 4
# Endings that make a word longer without making it a compound ("park|ering" is not park + ering).
ENDINGS = frozenset("""er en et ene erne ers ens ets es s e ing ning ering ende ender else elser hed heden
heder lig lige ligt isk iske sk ske st ste est este ere erer eret ion ioner tion ist ister isme""".split())
MAX_COMPOUND_CHARS = 48  # longer "words" (pasted links, keyboard mash) are not split: it costs O(n²)
MAX_WORD_CHARS = 64  # longer tokens are cut, so one huge token cannot dominate time or the cache
SHORT_PARTS = frozenset({"it", "tv", "pc"})
# English skill words that are ordinary, unrelated Danish words (chef = boss, trip = step).
FALSE_FRIENDS = frozenset({"chef", "trip"})  # two-letter parts that still make sense in compounds
LINKING_LETTERS = ("s", "e")  # Danish fuge: besøg-s-ven, lektie-hjælp, kørestol-s-team
DERIVATION_SUFFIXES = ("ing", "ning", "eri", "else")  # "træning" → træn before "svømning" → svøm
MAX_CACHE = 200_000

_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_DANISH_LETTERS = re.compile(r"[æøå]")
_VOWELS = frozenset("aeiouyæøå")
_local = threading.local()
_DANISH_STOPS = DANISH_STOP_WORDS | DANISH_FILLER_WORDS


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: its surface form (as written, NFC), the weighted features it yields in the
    word channel and its character n-grams (the sub-word channel, counts)."""

    surface: str
    features: tuple[tuple[str, float], ...]
    subwords: tuple[tuple[str, float], ...] = ()


def normalize(text: str) -> str:
    """NFC-normalise (keeping æ, ø, å; never NFKD) and cut to MAX_TEXT_CHARS; any str is accepted."""
    if not isinstance(text, str):
        return ""
    return unicodedata.normalize("NFC", text[: MAX_TEXT_CHARS * 2])[:MAX_TEXT_CHARS]


def surface_tokens(text: str) -> list[str]:
    """Words as written (NFC): letters/digits joined by hyphens or apostrophes; pure numbers dropped."""
    found = _TOKEN.findall(normalize(text))
    # The filters run as C loops (map) and rebuild the list only when needed: this is per query text.
    if any(map(str.isdigit, found)):
        found = [t for t in found if not t.isdigit()]
    if found and max(map(len, found)) > MAX_WORD_CHARS:
        found = [t[:MAX_WORD_CHARS] for t in found]
    return found


def fold(token: str) -> str:
    """Lower-case and map the old spelling aa→å where it is safe (Aalborg → ålborg, Faaborg → fåborg).

    Only word-initial or word-final "aa", or any "aa" in a capitalised word (a name), is mapped: inside
    lower-case words "aa" is usually a compound seam ("ekstraarbejde").
    """
    low = token.lower()
    if "aa" in low and (low.startswith("aa") or low.endswith("aa") or token[:1].isupper()):
        low = low.replace("aa", "å")
    return low


def _stemmer(language: str):
    # snowballstemmer objects keep state while stemming, so each thread gets its own.
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(language)
    return stemmers[language]


@functools.lru_cache(maxsize=1 << 19)
def stem(word: str, language: str = "danish") -> str:
    """Snowball stem; Danish stems also undo e-syncope (cykel/cykler → cykl) so both forms meet."""
    result = _stemmer(language).stemWord(word)
    if language == "danish" and len(result) >= 5 and result.endswith("el") and result[-3] not in _VOWELS:
        result = result[:-2] + "l"
    return result


def is_english(words: Iterable[str]) -> bool:
    """Guess whether a text (its lower-cased words) is English: English stop or skill words outnumber Danish."""
    return sum(_language_vote(word) for word in words) > 0


@functools.lru_cache(maxsize=1 << 18)
def _language_vote(word: str) -> int:
    """+1 for a word that is only English (stop or skill word), -1 for one that is only Danish, else 0."""
    in_da = word in DANISH_STOP_WORDS or word in DANISH_FILLER_WORDS or bool(_DANISH_LETTERS.search(word))
    in_en = word in ENGLISH_STOP_WORDS or (word,) in SKILL_LEXICON
    return int(in_en and not in_da) - int(in_da and not in_en)


@functools.lru_cache(maxsize=1 << 18)
def _surface_forms(token: str) -> tuple[str, str, int]:
    """A surface token's lower-cased and folded forms and its language vote (cached: texts repeat words)."""
    low = token.lower()
    return low, fold(token), _language_vote(low)


_LOWER, _FOLDED, _VOTE = operator.itemgetter(0), operator.itemgetter(1), operator.itemgetter(2)  # of _surface_forms


def _english_stem_lexicon() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for phrase, targets in SKILL_LEXICON.items():
        if len(phrase) == 1:
            key = stem(phrase[0], "english")
            table[key] = tuple(dict.fromkeys(table.get(key, ()) + targets))
    return table


_LEXICON_BY_STEM = _english_stem_lexicon()


def _concepts_by_stem() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for label, words in CONCEPTS.items():
        for word in words:
            key = stem("".join(p for p in re.split(r"[-'’]", fold(word)) if p))
            table[key] = tuple(dict.fromkeys(table.get(key, ()) + (CONCEPT_PREFIX + label,)))
    return table


CONCEPTS_BY_STEM = _concepts_by_stem()
CONCEPT_FEATURES = tuple(sorted({f for features in CONCEPTS_BY_STEM.values() for f in features}))


def concept_label(feature: str) -> str | None:
    """The concept's label ("mad") for a concept feature ("~mad"); None for a word feature."""
    return feature[len(CONCEPT_PREFIX):] if feature.startswith(CONCEPT_PREFIX) else None


def cap_concepts(totals: dict[str, float], cap: float = CONCEPT_WEIGHT) -> dict[str, float]:
    """Count each concept once per text: its summed weight is capped at `cap` (in place)."""
    for feature in CONCEPT_FEATURES:
        weight = totals.get(feature)
        if weight is not None and weight > cap:
            totals[feature] = cap
    return totals


def is_subword(feature: str) -> bool:
    """True for a feature of the sub-word channel (a character n-gram)."""
    return feature.startswith(SUBWORD_PREFIX)


def char_ngrams(word: str, low: int, high: int, edge: float = 1.0) -> tuple[tuple[str, float], ...]:
    """Character n-grams (lengths low..high) of each part of a lower-cased word, marked "<part>", as
    sub-word features with their counts: "kørestol" → #<kø, #køre, #stol>, … Hyphens and apostrophes
    separate parts (it-hjælp → <it>, <hjælp>); accents that are only spelling are dropped (café → cafe).
    An n-gram at the start or end of a part counts `edge` times."""
    counts: dict[str, float] = {}
    for part in re.split(r"[-'’]", word.translate(_SPELLING)):
        if not part:
            continue
        marked = f"<{part}>"
        if len(marked) < low:
            counts[SUBWORD_PREFIX + marked] = counts.get(SUBWORD_PREFIX + marked, 0.0) + edge
        for n in range(low, min(high, len(marked)) + 1):
            last = len(marked) - n
            for i in range(last + 1):
                gram = SUBWORD_PREFIX + marked[i:i + n]
                counts[gram] = counts.get(gram, 0.0) + (edge if i == 0 or i == last else 1.0)
    return tuple(counts.items())
_MAX_PHRASE = max(len(p) for p in SKILL_LEXICON)
_PHRASE_STARTS = frozenset(p[0] for p in SKILL_LEXICON if len(p) > 1)


class Analyzer:
    """Turns a text into weighted features: word stems, compound parts, Danish skill equivalents and
    low-weight domain concepts (a concept feature "~label" for each concept of lexicon.CONCEPTS a word,
    one of its compound parts or one of its Danish equivalents belongs to).

    The compound splitter needs to know which words exist; `Analyzer.fit(texts)` learns that from a
    corpus (plus a small seed list). The learnt vocabulary is frozen: analysing more texts never
    changes how earlier texts were analysed, which keeps an index's columns stable between refits.
    """

    def __init__(self, known_stems: Iterable[str] = (), params: Params = DEFAULT) -> None:
        """Create an analyzer whose compound splitter knows `known_stems` (plus the seed parts)."""
        seeds = {stem(fold(w)) for w in SEED_PARTS}
        self.known_stems = frozenset(seeds | set(known_stems))
        self.params = params
        self._cache: dict[tuple[str, bool], tuple[tuple[str, float], ...]] = {}
        self._sub_cache: dict[tuple[str, bool], tuple[tuple[str, float], ...]] = {}

    @classmethod
    def fit(cls, texts: Iterable[str], params: Params = DEFAULT) -> Analyzer:
        """Learn the words that may appear as compound parts from a corpus of texts."""
        stems: set[str] = set()
        for text in texts:
            words = [fold(t) for t in surface_tokens(text)]
            if is_english(words):
                continue
            stems.update(stem(w) for w in words if _is_part_candidate(w))
        return cls(stems, params)

    def __getstate__(self) -> dict:
        return {"known_stems": self.known_stems, "params": self.params}

    def __setstate__(self, state: dict) -> None:
        self.known_stems = state["known_stems"]
        self.params = state.get("params", DEFAULT)
        self._cache = {}
        self._sub_cache = {}

    def tokens(self, text: str) -> list[Token]:
        """Analyse a text into tokens with their features; stop words yield tokens without features."""
        surfaces, folded, english, per_word = self._analyse(text)
        sub = self.word_subwords
        return [Token(s, f, sub(w, english)) for s, w, f in zip(surfaces, folded, per_word)]

    def features(self, text: str) -> dict[str, float]:
        """Summed feature weights of the word channel of a text (the raw term counts an index stores):
        the sums of tokens(), except that each concept counts once per text (capped at the concept weight)."""
        totals: dict[str, float] = {}
        get = totals.get
        for word_features in self._analyse(text)[3]:
            for feature, weight in word_features:
                totals[feature] = get(feature, 0.0) + weight
        return cap_concepts(totals, self.params.concept_weight)

    def subwords(self, text: str) -> dict[str, float]:
        """Summed character n-gram counts of a text's words (stop words have none): the sub-word channel."""
        totals: dict[str, float] = {}
        get = totals.get
        english, folded = self.words(text)
        for word in folded:
            for feature, count in self.word_subwords(word, english):
                totals[feature] = get(feature, 0.0) + count
        return totals

    def words(self, text: str) -> tuple[bool, list[str]]:
        """Whether the text reads as English, and its words as analysed (lower-cased; Danish ones folded)."""
        forms = list(map(_surface_forms, surface_tokens(text)))
        english = sum(map(_VOTE, forms)) > 0
        return english, list(map(_LOWER if english else _FOLDED, forms))

    def phrase_features(self, words: list[str], english: bool) -> dict[int, tuple[tuple[str, float], ...]]:
        """The words (by position) whose word-channel features differ from their own because a
        multi-word English skill starts there ("first aid": its equivalents attach to "first")."""
        if _PHRASE_STARTS.isdisjoint(words):
            return {}
        plain = [self.word_features(w, english) for w in words]
        per_word = list(plain)
        self._add_lexicon_phrases(per_word, words)
        return {i: f for i, (f, p) in enumerate(zip(per_word, plain)) if f is not p}

    def _analyse(self, text: str):
        surfaces = surface_tokens(text)
        words = [t.lower() for t in surfaces]
        english = is_english(words)
        folded = words if english else [fold(t) for t in surfaces]
        word_features = self.word_features
        per_word = [word_features(w, english) for w in folded]
        if not _PHRASE_STARTS.isdisjoint(folded):
            self._add_lexicon_phrases(per_word, folded)
        return surfaces, folded, english, per_word

    def word_features(self, word: str, english: bool) -> tuple[tuple[str, float], ...]:
        """The word-channel features of one analysed word (cached)."""
        return _cached(self._cache, (word, english), self._compute_word_features)

    def word_subwords(self, word: str, english: bool) -> tuple[tuple[str, float], ...]:
        """The sub-word features of one analysed word (cached); none for a stop word."""
        return _cached(self._sub_cache, (word, english), self._compute_subwords)

    def _compute_subwords(self, word: str, english: bool) -> tuple[tuple[str, float], ...]:
        if word in (ENGLISH_STOP_WORDS if english else _DANISH_STOPS):
            return ()
        return char_ngrams(word, self.params.ngram_min, self.params.ngram_max, self.params.edge_weight)

    def _compute_word_features(self, word: str, english: bool) -> tuple[tuple[str, float], ...]:
        stops = ENGLISH_STOP_WORDS if english else _DANISH_STOPS
        if word in stops:
            return ()
        weights: dict[str, float] = {}
        if english:
            weights[stem(word, "english")] = 1.0
            for target in _LEXICON_BY_STEM.get(stem(word, "english"), ()):
                _add(weights, self._danish_features(target), LEXICON_WEIGHT)
        else:
            _add(weights, self._danish_features(word), 1.0)
            for target in () if word in FALSE_FRIENDS else SKILL_LEXICON.get((word,), ()):
                if target != word:
                    _add(weights, self._danish_features(target), LEXICON_WEIGHT)
        return tuple(weights.items())

    def _danish_features(self, word: str) -> dict[str, float]:
        parts = [p for p in re.split(r"[-'’]", word) if p]
        whole = stem("".join(parts))
        weights = {whole: 1.0}
        if len(parts) > 1:
            pieces = [q for p in parts for q in (self.split_compound(p) or [p])]
        else:
            pieces = self.split_compound(word) or []
        for piece in pieces:
            _add(weights, {stem(piece): 1.0}, PART_WEIGHT)
            for base in self._derivations(stem(piece)):
                _add(weights, {base: 1.0}, PART_WEIGHT * DERIVATION_WEIGHT)
        if not pieces:
            for piece in self.partial_parts(word):
                _add(weights, {stem(piece): 1.0}, PARTIAL_WEIGHT)
        for base in self._derivations(whole):
            _add(weights, {base: 1.0}, DERIVATION_WEIGHT)
        # A word's own concepts win; only a word outside the thesaurus takes its parts' concepts
        # ("bogføring" is bookkeeping, not books; "flygtningekvinder" is about refugees).
        concepts = CONCEPTS_BY_STEM.get(whole) or [c for feature in weights for c in CONCEPTS_BY_STEM.get(feature, ())]
        for concept in concepts:
            weights[concept] = self.params.concept_weight
        return weights

    def partial_parts(self, word: str) -> list[str]:
        """Known first and last parts of a compound whose other part is unknown ("skak|entusiast",
        "kor|sanger" → skak, sanger): the longest known head and tail of at least PARTIAL_MIN_CHARS,
        leaving at least MIN_PART_CHARS that are not a mere inflection or derivation ending."""
        if (not MIN_COMPOUND_CHARS + 1 <= len(word) <= MAX_COMPOUND_CHARS or not word.isalpha()
                or stem(word) in self.known_stems):  # an inflected form of a known word, not a compound
            return []
        found = []
        for end in range(len(word) - MIN_PART_CHARS, PARTIAL_MIN_CHARS - 1, -1):
            head = word[:end]
            if self._known(head):
                # The head's shortest spelling with the same stem decides: "parke|ring" is "park|ering".
                shortest = next(i for i in range(PARTIAL_MIN_CHARS - 1, end + 1) if stem(word[:i]) == stem(head))
                if not _is_ending(word[shortest:], word[shortest - 1]):
                    found.append(head)
                break
        for start in range(MIN_PART_CHARS, len(word) - PARTIAL_MIN_CHARS + 1):
            if self._known(word[start:]) and not _is_ending(word[:start]):
                found.append(word[start:])
                break
        return found

    def _derivations(self, word_stem: str) -> list[str]:
        bases = []
        for suffix in DERIVATION_SUFFIXES:
            base = word_stem[: -len(suffix)]
            if word_stem.endswith(suffix) and len(base) >= 2 and stem(base) in self.known_stems:
                bases.append(stem(base))
                break
        return bases

    def split_compound(self, word: str) -> list[str] | None:
        """Split a Danish compound into known parts (besøgsven → besøg, ven), or None if it is not one.

        Parts must be words the analyzer knows; a linking -s- or -e- between parts is dropped. The
        split with the fewest parts wins, then the one with the longest first part.
        """
        if not MIN_COMPOUND_CHARS <= len(word) <= MAX_COMPOUND_CHARS or not word.isalpha():
            return None
        return self._segment(word, 0, {})

    def _segment(self, word: str, start: int, memo: dict) -> list[str] | None:
        if start in memo:
            return memo[start]
        best: list[str] | None = None
        rest = word[start:]
        if start > 0 and self._known(rest):
            best = [rest]
        else:
            for end in range(len(word) - MIN_PART_CHARS, start + 1, -1):
                head = word[start:end]
                if not self._known(head):
                    continue
                tail = self._segment_after(word, end, memo)
                if tail and (best is None or len(tail) + 1 < len(best)):
                    best = [head, *tail]
        memo[start] = best
        return best

    def _segment_after(self, word: str, end: int, memo: dict) -> list[str] | None:
        tail = self._segment(word, end, memo)
        if tail is None and word[end:end + 1] in LINKING_LETTERS and len(word) - end - 1 >= MIN_PART_CHARS:
            tail = self._segment(word, end + 1, memo)
        return tail

    def _known(self, part: str) -> bool:
        if part in SHORT_PARTS:
            return True
        return (len(part) >= MIN_PART_CHARS and part not in DANISH_STOP_WORDS
                and part not in DANISH_FILLER_WORDS and stem(part) in self.known_stems)

    def _add_lexicon_phrases(self, per_word: list, words: list[str]) -> None:
        # Multi-word English skills ("first aid", "board games") attach to their first word.
        for i in range(len(words)):
            if words[i] not in _PHRASE_STARTS:
                continue
            for n in range(_MAX_PHRASE, 1, -1):
                targets = SKILL_LEXICON.get(tuple(words[i:i + n]))
                if targets and i + n <= len(words):
                    weights = dict(per_word[i])
                    for target in targets:
                        _add(weights, self._danish_features(target), LEXICON_WEIGHT)
                    per_word[i] = tuple(weights.items())
                    break


def _cached(cache: dict, key: tuple[str, bool], compute) -> tuple[tuple[str, float], ...]:
    """cache[key], computed by compute(*key) on a miss; the cache is emptied when it reaches MAX_CACHE."""
    found = cache.get(key)
    if found is None:
        if len(cache) >= MAX_CACHE:
            cache.clear()
        found = cache[key] = compute(*key)
    return found


def _is_ending(rest: str, before: str = "") -> bool:
    if rest[:1] == before and before not in _VOWELS:  # a doubled consonant: butik|ken, hat|ten
        rest = rest[1:]
    return rest in ENDINGS or (rest[:1] in LINKING_LETTERS and rest[1:] in ENDINGS)


def _is_part_candidate(word: str) -> bool:
    return (word.isalpha() and len(word) >= MIN_PART_CHARS and word not in DANISH_STOP_WORDS
            and word not in DANISH_FILLER_WORDS)


def _add(weights: dict[str, float], extra: dict[str, float], factor: float) -> None:
    for feature, weight in extra.items():
        weights[feature] = max(weights.get(feature, 0.0), weight * factor)
