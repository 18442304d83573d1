"""Choose the matcher's weights and thresholds by cross-validation on the development data.

Usage: python -m matching.tune [--spans FILE] [--dev FILE] [--json] [--grid small]

Development data only: the job-ad phrases (`../shared/data/kompetencer-dev.json`, leave-one-out MRR by
the protocol of its README) and the project's development set (`tests/data/matching_eval_dev.json`,
MRR and recall@5 of each profile). The held-out sets are never read here.

Every setting of the grid (GRID) is scored once per part of the data, then:
- cross-validation: 10 folds (5 random halvings of the phrases, each half held out once, paired with
  one of 5 folds of the development profiles). In each fold the setting with the best mean of
  (phrases MRR, profiles MRR, profiles recall@5) on the other parts is chosen and measured on the
  held-out part; the mean held-out figures estimate how the choosing generalises.
- the chosen setting: the best on all development data (what `params.DEFAULT` holds).
- the score threshold (Params.min_score): a floor for stray matches, not a relevance classifier. On
  the development profiles, the highest threshold on the text score that still keeps RECALL_FLOOR of
  the relevant tasks found in each profile's top 10 (so it drops as many irrelevant ones as it can),
  cross-validated over the profile folds (held-out share of relevant tasks kept, and precision).
"""
from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import random
import sys
import time
from pathlib import Path

from matching.evaluate import loo_reciprocal_ranks
from matching.index import TextIndex
from matching.params import DEFAULT, Params

ROOT = Path(__file__).resolve().parents[1]
SPANS = ROOT.parent / "shared" / "data" / "kompetencer-dev.json"
DEV = ROOT / "tests" / "data" / "matching_eval_dev.json"
SEED = 20261207
REPEATS = 5  # random halvings of the phrases
FOLDS = 5  # folds of the development profiles
DEPTH = 10
GRID = {
    "subword_weight": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5),
    # A concept stays clearly below a literal word (1.0): tests/matching/test_concepts.py pins < 0.5.
    "concept_weight": (0.0, 0.15, 0.3, 0.45),
    "ngram_min": (3, 4),
    "subword_max_df": (0.05, 0.1, 0.2, 0.5),
    "edge_weight": (1.0, 2.0),
}
SMALL_GRID = {"subword_weight": (0.0, 0.3), "concept_weight": (0.3,), "ngram_min": (3,),
              "subword_max_df": (0.2,), "edge_weight": (1.0,)}
THRESHOLDS = tuple(round(0.01 * i, 2) for i in range(1, 41))
RECALL_FLOOR = 0.9


def settings(grid: dict) -> list[Params]:
    """Every combination of the grid, as Params (other fields as in DEFAULT)."""
    names = list(grid)
    return [dataclasses.replace(DEFAULT, **dict(zip(names, values))) for values in itertools.product(*grid.values())]


def profile_scores(dev: dict, params: Params) -> tuple[list[float], list[float], list[list[tuple[float, bool]]]]:
    """Per development profile: reciprocal rank (top 10), recall@5, and (score, relevant) of the top 10."""
    tasks = {str(k): v for k, v in dev["tasks"].items()}
    index = TextIndex.build(tasks, params)
    results = index.search_many([p["text"] for p in dev["profiles"]], k=DEPTH)
    rr, recall, scored = [], [], []
    for profile, matches in zip(dev["profiles"], results):
        relevant = {str(t) for t in profile["relevant"]}
        ids = [m.id for m in matches]
        rr.append(next((1.0 / (i + 1) for i, t in enumerate(ids) if t in relevant), 0.0))
        recall.append(len(relevant & set(ids[:5])) / min(len(relevant), 5))
        scored.append([(m.score, m.id in relevant) for m in matches])
    return rr, recall, scored


def _mean(values) -> float:
    values = list(values)
    return sum(values) / max(len(values), 1)


def best_threshold(scored: list[list[tuple[float, bool]]]) -> float:
    """The highest threshold keeping at least RECALL_FLOOR of the relevant results in the lists."""
    chosen = THRESHOLDS[0]
    for threshold in THRESHOLDS:
        if threshold_figures(scored, threshold)["kept_relevant"] >= RECALL_FLOOR:
            chosen = threshold
    return chosen


def threshold_figures(scored: list[list[tuple[float, bool]]], threshold: float) -> dict[str, float]:
    """Share of the relevant results kept by "score >= threshold", and the share of relevant among those kept."""
    pairs = [pair for ranking in scored for pair in ranking]
    positives = sum(relevant for _, relevant in pairs)
    kept = [relevant for score, relevant in pairs if score >= threshold]
    return {"kept_relevant": sum(kept) / positives if positives else 1.0,
            "precision": sum(kept) / len(kept) if kept else 1.0}


