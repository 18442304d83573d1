"""The labelled set: our matcher beats plain TF-IDF; the goals hold on the held-out part."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from matching.evaluate import evaluate, main, metrics

DATA = Path(__file__).resolve().parents[1] / "data"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["matching_eval_dev.json", "matching_eval_heldout.json", "matching_eval_test.json",
                                  "matching_eval_blind.json", "matching_eval_dev2.json"])
def test_labelled_set_is_big_enough_and_consistent(name):
    data = load(name)
    assert len(data["tasks"]) >= 30 and len(data["profiles"]) >= 30
    assert all(p["relevant"] and set(p["relevant"]) <= set(data["tasks"]) for p in data["profiles"])
    english = [p for p in data["profiles"] if " I " in f" {p['text']} "]
    assert english  # some profiles are in English


@pytest.mark.parametrize("name", ["matching_eval_dev.json", "matching_eval_heldout.json", "matching_eval_test.json",
                                  "matching_eval_blind.json", "matching_eval_dev2.json"])
def test_matcher_beats_the_baseline(name):
    result = evaluate(load(name))
    for metric in ("recall@5", "mrr", "ndcg@10"):
        assert result["matcher"][metric] > result["baseline"][metric] + 0.1


def test_goals_on_the_held_out_part():
    result = evaluate(load("matching_eval_heldout.json"))["matcher"]
    assert result["recall@5"] >= 0.90 and result["mrr"] >= 0.90


def test_metrics_by_hand():
    got = metrics([["a", "x", "b"], ["x", "y"]], [{"a", "b"}, {"z"}])
    assert got["recall@5"] == 0.5 and got["mrr"] == 0.5
    assert 0 < got["ndcg@10"] < 0.5


def test_cli_json_last_line(capsys):
    assert main([str(DATA / "matching_eval_heldout.json"), "--json"]) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(last) == {"matcher", "baseline"} and set(last["matcher"]) == {"recall@5", "mrr", "ndcg@10"}


SPANS = {"spans": [["kørestol", "A"], ["kørestolsbrugere", "A"], ["regnskab", "B"], ["regnskaber", "B"],
                   ["qxz", "C"]]}


def test_spans_leave_one_out_by_the_protocol():
    # Each span finds its partner first; the lone one finds nothing of its group: (1 + 1 + 1 + 1 + 0) / 5.
    from matching.evaluate import evaluate_spans, loo_reciprocal_ranks
    assert loo_reciprocal_ranks([tuple(s) for s in SPANS["spans"]]) == [1.0, 1.0, 1.0, 1.0, 0.0]
    result = evaluate_spans(SPANS)
    assert result["matcher"]["loo_mrr"] == 0.8
    assert set(result) == {"matcher", "baseline", "char_ngrams"}
    assert result["baseline"]["loo_mrr"] < result["matcher"]["loo_mrr"]  # plain words miss the compound


def test_cli_spans_json_last_line(capsys, tmp_path):
    path = tmp_path / "spans.json"
    path.write_text(json.dumps(SPANS), encoding="utf-8")
    assert main([str(path), "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert "leave-one-out MRR" in out[0]
    assert json.loads(out[-1])["matcher"] == {"loo_mrr": 0.8}
