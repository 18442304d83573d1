"""A safe file format for the matching indexes: JSON for the structure and numpy arrays for the numbers,
in one `.npz` file (numpy's zip of arrays, read with `allow_pickle=False`).

Unlike pickle, reading a file can only build the few classes named in `CLASSES` (through their own
`__setstate__` or their attributes), plain containers, numbers, strings, numpy arrays and scipy CSR
matrices, so a file from anywhere (another host, Redis, the database) cannot run code.
"""
from __future__ import annotations

import dataclasses
import io
import json
from datetime import datetime

import numpy as np
import scipy.sparse as sp

from matching.analysis import Analyzer
from matching.index import TextIndex, _State
from matching.params import Params

CLASSES = {"TextIndex": TextIndex, "State": _State, "Analyzer": Analyzer, "Params": Params}
_NAMES = {cls: name for name, cls in CLASSES.items()}


def dumps(value) -> bytes:
    arrays: dict[str, np.ndarray] = {}

    def array(a: np.ndarray) -> dict:
        if a.dtype == object:
            raise TypeError("object arrays are not stored")
        key = f"a{len(arrays)}"
        arrays[key] = a
        return {"$a": key}

    def enc(v):
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, datetime):
            return {"$dt": v.isoformat()}
        if isinstance(v, (int, np.integer)):
            return int(v)
        if isinstance(v, (float, np.floating)):
            return {"$f": repr(float(v))}  # exact, and NaN/inf survive JSON
        if isinstance(v, np.ndarray):
            return array(v)
        if sp.issparse(v):
            m = sp.csr_matrix(v)
            return {"$csr": [array(m.data), array(m.indices), array(m.indptr), list(m.shape)]}
        if isinstance(v, tuple):
            return {"$t": [enc(x) for x in v]}
        if isinstance(v, list):
            return [enc(x) for x in v]
        if isinstance(v, (set, frozenset)):
            return {"$s": sorted((enc(x) for x in v), key=json.dumps), "frozen": isinstance(v, frozenset)}
        if isinstance(v, dict):
            return {"$d": [[enc(k), enc(x)] for k, x in v.items()]}
        name = _NAMES.get(type(v))
        if name == "Params":
            return {"$o": name, "state": {f.name: enc(getattr(v, f.name)) for f in dataclasses.fields(v)}}
        if name is not None:
            state = v.__getstate__() if hasattr(v, "__getstate__") else v.__dict__
            return {"$o": name, "state": enc(dict(state))}
        raise TypeError(f"cannot store a {type(v).__name__}")

    document = json.dumps(enc(value)).encode()
    buffer = io.BytesIO()
    np.savez(buffer, __doc__=np.frombuffer(document, dtype=np.uint8), **arrays)
    return buffer.getvalue()


def loads(data: bytes):
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    document = json.loads(arrays.pop("__doc__").tobytes().decode())

    def dec(v):
        if isinstance(v, list):
            return [dec(x) for x in v]
        if not isinstance(v, dict):
            return v
        if "$f" in v:
            return float(v["$f"])
        if "$dt" in v:
            return datetime.fromisoformat(v["$dt"])
        if "$a" in v:
            return arrays[v["$a"]]
        if "$csr" in v:
            data_, indices, indptr, shape = v["$csr"]
            return sp.csr_matrix((dec(data_), dec(indices), dec(indptr)), shape=tuple(shape))
        if "$t" in v:
            return tuple(dec(x) for x in v["$t"])
        if "$s" in v:
            items = [dec(x) for x in v["$s"]]
            return frozenset(items) if v.get("frozen") else set(items)
        if "$d" in v:
            return {_key(dec(k)): dec(x) for k, x in v["$d"]}
        if "$o" in v:
            cls = CLASSES[v["$o"]]  # KeyError for anything else: refused
            if cls is Params:
                return Params(**{k: dec(x) for k, x in v["state"].items()})
            obj = cls.__new__(cls)
            state = dec(v["state"])
            if hasattr(obj, "__setstate__") and cls is not _State:
                obj.__setstate__(state)
            else:
                obj.__dict__.update(state)
            return obj
        raise ValueError("unknown entry in a stored index")

    return dec(document)


def _key(k):
    return tuple(_key(x) for x in k) if isinstance(k, list) else k