def run(spans: list, dev: dict, grid: dict, log=print) -> dict:
    rng = random.Random(SEED)
    halvings = []
    for _ in range(REPEATS):
        order = list(range(len(spans)))
        rng.shuffle(order)
        halvings.append((sorted(order[: len(order) // 2]), sorted(order[len(order) // 2:])))
    profile_order = list(range(len(dev["profiles"])))
    rng.shuffle(profile_order)
    fold_of = {p: i % FOLDS for i, p in enumerate(profile_order)}

    table = []
    started = time.perf_counter()
    candidates = settings(grid)
    for n, params in enumerate(candidates, 1):
        halves = [[_mean(loo_reciprocal_ranks([spans[i] for i in half], params)) for half in pair]
                  for pair in halvings]
        full = _mean(loo_reciprocal_ranks(spans, params))
        rr, recall, scored = profile_scores(dev, params)
        table.append({"params": params, "halves": halves, "full": full, "rr": rr, "recall": recall,
                      "scored": scored})
        if n % 20 == 0 or n == len(candidates):
            log(f"  {n}/{len(candidates)} settings scored ({time.perf_counter() - started:.0f} s)")

    def dev_part(row, profiles):
        return _mean(row["rr"][p] for p in profiles), _mean(row["recall"][p] for p in profiles)

    def objective(phrases, profiles_mrr, profiles_recall):
        return (phrases + profiles_mrr + profiles_recall) / 3.0

    folds = []
    for r, h in itertools.product(range(REPEATS), range(2)):
        dev_fold = (2 * r + h) % FOLDS
        held = [p for p in range(len(dev["profiles"])) if fold_of[p] == dev_fold]
        chosen_from = [p for p in range(len(dev["profiles"])) if fold_of[p] != dev_fold]
        best = max(table, key=lambda row: objective(row["halves"][r][1 - h], *dev_part(row, chosen_from)))
        mrr, rec = dev_part(best, held)
        folds.append({"phrases_mrr": best["halves"][r][h], "profiles_mrr": mrr, "profiles_recall@5": rec,
                      "params": _short(best["params"])})
    everyone = range(len(dev["profiles"]))
    chosen = max(table, key=lambda row: objective(row["full"], *dev_part(row, everyone)))
    baseline = next((row for row in table if row["params"].subword_weight == 0.0
                     and row["params"].concept_weight == DEFAULT.concept_weight), None)

    threshold_folds = []
    for fold in range(FOLDS):
        threshold = best_threshold([chosen["scored"][p] for p in everyone if fold_of[p] != fold])
        held = threshold_figures([chosen["scored"][p] for p in everyone if fold_of[p] == fold], threshold)
        threshold_folds.append({"threshold": threshold, **held})
    threshold = best_threshold(chosen["scored"])
    on_all = threshold_figures(chosen["scored"], threshold)
    mrr, rec = dev_part(chosen, everyone)
    return {
        "settings": len(table),
        "cv": {"phrases_mrr": _mean(f["phrases_mrr"] for f in folds),
               "profiles_mrr": _mean(f["profiles_mrr"] for f in folds),
               "profiles_recall@5": _mean(f["profiles_recall@5"] for f in folds), "folds": folds},
        "chosen": {**_short(chosen["params"]), "min_score": threshold},
        "chosen_on_all": {"phrases_mrr": chosen["full"], "profiles_mrr": mrr, "profiles_recall@5": rec,
                          "min_score_kept_relevant": on_all["kept_relevant"],
                          "min_score_precision": on_all["precision"]},
        "min_score_cv": {"kept_relevant": _mean(f["kept_relevant"] for f in threshold_folds),
                         "precision": _mean(f["precision"] for f in threshold_folds), "folds": threshold_folds},
        "without_subwords": None if baseline is None else {
            "phrases_mrr": baseline["full"], "profiles_mrr": dev_part(baseline, everyone)[0],
            "profiles_recall@5": dev_part(baseline, everyone)[1]},
    }


def _short(params: Params) -> dict:
    return {name: getattr(params, name) for name in GRID}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.tune", description=__doc__.splitlines()[0])
    parser.add_argument("--spans", default=str(SPANS), help="labelled phrases (development half)")
    parser.add_argument("--dev", default=str(DEV), help="development tasks and profiles")
    parser.add_argument("--grid", choices=("full", "small"), default="full")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    spans = [(str(t), str(g)) for t, g in json.loads(Path(args.spans).read_text(encoding="utf-8"))["spans"]]
    dev = json.loads(Path(args.dev).read_text(encoding="utf-8"))
    result = run(spans, dev, GRID if args.grid == "full" else SMALL_GRID)
    cv, chosen, on_all = result["cv"], result["chosen"], result["chosen_on_all"]
    print(f"{result['settings']} settings; {len(spans)} phrases, {len(dev['profiles'])} development profiles")
    print("cross-validated (held-out folds): phrases MRR {phrases_mrr:.3f}, profiles MRR {profiles_mrr:.3f}, "
          "recall@5 {profiles_recall@5:.3f}".format(**cv))
    for fold in cv["folds"]:
        print("  fold: phrases {phrases_mrr:.3f}  profiles MRR {profiles_mrr:.3f}  recall@5 "
              "{profiles_recall@5:.3f}  chosen {params}".format(**fold))
    print("chosen on all development data: " + ", ".join(f"{k} {v}" for k, v in chosen.items()))
    print("  phrases MRR {phrases_mrr:.3f}, profiles MRR {profiles_mrr:.3f}, recall@5 {profiles_recall@5:.3f}; "
          "min_score keeps {min_score_kept_relevant:.3f} of the relevant top-10 results at precision "
          "{min_score_precision:.3f}".format(**on_all))
    cv_threshold = result["min_score_cv"]
    print(f"  min_score cross-validated: keeps {cv_threshold['kept_relevant']:.3f} of the relevant, precision "
          f"{cv_threshold['precision']:.3f}; per fold " + ", ".join(str(f["threshold"]) for f in cv_threshold["folds"]))
    if result["without_subwords"]:
        print("  without the sub-word channel: phrases MRR {phrases_mrr:.3f}, profiles MRR {profiles_mrr:.3f}, "
              "recall@5 {profiles_recall@5:.3f}".format(**result["without_subwords"]))
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
