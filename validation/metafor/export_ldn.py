"""Write the LDN review's effect sizes as CSV inputs for generate_ldn.R.

The LDN review's yi/vi come from livingmeta's own conversions (contrast-level data:
CIs, p-values, reported d); metafor is then asked to pool exactly those numbers under
each method profile, so the pinned values check the pooling the report shows.
tests/reference/test_metafor_ldn.py checks that these CSVs still equal what the review
computes, so the fixture cannot silently drift from the review.

    .venv/bin/python validation/metafor/export_ldn.py && Rscript validation/metafor/generate_ldn.R
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

from livingmeta.review import embedded_review_path, load_review, run_review

DATA = Path(__file__).resolve().parent / "data"


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_review(load_review(embedded_review_path()))
    for outcome in result.outcomes:
        for measure in outcome.measures:
            if not measure.pooled:
                continue
            rows = [e for e in measure.effects if e.study in measure.analysed]
            path = DATA / f"ldn_{outcome.outcome.id}_{measure.measure}.csv"
            counts = ("ai", "bi", "ci", "di")
            binary = measure.measure in ("RR", "OR")  # arm counts, for Mantel-Haenszel
            with path.open("w", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["study", "yi", "vi", *(counts if binary else ())])
                for e in rows:
                    cells = [e.study, repr(float(e.yi)), repr(float(e.vi))]
                    if binary:
                        ai, ci = e.inputs["ai"], e.inputs["ci"]
                        bi = e.inputs.get("bi", e.inputs["n1i"] - ai)
                        di = e.inputs.get("di", e.inputs["n2i"] - ci)
                        cells += [f"{ai:g}", f"{bi:g}", f"{ci:g}", f"{di:g}"]
                    writer.writerow(cells)
            print(f"wrote {path.name}: {len(rows)} studies")


if __name__ == "__main__":
    main()
