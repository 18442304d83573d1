"""TextIndex: an incremental sparse TF-IDF index with cosine top-k search and readable reasons."""
from __future__ import annotations

import math
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp
from sparse_dot_topn import sp_matmul_topn

from matching.analysis import CONCEPT_FEATURES, Analyzer, cap_concepts, concept_label

TIE_MARGIN = 16  # extra candidates fetched so ties at rank k are broken by id, not by storage order
REFRESH_FRACTION = 0.05  # re-weight IDF (and fold in new documents) once this share has changed
MAX_PENDING = 2_000  # new documents kept beside the main matrix before they are folded in
QUERY_CHUNK = 8_192  # queries per sparse product in search_many (bounds memory)
N_THREADS = 2  # for batches; a few queries run single-threaded (thread start-up costs more than it saves)
THREADED_FROM = 256  # query rows per product from which N_THREADS are used
MAX_TERMS = 5
CONCEPT_KEY = "\0"  # keys concept-only entries in _explain apart from words (no word contains NUL)
SCORE_DECIMALS = 6
DTYPE = np.float32
# A concept found in more than this share of a large index is left out of queries (max_df pruning): at
# 15 % its IDF is ~2.9, so it weighs under a fifth of a typical shared word and, alone, ties hundreds of
# documents, while its posting list would cost every query that names it (bench corpus, per query, against
# querying no concept at all: +19 % without pruning, +5 % with it).
CONCEPT_MAX_DF = 0.15
CONCEPT_PRUNE_FROM = 1_000  # documents; smaller indexes keep every concept (the cost is negligible there)
# Bumped whenever the pickled internals change, so a saved index from older code is rebuilt, not used.
FORMAT_VERSION = 3  # 3: concept features (analysis.CONCEPT_WEIGHT)


