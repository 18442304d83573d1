"""TextIndex: an incremental sparse TF-IDF index with cosine top-k search and readable reasons."""
from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sparse_dot_topn import unchecked
from sparse_dot_topn.lib import _sparse_dot_topn_core as _topn_core

from matching.analysis import CONCEPT_FEATURES, Analyzer, concept_label, is_subword
from matching.params import DEFAULT, Params

TIE_MARGIN = 16  # extra candidates fetched so ties at rank k are broken by id, not by storage order
REFRESH_FRACTION = 0.05  # re-weight IDF (and fold in new documents) once this share has changed
MAX_PENDING = 2_000  # new documents kept beside the main matrix before they are folded in
QUERY_CHUNK = 8_192  # queries per sparse product in search_many (bounds memory)
N_THREADS = 2  # for batches; a few queries run single-threaded (thread start-up costs more than it saves)
THREADED_FROM = 256  # query rows per product from which N_THREADS are used
MAX_TERMS = 5
MIN_REASON_SHARE = 0.1  # a pair of words carrying less of the score than this is not shown as a reason
MAX_EXPLAINED = 2_000  # texts whose tokens and rows are remembered for explanations
MAX_WORD_ROWS = 200_000  # analysed words whose columns are cached for queries
SCORE_DECIMALS = 6
DTYPE = np.float32
# Indexes of fewer rows rank a batch with one packed int64 sort key (their tie ranks fit in 24 bits).
PACKED_KEY_ROWS = 1 << 24
WORDS, SUBWORDS = 0, 1  # the two channels (column groups)
# A small index keeps every n-gram found in at most this many documents, whatever Params.subword_max_df says.
SUBWORD_MIN_LIMIT = 5
# A concept found in more than this share of a large index is left out of queries (max_df pruning): at
# 15 % its IDF is ~2.9, so it weighs under a fifth of a typical shared word and, alone, ties hundreds of
# documents, while its posting list would cost every query that names it (bench corpus, per query, against
# querying no concept at all: +19 % without pruning, +5 % with it).
CONCEPT_MAX_DF = 0.15
CONCEPT_PRUNE_FROM = 1_000  # documents; smaller indexes keep every concept (the cost is negligible there)
# Bumped whenever the pickled internals change, so a saved index from older code is rebuilt, not used.
FORMAT_VERSION = 4  # 4: the sub-word channel and learned Params; 3: concept features

# How a word of the query meets a word of the document (Evidence.via).
SAME_WORD = "word"  # the same word, perhaps inflected (kørestole ~ kørestolene)
RELATED = "related"  # a compound part, a derivation or a skill equivalent (lektier ~ lektiehjælp, gardening ~ havearbejde)
SUBWORD = "subword"  # only pieces of the words (character n-grams: kørestol ~ kørestolsbrugere)
CONCEPT = "concept"  # only a domain concept (kok ~ kager, both "mad")


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason a query and a document meet: a word of each, as written, and how they meet.

    `str()` gives the words from the query's side: the query's own word when both wrote the same word,
    otherwise "query word ~ document word", with the concept's name when they meet only through one
    ("kok ~ kager (mad)"). A word met only through a part of a word or a concept is never shown as if
    both had written it.
    """

    query: str
    document: str
    via: str
    concept: str | None = None

    def __str__(self) -> str:
        if self.via == SAME_WORD:
            return self.query
        text = f"{self.query} ~ {self.document}"
        if self.via == CONCEPT and self.concept and self.concept.lower() not in (self.query.lower(),
                                                                                 self.document.lower()):
            text += f" ({self.concept})"
        return text


class Match:
    """One search result: document id, cosine score in [0, 1] and the words behind it.

    `explanation` is what to show a person: the reasons from the query's side (see Evidence), best
    first, at most MAX_TERMS, e.g. ("kørestole", "lektier ~ lektiehjælp", "kok ~ kager (mad)");
    `evidence` holds the same reasons as Evidence objects. `terms` are the document's own words that
    carry the score (e.g. "lektiehjælp", "kørestole"), best first, deduplicated, at most MAX_TERMS; a
    document word that meets the query only through a domain concept is shown once per concept as
    "word (concept)", e.g. "kager (mad)". All are worked out on first access, so a large `search_many`
    pays only for the explanations it reads.
    """

    __slots__ = ("id", "score", "_terms", "_evidence", "_source")

    def __init__(self, id: Hashable, score: float, terms: tuple[str, ...] | None = None,
                 source: tuple | None = None, evidence: tuple[Evidence, ...] | None = None) -> None:
        self.id = id
        self.score = score
        self._terms = terms
        self._evidence = evidence
        self._source = source

    def _resolve(self) -> None:
        terms, evidence = _explain(*self._source)
        if self._terms is None:
            self._terms = terms
        self._evidence = evidence
        self._source = None

    @property
    def terms(self) -> tuple[str, ...]:
        """The document's words explaining the score, as written in the document, best first."""
        if self._terms is None:
            self._resolve()
        return self._terms

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """Why the query and the document meet, one Evidence per pair of words, best first."""
        if self._evidence is None:
            if self._source is None:
                return ()
            self._resolve()
        return self._evidence

    @property
    def explanation(self) -> tuple[str, ...]:
        """The reasons as short texts from the query's side (str of each Evidence), best first."""
        return tuple(str(e) for e in self.evidence)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Match):
            return NotImplemented
        return (self.id, self.score, self.terms, self.evidence) == (other.id, other.score, other.terms,
                                                                    other.evidence)

    def __hash__(self) -> int:
        return hash((self.id, self.score))

    def __repr__(self) -> str:
        return f"Match(id={self.id!r}, score={self.score!r}, terms={self.terms!r})"

    def __reduce__(self):
        return (Match, (self.id, self.score, self.terms, None, self.evidence))


