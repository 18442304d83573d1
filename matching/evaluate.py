"""Offline evaluation: recall@5, MRR and NDCG@10 of the matcher against a plain TF-IDF baseline.

Usage: python -m matching.evaluate FILE [--json]
FILE is JSON {"tasks": {id: text}, "profiles": [{"id", "text", "relevant": [task ids]}]}.
recall@5 divides by min(|relevant|, 5), so a profile with more than five relevant tasks can still
reach 1.0; MRR counts the first relevant task within the top 10 (0 beyond).
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

RECALL_AT = 5
RANK_DEPTH = 10

Ranker = Callable[[Sequence[str]], list[list[str]]]


def matcher_ranker(tasks: dict[str, str]) -> Ranker:
    """Our TextIndex, searched in one batch."""
    index = TextIndex.build(tasks)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    with open(args.file, encoding="utf-8") as handle:
        data = json.load(handle)
    result = evaluate(data)
    print(f"{args.file}: {len(data['tasks'])} tasks, {len(data['profiles'])} profiles")
    for name, values in result.items():
        print(f"{name:9} " + "  ".join(f"{key} {value:.3f}" for key, value in values.items()))
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
