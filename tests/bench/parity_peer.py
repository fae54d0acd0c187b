#!/usr/bin/env python3
"""The peer of parity_bench pairs: the same work in Python with json and
hashlib -- parse each entity, write it canonically (sorted keys, no spaces,
integral floats as integers, times in UTC), hash it, keep (id, hash), compare.
usage: parity_peer.py LEFT RIGHT"""
import datetime
import hashlib
import json
import re
import sys

TIME = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def canon(v):
    if isinstance(v, dict):
        return {k: canon(v[k]) for k in v}
    if isinstance(v, list):
        return [canon(x) for x in v]
    if isinstance(v, float) and v.is_integer() and abs(v) < 2 ** 53:
        return int(v)
    if isinstance(v, str) and TIME.match(v):
        t = datetime.datetime.fromisoformat(v.replace("Z", "+00:00").replace(" ", "T"))
        t = t.astimezone(datetime.timezone.utc)
        s = t.strftime("%Y-%m-%dT%H:%M:%S")
        if t.microsecond:
            s += ("." + "%06d" % t.microsecond).rstrip("0")
        return s + "Z"
    return v


def side(path):
    out = {}
    with open(path, "rb") as f:
        for line in f:
            doc = json.loads(line)
            text = json.dumps(canon(doc), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            out[doc["id"]] = hashlib.sha256(text.encode()).digest()
    return out


def main():
    a, b = side(sys.argv[1]), side(sys.argv[2])
    differ = sum(1 for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    print("differ", differ)


if __name__ == "__main__":
    main()
