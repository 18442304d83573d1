"""Three ways to add the sub-word channel, measured side by side (why TextIndex fuses it).

Usage: python -m matching.options [--json] [--tasks N] [--profiles N] [--queries N] [--spans FILE]

- fused: one sparse product over both channels, n-grams pruned by document frequency (what TextIndex does);
- unplaced: n-grams only for the query words the word channel cannot place (none of the word's
  word-channel features is in the index); documents keep theirs;
- rescore: the word channel alone picks RESCORE_POOL candidates per query, and both channels re-score
  only those.

For each: the leave-one-out MRR on the job-ad phrases and MRR/recall@5 on the development set
(quality), one query's p50/p95 against the bench's tasks and the batch of all bench profiles (speed).
On the phrases, where every word of a query is in the index (the span itself is), "unplaced" adds
nothing and "rescore" can only reorder phrases that share a whole word.
"""
from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from matching import bench
from matching.evaluate import evaluate, loo_reciprocal_ranks
from matching.index import SUBWORDS, WORDS, Match, TextIndex, _collector_paused, _l2_rows, _rounded, _State
from matching.tune import DEV, SPANS

RESCORE_POOL = 40  # candidates per query the word channel hands to the re-scoring


class _Unplaced(_State):
    def _word_row(self, word: str, english: bool):
        key = (word, english)
        row = self._word_rows.get(key)
        if row is None:
            features = self.analyzer.word_features(word, english)
            if any(f in self.vocab for f, _ in features):
                row = self._known(features, True)
            else:
                row = self._known(features + self.analyzer.word_subwords(word, english), True)
            self._word_rows[key] = row
        return row


class _Rescore(_State):
    def refresh(self) -> None:
        super().refresh()
        words = self.base.copy()
        words.data[self.channel[words.indices] == SUBWORDS] = 0.0
        words.eliminate_zeros()
        self.words_t = _l2_rows(words).T.tocsr()

    def search_chunk(self, texts, k, rows):
        assert rows is None and not self.pending, "measured without filters or pending documents"
        with _collector_paused(len(texts) >= 256):
            full = self.query_matrix(texts)
        words = full.copy()
        words.data[self.channel[words.indices] == SUBWORDS] = 0.0
        words.eliminate_zeros()
        words = _l2_rows(words)
        product = self._segment_topn(words, self.words_t, max(RESCORE_POOL, k), None).product
        results = []
        with _collector_paused(len(texts) >= 256):
            for i in range(len(texts)):
                cands = product.indices[product.indptr[i]:product.indptr[i + 1]]
                if len(cands) == 0:
                    results.append([])
                    continue
                scores = _rounded((self.base[cands] @ full[i].T).toarray().ravel())
                order = np.lexsort((self.tie_rank[cands], -scores))[:k]
                results.append([Match(self.row_ids[cands[j]], float(scores[j]), None,
                                      (self, texts[i], self.texts[self.row_ids[cands[j]]]))
                                for j in order if scores[j] > 0])
        return results


MODES = {"fused": _State, "unplaced": _Unplaced, "rescore": _Rescore}


def build(mode: str, docs: dict) -> TextIndex:
    index = TextIndex.build(docs)
    if mode != "fused":
        state = index._state
        state.__class__ = MODES[mode]
        state._word_rows = {}
        state.refresh()
    return index


def quality(mode: str, spans: list, dev: dict) -> dict:
    texts = [t for t, _ in spans]
    groups = [g for _, g in spans]
    index = build(mode, dict(enumerate(texts)))
    ranks = []
    for i, matches in enumerate(index.search_many(texts, k=len(texts))):
        found = [m.id for m in matches if m.id != i]
        ranks.append(next((1.0 / (r + 1) for r, j in enumerate(found) if groups[j] == groups[i]), 0.0))
    tasks = {str(k): v for k, v in dev["tasks"].items()}
    dev_index = build(mode, tasks)
    ranked = [[m.id for m in ms] for ms in dev_index.search_many([p["text"] for p in dev["profiles"]], k=10)]
    from matching.evaluate import metrics
    figures = metrics(ranked, [{str(t) for t in p["relevant"]} for p in dev["profiles"]])
    return {"phrases_mrr": round(sum(ranks) / len(ranks), 4), "dev_mrr": figures["mrr"],
            "dev_recall@5": figures["recall@5"]}


def speed(mode: str, tasks: dict, profiles: list, n_queries: int) -> dict:
    index = build(mode, tasks)
    index.search(profiles[0], k=10)
    timings = []
    for text in profiles[:n_queries]:
        start = time.perf_counter()
        index.search(text, k=10)
        timings.append((time.perf_counter() - start) * 1000.0)
    timings.sort()
    start = time.perf_counter()
    index.search_many(profiles, k=10)
    batch = time.perf_counter() - start
    return {"query_p50_ms": round(statistics.median(timings), 3),
            "query_p95_ms": round(timings[min(len(timings) - 1, math.ceil(0.95 * len(timings)) - 1)], 3),
            "batch_seconds": round(batch, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.options", description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--spans", default=str(SPANS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    spans = [(str(t), str(g)) for t, g in json.loads(Path(args.spans).read_text(encoding="utf-8"))["spans"]]
    dev = json.loads(Path(DEV).read_text(encoding="utf-8"))
    tasks, profiles = bench.corpus(args.tasks, args.profiles)
    result = {}
    for mode in MODES:
        result[mode] = {**quality(mode, spans, dev), **speed(mode, tasks, profiles, args.queries)}
        print(f"{mode:9} " + "  ".join(f"{k} {v}" for k, v in result[mode].items()), flush=True)
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