class TextIndex:
    """Sparse TF-IDF index over short Danish/English texts, kept up to date one document at a time.

    Columns are an append-only vocabulary of analysis features (stems, compound parts, Danish skill
    equivalents), so adding a document never moves existing columns. Raw (sublinear) term counts are
    kept; IDF is re-weighted lazily once REFRESH_FRACTION of the documents changed, and `refit()`
    relearns the compound vocabulary and rebuilds everything (a background job's work).

    Thread-safe: one lock serialises searches and changes. Picklable (the lock is recreated).
    """

    def __init__(self) -> None:
        """Create an empty index; use `TextIndex.build` to index a corpus."""
        self._state = _State(Analyzer.fit(()), {})
        self._lock = threading.RLock()
        self._journal: list[tuple[str, Hashable, str | None]] | None = None

    @classmethod
    def build(cls, docs: Mapping[Hashable, str] | Iterable[tuple[Hashable, str]],
              params: Params = DEFAULT) -> TextIndex:
        """Index `{doc_id: text}` (or `(doc_id, text)` pairs); doc ids are any hashable values.
        `params` are the weights and thresholds (matching.params; the learned DEFAULT unless given)."""
        index = cls()
        index._state = _State.build(dict(docs.items() if isinstance(docs, Mapping) else docs), params)
        return index

    @property
    def params(self) -> Params:
        """The weights and thresholds this index was built with."""
        return self._state.params

    def __len__(self) -> int:
        return len(self._state.texts)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._state.texts

    def ids(self) -> list[Hashable]:
        """The indexed document ids, in insertion order."""
        return list(self._state.texts)

    def text(self, doc_id: Hashable) -> str:
        """The text indexed for `doc_id` (KeyError if absent)."""
        return self._state.texts[doc_id]

    def search(self, text: str, k: int = 10, allowed_ids: Iterable[Hashable] | None = None,
               where: Callable[[Hashable], bool] | None = None) -> list[Match]:
        """Return the `k` documents most similar to `text`, best first.

        Scores are cosine similarities in [0, 1]; documents sharing no feature are never returned,
        so an empty query gives []. Ties are broken by `str(doc_id)`. `allowed_ids` (a collection of
        ids) and/or `where` (a predicate on ids) restrict the candidates before ranking, so hard
        filters never cost a result slot.
        """
        return self.search_many([text], k=k, allowed_ids=allowed_ids, where=where)[0]

    def search_many(self, texts: Iterable[str], k: int = 10, allowed_ids: Iterable[Hashable] | None = None,
                    where: Callable[[Hashable], bool] | None = None) -> list[list[Match]]:
        """Batched `search`: one result list per text, exactly equal to calling `search` on each."""
        texts = list(texts)
        if k <= 0 or not texts:
            return [[] for _ in texts]
        with self._lock:
            state = self._state
            state.refresh_if_stale()
            rows = None
            if allowed_ids is not None or where is not None:
                rows = state.rows_for(allowed_ids, where)
            results = []
            for start in range(0, len(texts), QUERY_CHUNK):
                results.extend(state.search_chunk(texts[start:start + QUERY_CHUNK], k, rows))
            return results

    def add(self, doc_id: Hashable, text: str) -> None:
        """Index a new document (ValueError if the id exists). Cheap: no refit, columns stay put."""
        with self._lock:
            if doc_id in self._state.texts:
                raise ValueError(f"document {doc_id!r} is already indexed; use update()")
            self._change("add", doc_id, text)

    def update(self, doc_id: Hashable, text: str) -> None:
        """Replace a document's text, or add it if absent (an upsert). Cheap, like `add`."""
        with self._lock:
            if self._state.texts.get(doc_id) == text:
                return
            if doc_id in self._state.texts:
                self._change("remove", doc_id, None)
            self._change("add", doc_id, text)

    def remove(self, doc_id: Hashable) -> None:
        """Remove a document (KeyError if absent); it is never returned again, at once."""
        with self._lock:
            if doc_id not in self._state.texts:
                raise KeyError(doc_id)
            self._change("remove", doc_id, None)

    def discard(self, doc_id: Hashable) -> None:
        """Remove a document if it is indexed; do nothing otherwise."""
        with self._lock:
            if doc_id in self._state.texts:
                self._change("remove", doc_id, None)

    def refresh(self) -> None:
        """Fold pending documents in and re-weight IDF now (otherwise done lazily when needed)."""
        with self._lock:
            self._state.refresh()

    def refit(self) -> None:
        """Relearn the compound vocabulary and rebuild from the indexed texts.

        Meant for a background job: the rebuild runs without holding the lock, searches keep using
        the old state meanwhile, and changes made during the rebuild are replayed before the swap.
        """
        with self._lock:
            texts = dict(self._state.texts)
            self._journal = []
        fresh = _State.build(texts, self._state.params)
        with self._lock:
            for op, doc_id, text in self._journal:
                fresh.remove(doc_id) if op == "remove" else fresh.add(doc_id, text)
            self._state = fresh
            self._journal = None

    def _change(self, op: str, doc_id: Hashable, text: str | None) -> None:
        if op == "remove":
            self._state.remove(doc_id)
        else:
            self._state.add(doc_id, text)
        if self._journal is not None:
            self._journal.append((op, doc_id, text))

    def __getstate__(self) -> dict:
        with self._lock:
            return {"state": self._state}

    def __setstate__(self, data: dict) -> None:
        self._state = data["state"]
        self._lock = threading.RLock()
        self._journal = None


_GONE = object()