class Match:
    """One search result: document id, cosine score in [0, 1] and the shared words behind it.

    `terms` are words as they appear in the matched document (e.g. "lektiehjælp", "kørestole"),
    best contribution first, deduplicated, at most MAX_TERMS. A document word that meets the query
    only through a domain concept (no shared word, see lexicon.CONCEPTS) is shown once per concept
    as "word (concept)", e.g. "kager (mad)" for a query about a "kok". They are worked out on first
    access, so a large `search_many` pays only for the explanations it reads.
    """

    __slots__ = ("id", "score", "_terms", "_source")

    def __init__(self, id: Hashable, score: float, terms: tuple[str, ...] | None = None,
                 source: tuple | None = None) -> None:
        self.id = id
        self.score = score
        self._terms = terms
        self._source = source

    @property
    def terms(self) -> tuple[str, ...]:
        """Shared words explaining the score, as written in the document, best first."""
        if self._terms is None:
            self._terms = _explain(*self._source)
            self._source = None
        return self._terms

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Match):
            return NotImplemented
        return (self.id, self.score, self.terms) == (other.id, other.score, other.terms)

    def __hash__(self) -> int:
        return hash((self.id, self.score))

    def __repr__(self) -> str:
        return f"Match(id={self.id!r}, score={self.score!r}, terms={self.terms!r})"

    def __reduce__(self):
        return (Match, (self.id, self.score, self.terms))


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
    def build(cls, docs: Mapping[Hashable, str] | Iterable[tuple[Hashable, str]]) -> TextIndex:
        """Index `{doc_id: text}` (or `(doc_id, text)` pairs); doc ids are any hashable values."""
        index = cls()
        index._state = _State.build(dict(docs.items() if isinstance(docs, Mapping) else docs))
        return index

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
        fresh = _State.build(texts)
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
    """The index's data; replaced whole by refit so a swap is a single assignment."""

    def __init__(self, analyzer: Analyzer, texts: dict) -> None:
        self.analyzer = analyzer
        self.texts: dict[Hashable, str] = {}
        self.vocab: dict[str, int] = {}
        self.df = np.zeros(1024, dtype=np.float64)
        self.row_ids: list[Any] = []
        self.row_of: dict[Hashable, int] = {}
        self.pending: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # row → (columns, raw tf)
        self.base_tf = sp.csr_matrix((0, 0), dtype=DTYPE)
        self.changes = 0
        self.stale = True
        # Columns in sorted feature order: scores then do not depend on the order documents came in
        # (float sums run over columns in the same order), so two builds of one corpus agree exactly.
        for feature in sorted({f for text in texts.values() for f in analyzer.features(text)}):
            self._column(feature)
        for doc_id, text in texts.items():
            self.add(doc_id, text)
        self.refresh()

    @classmethod
    def build(cls, texts: dict) -> _State:
        texts = {doc_id: _as_text(text) for doc_id, text in texts.items()}
        return cls(Analyzer.fit(texts.values()), texts)

    def add(self, doc_id: Hashable, text: str) -> None:
        text = _as_text(text)
        cols, tf = self._doc_vector(text)
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
        self.pending_matrix = None
        if self.changes > REFRESH_FRACTION * max(len(self.texts), 1) or len(self.pending) > MAX_PENDING:
            self.stale = True

    def _doc_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        features = self.analyzer.features(text)
        cols = np.fromiter((self._column(f) for f in features), dtype=np.int32, count=len(features))
        tf = np.log1p(np.fromiter(features.values(), dtype=np.float64, count=len(features)))
        order = np.argsort(cols)
        return cols[order], tf[order].astype(DTYPE)

    def _column(self, feature: str) -> int:
        col = self.vocab.get(feature)
        if col is None:
            col = self.vocab[feature] = len(self.vocab)
            if col >= len(self.df):
                self.df = np.concatenate([self.df, np.zeros(len(self.df), dtype=np.float64)])
        return col

    def _zero_base_row(self, row: int) -> np.ndarray:
        start, end = self.base.indptr[row], self.base.indptr[row + 1]
        cols = self.base.indices[start:end].copy()
        self.base.data[start:end] = 0
        self.base_tf.data[start:end] = 0
        for col in cols:
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
        self.base_tf = tf
        self.base = _l2_rows(tf @ sp.diags(self.idf.astype(DTYPE)))
        self.base.sort_indices()
        self.base_t = self.base.T.tocsr()
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

    def _idf_values(self, cols: np.ndarray) -> np.ndarray:
        # scikit-learn's smooth IDF: ln((1 + n) / (1 + df)) + 1
        n = len(self.texts)
        return np.log((1.0 + n) / (1.0 + np.maximum(self.df[cols], 0.0))) + 1.0

    def idf_of(self, feature: str) -> float:
        col = self.vocab.get(feature)
        if col is None:
            return 0.0
        return float(self.idf[col]) if col < len(self.idf) else float(self._idf_values(np.array([col]))[0])

    def _pending_weighted(self) -> tuple[sp.csr_matrix, list[int]]:
        if self.pending_matrix is None:
            rows = sorted(self.pending)
            width = len(self.vocab)
            tf = self._pending_tf(width)
            weights = self._all_idf(width).astype(DTYPE)
            self.pending_matrix = (_l2_rows(tf @ sp.diags(weights)), rows)
        return self.pending_matrix

    def _all_idf(self, width: int) -> np.ndarray:
        if width <= len(self.idf):
            return self.idf[:width]
        return np.concatenate([self.idf, self._idf_values(np.arange(len(self.idf), width))])

    def query_matrix(self, texts: list[str]) -> tuple[sp.csr_matrix, list[dict[str, float]]]:
        """L2-normalised sublinear TF-IDF rows for the query texts (columns sorted within each row)."""
        n = len(texts)
        idf = self._all_idf(len(self.vocab))
        vocab_get = self.vocab.get
        analyses = [self.analyzer.features(_as_text(text)) for text in texts]
        broad = self.broad_concepts()
        if broad:
            for features in analyses:
                for feature in broad.intersection(features):
                    del features[feature]
        rows: list[int] = []
        cols: list[int] = []
        weights: list[float] = []
        for i, features in enumerate(analyses):
            for feature, weight in features.items():
                col = vocab_get(feature)
                if col is not None:
                    rows.append(i)
                    cols.append(col)
                    weights.append(weight)
        row_arr = np.array(rows, dtype=np.int64)
        col_arr = np.array(cols, dtype=np.int64)
        values = np.log1p(np.array(weights, dtype=np.float64)) * idf[col_arr]
        order = np.lexsort((col_arr, row_arr))
        row_arr, col_arr, values = row_arr[order], col_arr[order], values[order]
        norms = np.sqrt(np.bincount(row_arr, weights=values * values, minlength=n))
        norms[norms == 0] = 1.0
        indptr = np.concatenate([[0], np.cumsum(np.bincount(row_arr, minlength=n))])
        q = sp.csr_matrix(((values / norms[row_arr]).astype(DTYPE), col_arr.astype(np.int32), indptr),
                          shape=(n, len(self.vocab)))
        return q, analyses

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
        q, analyses = self.query_matrix(texts)
        top_n = k + TIE_MARGIN
        if rows is None:
            candidates = [self._segment_topn(q, _with_height(self.base_t, q.shape[1]), top_n, None)]
            matrix, pending_rows = self._pending_weighted()
            if pending_rows:
                candidates.append(self._segment_topn(q, matrix.T.tocsr(), top_n, pending_rows))
            else:
                # The common case (no filter, nothing pending): rank the whole chunk with numpy.
                return self._ranked_chunk(candidates[0].product, k, analyses)
        else:
            candidates = [self._subset_topn(q, rows, top_n)]
        return [self._ranked(i, candidates, k, analyses[i]) for i in range(len(texts))]

    def _ranked_chunk(self, product: sp.csr_matrix, k: int, analyses: list) -> list[list[Match]]:
        """Same order as `_ranked` (score rounded, then str(id)), for every query row at once."""
        n = product.shape[0]
        query_row = np.repeat(np.arange(n), np.diff(product.indptr))
        scores = _rounded(product.data)
        rows = product.indices.astype(np.int64)
        keep = scores > 0
        query_row, scores, rows = query_row[keep], scores[keep], rows[keep]
        order = np.lexsort((self.tie_rank[rows], -scores, query_row))
        query_row, scores, rows = query_row[order], scores[order], rows[order]
        starts = np.searchsorted(query_row, np.arange(n))
        position = np.arange(len(query_row)) - starts[query_row]
        take = position < k
        results: list[list[Match]] = [[] for _ in range(n)]
        row_ids, texts = self.row_ids, self.texts
        for i, row, score in zip(query_row[take].tolist(), rows[take].tolist(), scores[take].tolist()):
            doc_id = row_ids[row]
            if doc_id is not _GONE:
                results[i].append(Match(doc_id, score, source=(self, analyses[i], texts[doc_id])))
        return results

    def _segment_topn(self, q, matrix_t, top_n, row_map) -> sp.csr_matrix:
        if matrix_t.shape[1] == 0:
            return _RowMapped(sp.csr_matrix((q.shape[0], 0), dtype=DTYPE), row_map)
        product = sp_matmul_topn(q, _with_height(matrix_t, q.shape[1]), top_n=min(top_n, matrix_t.shape[1]),
                                 threshold=0.0,
                                 n_threads=N_THREADS if q.shape[0] >= THREADED_FROM else 1)
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
        return self._segment_topn(q, subset.T.tocsr(), top_n, row_map)

    def _ranked(self, i: int, candidates: list[_RowMapped], k: int, analysis: dict) -> list[Match]:
        scored = []
        for segment in candidates:
            rows, scores = segment.row(i)
            for row, score in zip(rows, _rounded(scores).tolist()):
                doc_id = self.row_ids[row]
                if doc_id is not _GONE:
                    scored.append((-score, str(doc_id), doc_id))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [Match(doc_id, -neg, source=(self, analysis, self.texts[doc_id]))
                for neg, _, doc_id in scored[:k] if neg < 0]


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


