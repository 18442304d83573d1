"""Offline evaluation of the matcher against plain baselines.

Usage: python -m matching.evaluate FILE [--json]
FILE is JSON, one of two formats:
- tasks and profiles, {"tasks": {id: text}, "profiles": [{"id", "text", "relevant": [task ids]}]}:
  recall@5, MRR and NDCG@10 of the matcher and of plain word TF-IDF. recall@5 divides by
  min(|relevant|, 5), so a profile with more than five relevant tasks can still reach 1.0; MRR counts
  the first relevant task within the top 10 (0 beyond).
- labelled phrases, {"spans": [[text, group], ...]} (e.g. ../shared/data/kompetencer-dev.json): the
  leave-one-out MRR by the protocol of shared/data/README.md: one index over all spans, each span
  searched with search_many(k=len(spans)), the span itself dropped, the reciprocal rank of the first
  span of the same group (0 when no span of that group scores above 0); for the matcher, plain word
  TF-IDF and character n-grams (char_wb 3-5, sublinear).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.index import TextIndex
from matching.params import DEFAULT, Params

RECALL_AT = 5
RANK_DEPTH = 10

Ranker = Callable[[Sequence[str]], list[list[str]]]


def matcher_ranker(tasks: dict[str, str], params: Params = DEFAULT) -> Ranker:
    """Our TextIndex, searched in one batch."""
    index = TextIndex.build(tasks, params)
    return lambda queries: [[m.id for m in ms] for ms in index.search_many(queries, k=RANK_DEPTH)]


def baseline_ranker(tasks: dict[str, str]) -> Ranker:
    """scikit-learn's TfidfVectorizer() with default settings and cosine ranking (ties by id)."""
    ids = list(tasks)
    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform([tasks[i] for i in ids])

    def rank(queries: Sequence[str]) -> list[list[str]]:
        scores = (vectorizer.transform(queries) @ matrix.T).toarray()
        return [[ids[j] for j in sorted(np.flatnonzero(row), key=lambda j: (-row[j], str(ids[j])))][:RANK_DEPTH]
                for row in scores]

    return rank


def metrics(ranked: list[list[str]], relevant: list[set[str]]) -> dict[str, float]:
    """Mean recall@5, MRR@10 and binary NDCG@10 over profiles."""
    recall = mrr = ndcg = 0.0
    for ranking, rel in zip(ranked, relevant):
        recall += len(rel & set(ranking[:RECALL_AT])) / min(len(rel), RECALL_AT)
        first = next((i for i, doc in enumerate(ranking[:RANK_DEPTH]) if doc in rel), None)
        mrr += 0.0 if first is None else 1.0 / (first + 1)
        dcg = sum(1.0 / math.log2(i + 2) for i, doc in enumerate(ranking[:RANK_DEPTH]) if doc in rel)
        ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(rel), RANK_DEPTH)))
        ndcg += dcg / ideal
    n = max(len(ranked), 1)
    return {"recall@5": round(recall / n, 4), "mrr": round(mrr / n, 4), "ndcg@10": round(ndcg / n, 4)}


def evaluate(data: dict) -> dict[str, dict[str, float]]:
    """Score the matcher and the baseline on one labelled set."""
    tasks = {str(k): v for k, v in data["tasks"].items()}
    queries = [p["text"] for p in data["profiles"]]
    relevant = [{str(t) for t in p["relevant"]} for p in data["profiles"]]
    return {name: metrics(make(tasks)(queries), relevant)
            for name, make in (("matcher", matcher_ranker), ("baseline", baseline_ranker))}


def loo_reciprocal_ranks(spans: Sequence[Sequence[str]], params: Params = DEFAULT) -> list[float]:
    """Leave-one-out reciprocal rank of each span under the protocol (see the module docstring)."""
    texts = [text for text, _ in spans]
    groups = [group for _, group in spans]
    index = TextIndex.build(dict(enumerate(texts)), params)
    ranks = []
    for i, matches in enumerate(index.search_many(texts, k=len(texts))):
        ranks.append(_first_of_group([m.id for m in matches if m.id != i], groups, groups[i]))
    return ranks


def _first_of_group(ranking: Sequence[int], groups: Sequence[str], group: str) -> float:
    return next((1.0 / (r + 1) for r, j in enumerate(ranking) if groups[j] == group), 0.0)


def _vectorizer_loo(spans: Sequence[Sequence[str]], vectorizer: TfidfVectorizer) -> list[float]:
    texts = [text for text, _ in spans]
    groups = [group for _, group in spans]
    matrix = vectorizer.fit_transform(texts)
    scores = (matrix @ matrix.T).toarray()
    ranks = []
    for i, row in enumerate(scores):
        found = [j for j in sorted(np.flatnonzero(row > 0), key=lambda j: (-row[j], str(j))) if j != i]
        ranks.append(_first_of_group(found, groups, groups[i]))
    return ranks


def evaluate_spans(data: dict, params: Params = DEFAULT) -> dict[str, dict[str, float]]:
    """Leave-one-out MRR of the matcher and two baselines on labelled phrases."""
    spans = [(str(text), str(group)) for text, group in data["spans"]]
    runs = {"matcher": loo_reciprocal_ranks(spans, params),
            "baseline": _vectorizer_loo(spans, TfidfVectorizer()),
            "char_ngrams": _vectorizer_loo(spans, TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                                                                   sublinear_tf=True))}
    return {name: {"loo_mrr": round(sum(r) / max(len(r), 1), 4)} for name, r in runs.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    with open(args.file, encoding="utf-8") as handle:
        data = json.load(handle)
    if "spans" in data:
        result = evaluate_spans(data)
        print(f"{args.file}: {len(data['spans'])} spans, leave-one-out MRR")
    else:
        result = evaluate(data)
        print(f"{args.file}: {len(data['tasks'])} tasks, {len(data['profiles'])} profiles")
    for name, values in result.items():
        print(f"{name:11} " + "  ".join(f"{key} {value:.3f}" for key, value in values.items()))
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
