"""The matcher's learned settings: channel weights, concept weight and thresholds.

The values of `DEFAULT` are not set by hand: `python -m matching.tune` chooses them by cross-validation
on the development data (the job-ad phrases of `kompetencer-dev.json` and `tests/data/matching_eval_dev.json`)
and prints the chosen values with their validation figures; the README's Matching section records them.
The held-out sets (`matching_eval_heldout.json`, `matching_eval_test.json`, `matching_eval_blind.json`)
are never used for choosing.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Params:
    """Settings of one index. Every field is a weight or a threshold that `matching.tune` chooses."""

    # Share of the cosine given to the sub-word channel (character n-grams inside words); the word
    # channel (stems, compound parts, skill equivalents, concepts) gets the rest. Below one half, so a
    # whole shared word always counts more than a shared piece of a word.
    subword_weight: float = 0.3
    # Raw weight of a domain concept's feature in the word channel (a literal word weighs 1.0).
    concept_weight: float = 0.45
    # Lengths of the character n-grams, counted with the word-boundary marks ("<kø", "stol>").
    ngram_min: int = 3
    ngram_max: int = 5
    # Weight of an n-gram at the start or end of a word ("<kø", "ing>") against one inside it (1.0).
    edge_weight: float = 2.0
    # An n-gram found in more than this share of the documents is not used (max_df pruning) ...
    subword_max_df: float = 0.05
    # ... nor one found in more than this many documents (bounds the work of one query in large indexes).
    subword_max_postings: int = 100
    # Suggestions below this text score are dropped as stray matches (portal/suggestions.py).
    min_score: float = 0.13


DEFAULT = Params()