class _State:
    """The index's data; replaced whole by refit so a swap is a single assignment.

    Columns hold two channels: the word channel (stems, compound parts, skill equivalents, concepts)
    and the sub-word channel (character n-grams inside words, "#"-prefixed). Each row is TF-IDF
    weighted, each channel scaled to unit length and given its share of the cosine (1 − w and w for
    w = Params.subword_weight), and the row scaled to unit length again, so a row missing one channel
    still has length 1. An n-gram in too many documents is pruned (weight 0; Params.subword_max_df,
    Params.subword_max_postings), like a concept that is too broad (CONCEPT_MAX_DF, queries only).
    """

    def __init__(self, analyzer: Analyzer, texts: dict) -> None:
        self.analyzer = analyzer
        self.params = analyzer.params
        self.texts: dict[Hashable, str] = {}
        self.vocab: dict[str, int] = {}
        self.df = np.zeros(1024, dtype=np.float64)
        self.channel = np.zeros(1024, dtype=np.int8)  # WORDS or SUBWORDS per column
        self.concept = np.zeros(1024, dtype=bool)
        self.row_ids: list[Any] = []
        self.row_of: dict[Hashable, int] = {}
        self.pending: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # row → (columns, raw tf)
        self.base_tf = sp.csr_matrix((0, 0), dtype=DTYPE)
        self.changes = 0
        self.stale = True
        self._word_rows: dict[tuple[str, bool], tuple[np.ndarray, np.ndarray]] = {}
        self.active = np.zeros(0, dtype=bool)  # unpruned columns, as of the last refresh
        self.version = 0  # bumped on every change; keys the cached column weights
        self._weights_cache: tuple | None = None
        # Columns in sorted feature order: scores then do not depend on the order documents came in
        # (float sums run over columns in the same order), so two builds of one corpus agree exactly.
        features: set[str] = set()
        for text in texts.values():
            features.update(analyzer.features(text))
            features.update(analyzer.subwords(text))
        for feature in sorted(features):
            self._column(feature)
        rows, cols, raw = self._raw_entries(list(texts.values()), query=False)
        bounds = np.searchsorted(rows, np.arange(len(texts) + 1))
        tf = np.log1p(raw).astype(DTYPE)
        cols = cols.astype(np.int32)
        for i, (doc_id, text) in enumerate(texts.items()):
            self._add_vector(doc_id, text, cols[bounds[i]:bounds[i + 1]], tf[bounds[i]:bounds[i + 1]])
        self.refresh()

    @classmethod
    def build(cls, texts: dict, params: Params = DEFAULT) -> _State:
        texts = {doc_id: _as_text(text) for doc_id, text in texts.items()}
        return cls(Analyzer.fit(texts.values(), params), texts)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_word_rows"] = {}  # caches: rebuilt on use
        state["_weights_cache"] = None
        state.pop("_explained", None)
        return state

    # --- documents ------------------------------------------------------------------------------

    def add(self, doc_id: Hashable, text: str) -> None:
        text = _as_text(text)
        features = self.analyzer.features(text)
        features.update(self.analyzer.subwords(text))
        cols = np.fromiter((self._column(f) for f in features), dtype=np.int32, count=len(features))
        tf = np.log1p(np.fromiter(features.values(), dtype=np.float64, count=len(features)))
        order = np.argsort(cols)
        self._add_vector(doc_id, text, cols[order], tf[order].astype(DTYPE))

    def _add_vector(self, doc_id: Hashable, text: str, cols: np.ndarray, tf: np.ndarray) -> None:
        np.add.at(self.df, cols, 1.0)
        row = len(self.row_ids)
        self.row_ids.append(doc_id)
        self.row_of[doc_id] = row
        self.texts[doc_id] = text
        self.pending[row] = (cols, tf)
        self._touch()

    def remove(self, doc_id: Hashable) -> None:
        row = self.row_of.pop(doc_id)
        del self.texts[doc_id]
        self.row_ids[row] = _GONE
        if row in self.pending:
            cols, _ = self.pending.pop(row)
        else:
            cols = self._zero_base_row(row)
        np.subtract.at(self.df, cols, 1.0)
        self._touch()

    def _touch(self) -> None:
        self.changes += 1
        self.version += 1
        self.pending_matrix = None
        if self.changes > REFRESH_FRACTION * max(len(self.texts), 1) or len(self.pending) > MAX_PENDING:
            self.stale = True

    def _column(self, feature: str) -> int:
        col = self.vocab.get(feature)
        if col is None:
            col = self.vocab[feature] = len(self.vocab)
            if col >= len(self.df):
                grow = len(self.df)
                self.df = np.concatenate([self.df, np.zeros(grow, dtype=np.float64)])
                self.channel = np.concatenate([self.channel, np.zeros(grow, dtype=np.int8)])
                self.concept = np.concatenate([self.concept, np.zeros(grow, dtype=bool)])
            self.channel[col] = SUBWORDS if is_subword(feature) else WORDS
            self.concept[col] = concept_label(feature) is not None
            self._word_rows = {}  # rows cached for queries may now miss this column
        return col

    def _zero_base_row(self, row: int) -> np.ndarray:
        start, end = self.base_tf.indptr[row], self.base_tf.indptr[row + 1]
        cols = self.base_tf.indices[start:end].copy()
        self.base_tf.data[start:end] = 0
        lo_b, hi_b = self.base.indptr[row], self.base.indptr[row + 1]
        self.base.data[lo_b:hi_b] = 0
        for col in self.base.indices[lo_b:hi_b]:
            lo, hi = self.base_t.indptr[col], self.base_t.indptr[col + 1]
            self.base_t.data[lo + np.searchsorted(self.base_t.indices[lo:hi], row)] = 0
        return cols

    def refresh_if_stale(self) -> None:
        if self.stale:
            self.refresh()

    def refresh(self) -> None:
        """Fold pending rows into the main matrix, drop removed rows and re-weight IDF."""
        width = len(self.vocab)
        alive = [r for r in range(self.base_tf.shape[0]) if self.row_ids[r] is not _GONE]
        tf = sp.vstack([_with_width(self.base_tf[alive], width), self._pending_tf(width)], format="csr")
        self.row_ids = [self.row_ids[r] for r in alive] + [self.row_ids[r] for r in sorted(self.pending)]
        self.row_of = {doc_id: row for row, doc_id in enumerate(self.row_ids)}
        self.pending = {}
        self.idf = self._idf_values(np.arange(width))
        self.active = (self.channel[:width] != SUBWORDS) | (self.df[:width] <= self._subword_limit())
        self.version += 1
        self._word_rows = {}  # rows keep only unpruned columns
        self.base_tf = tf
        self.base = self._weigh(tf, self._column_weights(width))
        self.base_t = _int32(self.base.T.tocsr())
        self.base_t.sort_indices()
        # Rank of each row's str(id): ties in score are broken by it without building strings per query.
        self.tie_rank = np.empty(len(self.row_ids), dtype=np.int64)
        self.tie_rank[sorted(range(len(self.row_ids)), key=lambda r: str(self.row_ids[r]))] = np.arange(
            len(self.row_ids))
        self.pending_matrix = None
        self.changes = 0
        self.stale = False

    def _pending_tf(self, width: int) -> sp.csr_matrix:
        rows = [self.pending[r] for r in sorted(self.pending)]
        indptr = np.cumsum([0] + [len(c) for c, _ in rows])
        indices = np.concatenate([c for c, _ in rows]) if rows else np.zeros(0, np.int32)
        data = np.concatenate([d for _, d in rows]) if rows else np.zeros(0, DTYPE)
        return sp.csr_matrix((data, indices, indptr), shape=(len(rows), width), dtype=DTYPE)

    # --- weights --------------------------------------------------------------------------------

    def _idf_values(self, cols: np.ndarray) -> np.ndarray:
        # scikit-learn's smooth IDF: ln((1 + n) / (1 + df)) + 1
        n = len(self.texts)
        return np.log((1.0 + n) / (1.0 + np.maximum(self.df[cols], 0.0))) + 1.0

    def _subword_limit(self) -> float:
        """Largest document frequency an n-gram may have to be used (see Params)."""
        p = self.params
        return min(max(p.subword_max_df * len(self.texts), SUBWORD_MIN_LIMIT), p.subword_max_postings)

    def _column_weights(self, width: int, query: bool = False) -> np.ndarray:
        """IDF per column, 0 for pruned n-grams (too common to be worth their postings) and, for
        queries, for concepts too broad to be worth querying (cached until the index changes)."""
        key = (self.version, width, query)
        if self._weights_cache is not None and self._weights_cache[0] == key:
            return self._weights_cache[1]
        weights = self._all_idf(width).copy()
        known = min(width, len(self.active))
        weights[:known][~self.active[:known]] = 0.0
        if query:
            for feature in self.broad_concepts():
                weights[self.vocab[feature]] = 0.0
        self._weights_cache = (key, weights)
        return weights

    def idf_of(self, feature: str) -> float:
        col = self.vocab.get(feature)
        if col is None:
            return 0.0
        return float(self._column_weights(len(self.vocab))[col])

    def _all_idf(self, width: int) -> np.ndarray:
        if width <= len(self.idf):
            return self.idf[:width]
        return np.concatenate([self.idf, self._idf_values(np.arange(len(self.idf), width))])

    def _weigh(self, tf: sp.csr_matrix, weights: np.ndarray) -> sp.csr_matrix:
        """Rows of sublinear tf (log1p already applied) → weighted rows (see _weigh_entries)."""
        rows = np.repeat(np.arange(tf.shape[0]), np.diff(tf.indptr))
        return self._weigh_entries(rows, tf.indices, tf.data, tf.shape, weights)

    def _weigh_entries(self, rows: np.ndarray, cols: np.ndarray, tf: np.ndarray, shape: tuple[int, int],
                       weights: np.ndarray) -> sp.csr_matrix:
        """Entries of sublinear tf, sorted by row then column → TF-IDF rows with each channel at unit
        length times the square root of its share, and each row at unit length (empty rows stay empty)."""
        n = shape[0]
        rows, cols, values = self._weigh_arrays(rows, cols, tf, n, weights)
        indptr = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        return sp.csr_matrix((values.astype(DTYPE), cols.astype(np.int32), indptr), shape=shape)

    def _weigh_arrays(self, rows: np.ndarray, cols: np.ndarray, tf: np.ndarray, n: int,
                      weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The arithmetic of _weigh_entries, as entries (rows, columns, float64 values) of `n` rows."""
        values = tf.astype(np.float64) * weights[cols]
        keep = values > 0
        rows, cols, values = rows[keep], cols[keep], values[keep]
        sub = self.channel[cols] == SUBWORDS
        squares = values * values
        norms = np.zeros((2, n))
        norms[WORDS] = np.sqrt(np.bincount(rows[~sub], weights=squares[~sub], minlength=n))
        norms[SUBWORDS] = np.sqrt(np.bincount(rows[sub], weights=squares[sub], minlength=n))
        share = np.array([1.0 - self.params.subword_weight, self.params.subword_weight])
        present = norms > 0
        total = np.sqrt(np.maximum((share[:, None] * present).sum(axis=0), 1e-300))
        scale = np.where(present, np.sqrt(share)[:, None] / np.where(present, norms, 1.0), 0.0) / total
        values = values * scale[sub.astype(np.int64), rows]
        keep = values > 0
        return rows[keep], cols[keep], values[keep]

    def _pending_weighted(self) -> tuple[sp.csr_matrix, list[int]]:
        if self.pending_matrix is None:
            rows = sorted(self.pending)
            width = len(self.vocab)
            matrix = self._weigh(self._pending_tf(width), self._column_weights(width))
            self.pending_matrix = (matrix, rows, _int32(matrix.T.tocsr()))
        return self.pending_matrix[:2]

    def _pending_transposed(self) -> sp.csr_matrix:
        self._pending_weighted()
        return self.pending_matrix[2]

    # --- queries --------------------------------------------------------------------------------

    def _word_row(self, word: str, english: bool) -> tuple[np.ndarray, np.ndarray]:
        """Known, unpruned columns and raw weights of one analysed word, both channels (cached until
        the vocabulary grows or the index is refreshed)."""
        key = (word, english)
        row = self._word_rows.get(key)
        if row is None:
            if len(self._word_rows) >= MAX_WORD_ROWS:
                self._word_rows = {}
            row = self._word_rows[key] = self._known(
                self.analyzer.word_features(word, english) + self.analyzer.word_subwords(word, english), True)
        return row

    def _known(self, items, active_only: bool) -> tuple[np.ndarray, np.ndarray]:
        vocab_get = self.vocab.get
        active, n_active = self.active, len(self.active)
        pairs = [(col, weight) for col, weight in ((vocab_get(f), w) for f, w in items)
                 if col is not None and (not active_only or col >= n_active or active[col])]
        return (np.array([c for c, _ in pairs], dtype=np.int64), np.array([w for _, w in pairs], dtype=np.float64))

    def _raw_entries(self, texts: list[str], query: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Raw (summed, concept-capped) weights of both channels for each text, over known columns
        (for queries: unpruned ones), as entries (rows, columns, weights) sorted by row then column.

        A text's features are the sum of its words' (each word type analysed once per batch and its row
        cached); a word where a multi-word English skill starts carries the skill's features too (its
        own row). Duplicates are summed in the order of the words, so a text's entries do not depend on the
        other texts of the batch (search and search_many agree exactly).
        """
        analyzer = self.analyzer
        type_of: dict = {}  # (phrase features, word, english) → type, for words carrying a phrase
        word_type: tuple[dict, dict] = ({}, {})  # per language (Danish, English): word → type
        type_rows: list[tuple[np.ndarray, np.ndarray]] = []
        occurrences: list[int] = []
        append = occurrences.append
        per_text: list[int] = []
        for text in texts:
            text = _as_text(text)
            english, words = analyzer.words(text)
            before = len(occurrences)
            phrases = analyzer.phrase_features(words, english)
            types = word_type[english]
            for i, word in enumerate(words):
                t = None if phrases and i in phrases else types.get(word)
                if t is not None:
                    append(t)
                elif phrases and i in phrases:  # a word with a phrase's features attached: its own row
                    key = (phrases[i], word, english)
                    t = type_of.get(key)
                    if t is None:
                        t = type_of[key] = len(type_rows)
                        type_rows.append(self._known(phrases[i] + analyzer.word_subwords(word, english), query))
                    append(t)
                else:
                    t = types[word] = len(type_rows)
                    if query:
                        type_rows.append(self._word_row(word, english))
                    else:
                        type_rows.append(self._known(analyzer.word_features(word, english)
                                                     + analyzer.word_subwords(word, english), False))
                    append(t)
            per_text.append(len(occurrences) - before)
        empty = np.zeros(0, dtype=np.int64)
        if not occurrences:
            return empty, empty, np.zeros(0)
        lengths = np.array([len(c) for c, _ in type_rows], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        all_cols = np.concatenate([c for c, _ in type_rows])
        all_weights = np.concatenate([w for _, w in type_rows])
        occ = np.array(occurrences, dtype=np.int64)
        occ_len = lengths[occ]
        total = int(occ_len.sum())
        if total == 0:
            return empty, empty, np.zeros(0)
        occ_end = np.cumsum(occ_len)
        positions = np.arange(total) + np.repeat(starts[occ] - (occ_end - occ_len), occ_len)
        rows = np.repeat(np.repeat(np.arange(len(texts)), per_text), occ_len)
        cols = all_cols[positions]
        weights = all_weights[positions]
        width = max(len(self.vocab), 1)
        keys = rows * width + cols
        order = np.argsort(keys, kind="stable")
        keys, weights = keys[order], weights[order]
        first = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
        summed = np.add.reduceat(weights, first)
        keys = keys[first]
        rows, cols = keys // width, keys % width
        capped = self.concept[cols]
        if capped.any():
            summed[capped] = np.minimum(summed[capped], self.params.concept_weight)
        return rows, cols, summed

    def query_matrix(self, texts: list[str]) -> sp.csr_matrix:
        """Weighted, unit-length query rows (columns sorted within each row), both channels."""
        rows, cols, raw = self._raw_entries(texts)
        width = len(self.vocab)
        return self._weigh_entries(rows, cols, np.log1p(raw), (len(texts), width),
                                   self._column_weights(width, query=True))

    def query_vector(self, text: str) -> dict[int, float]:
        """One query's weighted row as {column: value} (for explanations)."""
        row = self.query_matrix([text])
        return dict(zip(row.indices.tolist(), row.data.tolist()))

    def doc_vector(self, text: str) -> dict[int, float]:
        """A document text's weighted row as {column: value}, weighted as the index weighs documents."""
        rows, cols, raw = self._raw_entries([text], query=False)
        width = len(self.vocab)
        row = self._weigh_entries(rows, cols, np.log1p(raw), (1, width), self._column_weights(width))
        return dict(zip(row.indices.tolist(), row.data.tolist()))

    def explained(self, text: str, *, query: bool) -> tuple[list, dict[int, float]]:
        """A text's tokens and weighted row (as a query or as a document), for explanations: remembered
        until the index changes, since one page explains the same profile against several tasks and the
        same tasks recur for every visitor (MAX_EXPLAINED texts at most)."""
        memo = self.__dict__.get("_explained")
        if memo is None or memo[0] != self.version or len(memo[1]) >= MAX_EXPLAINED:
            memo = self._explained = (self.version, {})
        key = (query, text)
        found = memo[1].get(key)
        if found is None:
            found = memo[1][key] = (self.analyzer.tokens(text),
                                    self.query_vector(text) if query else self.doc_vector(text))
        return found

    def broad_concepts(self) -> frozenset[str]:
        """Concept features too widespread to be worth querying (see CONCEPT_MAX_DF)."""
        n = len(self.texts)
        if n < CONCEPT_PRUNE_FROM:
            return frozenset()
        cols = {f: self.vocab[f] for f in CONCEPT_FEATURES if f in self.vocab}
        return frozenset(f for f, col in cols.items() if self.df[col] > CONCEPT_MAX_DF * n)

    def rows_for(self, allowed_ids: Iterable[Hashable] | None, where: Callable | None) -> np.ndarray:
        ids = self.texts if allowed_ids is None else [i for i in dict.fromkeys(allowed_ids) if i in self.texts]
        return np.array(sorted(self.row_of[i] for i in ids if where is None or where(i)), dtype=np.int64)

    def search_chunk(self, texts: list[str], k: int, rows: np.ndarray | None) -> list[list[Match]]:
        if len(texts) == 1 and rows is None and not self.pending:
            return [self._search_one(texts[0], k)]
        with _collector_paused(len(texts) >= THREADED_FROM):
            q = self.query_matrix(texts)
        top_n = k + TIE_MARGIN
        if rows is None:
            candidates = [self._segment_topn(q, _with_height(self.base_t, q.shape[1]), top_n, None)]
            _, pending_rows = self._pending_weighted()
            if pending_rows:
                candidates.append(self._segment_topn(q, self._pending_transposed(), top_n, pending_rows))
            else:
                # The common case (no filter, nothing pending): rank the whole chunk with numpy.
                return self._ranked_chunk(candidates[0].product, k, texts)
        else:
            candidates = [self._subset_topn(q, rows, top_n)]
        return [self._ranked(i, candidates, k, texts[i]) for i in range(len(texts))]

    def _search_one(self, text: str, k: int) -> list[Match]:
        """One query against the whole index with nothing pending: the same arithmetic as a chunk (the
        same weighted row, the same top-n product, the same order), without wrapping one row in sparse
        matrices or ranking it with the batch's array machinery, which cost over a third of its time."""
        rows, cols, raw = self._raw_entries([text])
        width = len(self.vocab)
        _, cols, values = self._weigh_arrays(rows, cols, np.log1p(raw), 1, self._column_weights(width, query=True))
        base_t = _with_height(self.base_t, width)
        n_docs = base_t.shape[1]
        if not len(cols) or n_docs == 0 or base_t.nnz == 0:
            return []
        data, found, _ = _topn_core.sp_matmul_topn(
            min(k + TIE_MARGIN, n_docs), 1, n_docs, 0.0, 1.0, values.astype(DTYPE),
            np.array([0, len(cols)], dtype=np.int32), cols.astype(np.int32), base_t.data, base_t.indptr,
            base_t.indices)
        tie_rank, row_ids, doc_texts = self.tie_rank, self.row_ids, self.texts
        ranked = sorted((-score, tie_rank[row], row)
                        for score, row in zip(_rounded(data).tolist(), found.tolist()) if score > 0)
        return [Match(row_ids[row], -neg, None, (self, text, doc_texts[row_ids[row]]))
                for neg, _, row in ranked[:k] if row_ids[row] is not _GONE]

    def _ranked_chunk(self, product: sp.csr_matrix, k: int, texts: list[str]) -> list[list[Match]]:
        """Same order as `_ranked` (score rounded, then str(id)), for every query row at once."""
        n = product.shape[0]
        query_row = np.repeat(np.arange(n, dtype=np.int64), np.diff(product.indptr))
        scores = _rounded(product.data)
        rows = product.indices.astype(np.int64)
        keep = scores > 0
        query_row, scores, rows = query_row[keep], scores[keep], rows[keep]
        ties = self.tie_rank[rows]
        if n < 1 << 19 and len(self.tie_rank) < PACKED_KEY_ROWS:
            # One int64 key (query row | 10^6 − score in millionths | tie rank: 19 + 20 + 24 bits) and one
            # sort instead of a three-key lexsort: the same order, about twice as fast.
            missing = np.rint((1.0 - scores) * 10 ** SCORE_DECIMALS).astype(np.int64)
            order = np.argsort((query_row << 44) | (missing << 24) | ties)
        else:
            order = np.lexsort((ties, -scores, query_row))
        query_row, scores, rows = query_row[order], scores[order], rows[order]
        starts = np.searchsorted(query_row, np.arange(n))
        position = np.arange(len(query_row)) - starts[query_row]
        take = position < k
        query_row = query_row[take]
        bounds = np.searchsorted(query_row, np.arange(n + 1)).tolist()
        row_ids, doc_texts = self.row_ids, self.texts
        with _collector_paused(n >= THREADED_FROM):
            ids = [row_ids[row] for row in rows[take].tolist()]
            scores = scores[take].tolist()
            # One list comprehension per query (its results are contiguous): cheaper than appending one
            # Match at a time to the list of its query.
            return [[Match(doc_id, score, None, (self, text, doc_texts[doc_id]))
                     for doc_id, score in zip(ids[start:end], scores[start:end]) if doc_id is not _GONE]
                    for text, start, end in zip(texts, bounds, bounds[1:])]

    def _segment_topn(self, q, matrix_t, top_n, row_map) -> sp.csr_matrix:
        matrix_t = _with_height(matrix_t, q.shape[1])
        if matrix_t.shape[1] == 0 or q.nnz == 0 or matrix_t.nnz == 0:
            return _RowMapped(sp.csr_matrix((q.shape[0], matrix_t.shape[1]), dtype=DTYPE), row_map)
        top_n = min(top_n, matrix_t.shape[1])
        # The unchecked entry points take our int32 CSR arrays as they are: the checked one copies the
        # index arrays of the whole document matrix on every call (a fifth of a single query's time).
        if q.shape[0] >= THREADED_FROM:
            product = unchecked.sp_matmul_topn_mt(q, matrix_t, top_n, False, 0.0, N_THREADS)
        else:
            product = unchecked.sp_matmul_topn(q, matrix_t, top_n, False, 0.0, 1.0)
        return _RowMapped(product, row_map)

    def _subset_topn(self, q, rows: np.ndarray, top_n: int) -> _RowMapped:
        base_rows = rows[rows < self.base.shape[0]]
        pending_rows = [int(r) for r in rows if r in self.pending]
        matrix, all_pending = self._pending_weighted()
        position = {r: i for i, r in enumerate(all_pending)}
        parts = [_with_width(self.base[base_rows], q.shape[1])]
        if pending_rows:
            parts.append(_with_width(matrix[[position[r] for r in pending_rows]], q.shape[1]))
        subset = sp.vstack(parts, format="csr")
        row_map = [int(r) for r in base_rows] + pending_rows
        return self._segment_topn(q, _int32(subset.T.tocsr()), top_n, row_map)

    def _ranked(self, i: int, candidates: list[_RowMapped], k: int, text: str) -> list[Match]:
        scored = []
        for segment in candidates:
            rows, scores = segment.row(i)
            for row, score in zip(rows, _rounded(scores).tolist()):
                doc_id = self.row_ids[row]
                if doc_id is not _GONE:
                    scored.append((-score, str(doc_id), doc_id))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [Match(doc_id, -neg, source=(self, text, self.texts[doc_id])) for neg, _, doc_id in scored[:k]
                if neg < 0]


class _RowMapped:
    """A top-n product whose column numbers are translated back to index rows."""

    def __init__(self, product: sp.csr_matrix, row_map: list[int] | None) -> None:
        self.product = product
        self.row_map = row_map

    def row(self, i: int):
        start, end = self.product.indptr[i], self.product.indptr[i + 1]
        cols = self.product.indices[start:end]
        rows = cols.tolist() if self.row_map is None else [self.row_map[c] for c in cols]
        return rows, self.product.data[start:end]


class _collector_paused:  # noqa: N801 (used like a function: `with _collector_paused(large):`)
    """Pause Python's cyclic garbage collector while a large batch builds its results: hundreds of
    thousands of small objects without cycles would otherwise trigger many full collections (about 40 %
    of the batch's ranking time on the bench). It is switched back on at once, and left alone when the
    application had switched it off itself. A plain class, not contextlib's generator: a single query
    enters it twice, and the generator machinery cost a tenth of a query's time."""

    __slots__ = ("_large", "_paused")

    def __init__(self, large: bool) -> None:
        self._large = large
        self._paused = False

    def __enter__(self) -> None:
        if self._large and gc.isenabled():
            gc.disable()
            self._paused = True

    def __exit__(self, *exc_info) -> bool:
        if self._paused:
            gc.enable()
            self._paused = False
        return False


def _int32(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """The same CSR matrix with int32 index arrays and float32 data (what the top-n product takes)."""
    return sp.csr_matrix((matrix.data.astype(DTYPE, copy=False), matrix.indices.astype(np.int32, copy=False),
                          matrix.indptr.astype(np.int32, copy=False)), shape=matrix.shape)


def _rounded(scores: np.ndarray) -> np.ndarray:
    """Scores as reported: float64, SCORE_DECIMALS decimals, at most 1 (float32 sums can exceed it)."""
    return np.minimum(np.round(np.asarray(scores, dtype=np.float64), SCORE_DECIMALS), 1.0)


def _with_width(matrix: sp.csr_matrix, width: int) -> sp.csr_matrix:
    """The same rows seen with `width` columns (new columns are empty)."""
    if matrix.shape[1] == width:
        return matrix
    return sp.csr_matrix((matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], width))


def _with_height(matrix: sp.csr_matrix, height: int) -> sp.csr_matrix:
    """The same matrix with empty rows appended up to `height` (a transposed matrix meeting new columns)."""
    missing = height - matrix.shape[0]
    if missing <= 0:
        return matrix
    indptr = np.concatenate([matrix.indptr, np.full(missing, matrix.indptr[-1], dtype=matrix.indptr.dtype)])
    return sp.csr_matrix((matrix.data, matrix.indices, indptr), shape=(height, matrix.shape[1]))


def _l2_rows(matrix: sp.spmatrix) -> sp.csr_matrix:
    """Scale each row to unit length (empty rows stay empty); works on empty matrices too."""
    matrix = sp.csr_matrix(matrix, dtype=DTYPE)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags((1.0 / norms).astype(DTYPE)) @ matrix, dtype=DTYPE)


def _as_text(text: object) -> str:
    return text if isinstance(text, str) else ""


def _explain(state: _State, query_text: str, doc_text: str) -> tuple[tuple[str, ...], tuple[Evidence, ...]]:
    """Which words of the query and of the document carry the cosine, and how they meet.

    Each shared column's part of the dot product is split over the query's words and the document's
    words that carry it (in proportion to their raw weights), giving a share per pair of words. A pair
    is the same word when both have the same stem (or spelling); otherwise it meets through word-channel
    features (compound parts, derivations, skill equivalents), else through a concept, else only through
    character n-grams. Returns the document-side `terms` and the query-side evidence (Match).
    """
    q_tokens, q_vec = state.explained(query_text, query=True)
    d_tokens, d_vec = state.explained(doc_text, query=False)
    gain = {col: value * d_vec[col] for col, value in q_vec.items() if col in d_vec}
    if not gain:
        return (), ()
    vocab = state.vocab
    q_carriers, d_carriers = _carriers(q_tokens, vocab, gain), _carriers(d_tokens, vocab, gain)
    pair_share: dict[tuple[int, int], list[float]] = {}  # (q, d) → [word, subword, total] shares
    pair_concepts: dict[tuple[int, int], dict[str, float]] = {}
    for col, g in gain.items():
        if g <= 0 or col not in q_carriers or col not in d_carriers:
            continue
        q_list, d_list = q_carriers[col], d_carriers[col]
        q_sum, d_sum = sum(w for _, w, _ in q_list), sum(w for _, w, _ in d_list)
        label = q_list[0][2]
        sub = state.channel[col] == SUBWORDS
        for qi, wq, _ in q_list:
            for di, wd, _ in d_list:
                share = g * (wq / q_sum) * (wd / d_sum)
                entry = pair_share.setdefault((qi, di), [0.0, 0.0, 0.0])
                entry[2] += share
                if label is not None:
                    concepts = pair_concepts.setdefault((qi, di), {})
                    concepts[label] = concepts.get(label, 0.0) + share
                else:
                    entry[1 if sub else 0] += share
    pairs = []
    for (qi, di), (word_share, subword_share, total) in pair_share.items():
        q, d = q_tokens[qi], d_tokens[di]
        concepts = pair_concepts.get((qi, di), {})
        label = min(concepts, key=lambda c: (-concepts[c], c)) if concepts else None
        if q.surface.lower() == d.surface.lower() or (q.features and d.features
                                                      and q.features[0][0] == d.features[0][0]):
            via = SAME_WORD
        elif word_share > 0:
            via = RELATED
        elif label is not None and sum(concepts.values()) >= subword_share:
            via = CONCEPT
        else:
            via = SUBWORD
        pairs.append((total, qi, di, via, label if word_share == 0 else None))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    return _document_terms(pairs, d_tokens), _query_evidence(pairs, q_tokens, d_tokens)


def _carriers(tokens, vocab: dict, gain: dict) -> dict[int, list[tuple[int, float, str | None]]]:
    """Column → the tokens carrying it: (token index, raw weight, concept label or None)."""
    found: dict[int, list] = {}
    for i, token in enumerate(tokens):
        for feature, weight in token.features + token.subwords:
            col = vocab.get(feature)
            if col is not None and col in gain:
                found.setdefault(col, []).append((i, weight, concept_label(feature)))
    return found


def _document_terms(pairs: list, d_tokens) -> tuple[str, ...]:
    """The document's words carrying the score: a word met by more than a concept as written, the
    words met only through a concept once per concept as "word (concept)"."""
    literal: dict[int, float] = {}
    by_concept: dict[int, dict[str, float]] = {}
    for total, _, di, via, label in pairs:
        if label is not None and via != SAME_WORD:  # met through a concept (perhaps also pieces), no word
            concepts = by_concept.setdefault(di, {})
            concepts[label] = concepts.get(label, 0.0) + total
        else:
            literal[di] = literal.get(di, 0.0) + total
    scores: dict[str, float] = {}
    shown: dict[str, str] = {}
    best: dict[str, float] = {}
    for di, total in literal.items():
        word = _display(d_tokens[di].surface)
        key = word.lower()
        shown.setdefault(key, word)
        scores[key] = scores.get(key, 0.0) + total + sum(by_concept.pop(di, {}).values())
    for di, concepts in sorted(by_concept.items()):
        label = min(concepts, key=lambda c: (-concepts[c], c))
        share = sum(concepts.values())
        word = _display(d_tokens[di].surface)
        key = "\0" + label  # concept entries never collide with words (no word contains NUL)
        if share > best.get(key, 0.0):  # the concept's strongest word (the first one on ties)
            best[key] = share
            shown[key] = word if word.lower() == label.lower() else f"{word} ({label})"
        scores[key] = scores.get(key, 0.0) + share
    order = sorted(scores, key=lambda key: -scores[key])
    return tuple(shown[key] for key in order[:MAX_TERMS])


def _query_evidence(pairs: list, q_tokens, d_tokens) -> tuple[Evidence, ...]:
    """The strongest pairs (each carrying at least MIN_REASON_SHARE of the score), each word of the query
    and of the document used once, each concept once."""
    evidence: list[Evidence] = []
    used_q: set[str] = set()
    used_d: set[str] = set()
    used_concepts: set[str] = set()
    total_score = sum(p[0] for p in pairs)
    for share, qi, di, via, label in pairs:
        if share < MIN_REASON_SHARE * total_score:
            break
        q, d = _display(q_tokens[qi].surface), _display(d_tokens[di].surface)
        if q.lower() in used_q or d.lower() in used_d or (via == CONCEPT and label in used_concepts):
            continue
        used_q.add(q.lower())
        used_d.add(d.lower())
        if via == CONCEPT:
            used_concepts.add(label)
        evidence.append(Evidence(q, d, via, label if via == CONCEPT else None))
        if len(evidence) == MAX_TERMS:
            break
    return tuple(evidence)


def _display(surface: str) -> str:
    # Acronyms keep their capitals ("IT", "MitID" reads oddly lower-cased only when short and upper).
    return surface if surface.isupper() and len(surface) <= 5 else surface.lower()
