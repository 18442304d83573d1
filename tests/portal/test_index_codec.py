"""The matching indexes are stored in a safe format (JSON + numpy arrays, no pickle; issue 13 finding 8)."""
from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import numpy as np
import pytest

from matching import TextIndex
from portal import index_codec

TEXTS = {1: "Højtlæsning for børn i biblioteket", 2: "Lektiehjælp til skolebørn", ("idea", 3): "Fælles drivhus i gården",
         4: "Havearbejde og grøntsager i skolehaven"}


def test_an_index_survives_the_round_trip_and_answers_alike():
    index = TextIndex.build(TEXTS)
    index.update(5, "Strikkeklub for ældre på plejehjemmet")
    seen = {1: datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)}
    data = index_codec.dumps({"format": 7, "index": index, "seen": seen})
    assert b"pickle" not in data
    back = index_codec.loads(data)
    assert back["seen"] == seen and back["format"] == 7
    for query in ("børn", "drivhus", "skole", "strik"):
        assert [(m.id, round(m.score, 9)) for m in back["index"].search(query, k=3)] == \
            [(m.id, round(m.score, 9)) for m in index.search(query, k=3)]
    back["index"].update(6, "Cykelværksted")  # it keeps working after loading
    assert back["index"].search("cykel", k=1)[0].id == 6


def test_a_file_naming_another_class_is_refused():
    document = json.dumps({"$o": "Popen", "state": {}}).encode()
    buffer = io.BytesIO()
    np.savez(buffer, __doc__=np.frombuffer(document, dtype=np.uint8))
    with pytest.raises(KeyError):
        index_codec.loads(buffer.getvalue())


def test_object_arrays_are_never_read():
    buffer = io.BytesIO()
    np.savez(buffer, __doc__=np.frombuffer(b'{"$a": "a0"}', dtype=np.uint8), a0=np.array([object()], dtype=object))
    with pytest.raises(ValueError):
        index_codec.loads(buffer.getvalue())