def _explain(state: _State, query: dict[str, float], text: str) -> tuple[str, ...]:
    """Rank the document's own words by how much of the cosine they carry.

    Each feature's share of the dot product is split over the document's words that carry it. A word
    sharing a word feature with the query is shown as written; words that meet the query only through
    a concept are gathered per concept and shown once, as the concept's best word "word (label)".
    """
    tokens = state.analyzer.tokens(text)
    totals: dict[str, float] = {}
    for token in tokens:
        for feature, weight in token.features:
            totals[feature] = totals.get(feature, 0.0) + weight
    stored = cap_concepts(dict(totals))  # the weights the index holds for this document
    gain = {f: math.log1p(query[f]) * math.log1p(w) * state.idf_of(f) ** 2
            for f, w in stored.items() if f in query}
    scores: dict[str, float] = {}
    shown: dict[str, str] = {}
    best: dict[str, float] = {}
    for token in tokens:
        literal = 0.0
        by_concept: dict[str, float] = {}
        for feature, weight in token.features:
            share = gain.get(feature, 0.0) * weight / totals[feature]
            if share <= 0:
                continue
            label = concept_label(feature)
            if label is None:
                literal += share
            else:
                by_concept[label] = by_concept.get(label, 0.0) + share
        share = literal + sum(by_concept.values())
        if share <= 0:
            continue
        word = _display(token.surface)
        if literal > 0:
            key = word.lower()
            shown.setdefault(key, word)
        else:
            label = min(by_concept, key=lambda c: (-by_concept[c], c))
            key = CONCEPT_KEY + label
            if share > best.get(key, 0.0):  # the concept's strongest word (the first one on ties)
                best[key] = share
                shown[key] = word if word.lower() == label.lower() else f"{word} ({label})"
        scores[key] = scores.get(key, 0.0) + share
    order = sorted(scores, key=lambda w: -scores[w])
    return tuple(shown[w] for w in order[:MAX_TERMS])


def _display(surface: str) -> str:
    # Acronyms keep their capitals ("IT", "MitID" reads oddly lower-cased only when short and upper).
    return surface if surface.isupper() and len(surface) <= 5 else surface.lower()
