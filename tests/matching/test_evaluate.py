"""The labelled set: our matcher beats plain TF-IDF; the goals hold on the held-out part."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from matching.evaluate import evaluate, main, metrics

DATA = Path(__file__).resolve().parents[1] / "data"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["matching_eval_dev.json", "matching_eval_heldout.json", "matching_eval_test.json"])
def test_labelled_set_is_big_enough_and_consistent(name):
    data = load(name)
    assert len(data["tasks"]) >= 30 and len(data["profiles"]) >= 30
    assert all(p["relevant"] and set(p["relevant"]) <= set(data["tasks"]) for p in data["profiles"])
    english = [p for p in data["profiles"] if " I " in f" {p['text']} "]
    assert english  # some profiles are in English


@pytest.mark.parametrize("name", ["matching_eval_dev.json", "matching_eval_heldout.json", "matching_eval_test.json"])
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
