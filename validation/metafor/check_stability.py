"""Compare two fixture directories number by number (the stability check in README.md).

    LIVINGMETA_FIXTURE_DIR=/tmp/fx15 LIVINGMETA_THRESHOLD=1e-15 LIVINGMETA_TOL=1e-15 \
        Rscript validation/metafor/generate.R
    python validation/metafor/check_stability.py validation/metafor/fixtures /tmp/fx15

Prints, per fixture file and per field, the largest relative difference
|a - b| / max(|a|, 1e-300) over all cases (absolute differences below 1e-14 are ignored),
and which case it came from.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ABS_FLOOR = 1e-14
SKIP = {"date", "control", "r_call", "stepadj"}


def leaves(obj, path=()):
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key not in SKIP:
                yield from leaves(value, (*path, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from leaves(value, (*path, i))
    else:
        yield path, obj


def field_of(path):
    return ".".join(str(p) for p in path if not isinstance(p, int) and p != "cases")


def main(left: str, right: str) -> int:
    worst_overall = 0.0
    for file_a in sorted(Path(left).glob("*.json")):
        file_b = Path(right) / file_a.name
        a = json.loads(file_a.read_text())
        b = json.loads(file_b.read_text())
        ids_a = [c["id"] for c in a.get("cases", [])]
        ids_b = [c["id"] for c in b.get("cases", [])]
        if ids_a != ids_b:
            print(f"{file_a.name}: case ids differ")
            return 1
        worst: dict[str, tuple[float, str]] = {}
        for case_a, case_b in zip(a.get("cases", []), b.get("cases", []), strict=True):
            la, lb = dict(leaves(case_a)), dict(leaves(case_b))
            if la.keys() != lb.keys():
                print(f"{file_a.name} {case_a['id']}: structure differs")
                return 1
            for path, va in la.items():
                vb = lb[path]
                if isinstance(va, bool) or not isinstance(va, int | float):
                    if va != vb and not (va is None and vb is None):
                        if not (isinstance(vb, int | float) and isinstance(va, int | float)):
                            print(f"{file_a.name} {case_a['id']} {path}: {va!r} != {vb!r}")
                    continue
                if vb is None:
                    print(f"{file_a.name} {case_a['id']} {path}: {va!r} != None")
                    continue
                diff = abs(va - vb)
                rel = 0.0 if diff < ABS_FLOOR else diff / max(abs(va), 1e-300)
                key = field_of(path)
                if rel > worst.get(key, (0.0, ""))[0]:
                    worst[key] = (rel, case_a["id"])
        for key, (rel, cid) in sorted(worst.items(), key=lambda kv: -kv[1][0]):
            if rel > 0:
                print(f"{file_a.name:18s} {key:28s} max rel diff {rel:.2e}  ({cid})")
        if worst:
            worst_overall = max(worst_overall, max(v[0] for v in worst.values()))
    print(f"overall max relative difference: {worst_overall:.2e}")
    return 0 if math.isfinite(worst_overall) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
