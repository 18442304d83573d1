"""The benchmark script runs end to end on a small corpus and ends with its JSON line (no timing asserts)."""
from __future__ import annotations

import json

from matching.bench import corpus, main


def test_bench_json_line(capsys):
    assert main(["--json", "--tasks", "300", "--profiles", "400", "--queries", "200", "--naive", "5"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])
    assert {"query_p95_ms", "batch_seconds", "peak_rss_mb", "speedup_vs_naive", "speedup_vs_naive_median"} <= set(result)
    assert result["batch_results"] == 400 * 10 and result["naive_top1_agreement"] == 1.0
    assert any(line.startswith("one query") for line in out)


def test_corpus_is_reproducible_danish():
    first, second = corpus(50, 20), corpus(50, 20)
    assert first == second
    assert any(ch in "".join(first[0].values()) for ch in "æøå")
