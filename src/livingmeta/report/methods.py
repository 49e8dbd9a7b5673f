"""The methods paragraph, written from what the review actually ran, with its references.

Each sentence is added only when the result shows the method was used (a profile's
estimator, a conversion on some study, a diagnostic that ran), and cites the method's
source; the reference list holds exactly the works cited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from livingmeta.review.results import PooledEstimate, ReviewResult

__all__ = ["REFERENCES", "Methods", "methods_text"]

#: Full references, by the short citation used in the text.
REFERENCES: dict[str, str] = {
    "Baujat et al. 2002": "Baujat B, Mahé C, Pignon JP, Hill C. A graphical method for "
    "exploring heterogeneity in meta-analyses: application to a meta-analysis of 65 trials. "
    "Stat Med 2002;21(18):2641-2652.",
    "Begg & Mazumdar 1994": "Begg CB, Mazumdar M. Operating characteristics of a rank "
    "correlation test for publication bias. Biometrics 1994;50(4):1088-1101.",
    "Cochrane Handbook ch. 6": "Higgins JPT, Li T, Deeks JJ (eds). Chapter 6: Choosing "
    "effect measures and computing estimates of effect. In: Higgins JPT et al. (eds). "
    "Cochrane Handbook for Systematic Reviews of Interventions, version 6.5. Cochrane, 2024.",
    "Cochrane Handbook ch. 10": "Deeks JJ, Higgins JPT, Altman DG (eds). Chapter 10: "
    "Analysing data and undertaking meta-analyses. In: Cochrane Handbook for Systematic "
    "Reviews of Interventions, version 6.5. Cochrane, 2024.",
    "Cochrane Handbook ch. 23": "Higgins JPT, Eldridge S, Li T (eds). Chapter 23: Including "
    "variants on randomized trials. In: Cochrane Handbook for Systematic Reviews of "
    "Interventions, version 6.5. Cochrane, 2024.",
    "DerSimonian & Laird 1986": "DerSimonian R, Laird N. Meta-analysis in clinical trials. "
    "Control Clin Trials 1986;7(3):177-188.",
    "Duval & Tweedie 2000": "Duval S, Tweedie R. Trim and fill: a simple funnel-plot-based "
    "method of testing and adjusting for publication bias in meta-analysis. Biometrics "
    "2000;56(2):455-463.",
    "Egger et al. 1997": "Egger M, Davey Smith G, Schneider M, Minder C. Bias in "
    "meta-analysis detected by a simple, graphical test. BMJ 1997;315(7109):629-634.",
    "Elbourne et al. 2002": "Elbourne DR, Altman DG, Higgins JPT, Curtin F, Worthington HV, "
    "Vail A. Meta-analyses involving cross-over trials: methodological issues. Int J "
    "Epidemiol 2002;31(1):140-149.",
    "Hartung & Knapp 2001": "Hartung J, Knapp G. A refined method for the meta-analysis of "
    "controlled clinical trials with binary outcome. Stat Med 2001;20(24):3875-3889.",
    "Hedges 1981": "Hedges LV. Distribution theory for Glass's estimator of effect size and "
    "related estimators. J Educ Stat 1981;6(2):107-128.",
    "Higgins & Thompson 2002": "Higgins JPT, Thompson SG. Quantifying heterogeneity in a "
    "meta-analysis. Stat Med 2002;21(11):1539-1558.",
    "Knapp & Hartung 2003": "Knapp G, Hartung J. Improved tests for a random effects "
    "meta-regression with a single covariate. Stat Med 2003;22(17):2693-2710.",
    "Lau et al. 1992": "Lau J, Antman EM, Jimenez-Silva J, Kupelnick B, Mosteller F, "
    "Chalmers TC. Cumulative meta-analysis of therapeutic trials for myocardial infarction. "
    "N Engl J Med 1992;327(4):248-254.",
    "Mantel & Haenszel 1959": "Mantel N, Haenszel W. Statistical aspects of the analysis of "
    "data from retrospective studies of disease. J Natl Cancer Inst 1959;22(4):719-748.",
    "Peters et al. 2008": "Peters JL, Sutton AJ, Jones DR, Abrams KR, Rushton L. "
    "Contour-enhanced meta-analysis funnel plots help distinguish publication bias from "
    "other causes of asymmetry. J Clin Epidemiol 2008;61(10):991-996.",
    "Riley et al. 2011": "Riley RD, Higgins JPT, Deeks JJ. Interpretation of random effects "
    "meta-analyses. BMJ 2011;342:d549.",
    "Röver et al. 2015": "Röver C, Knapp G, Friede T. Hartung-Knapp-Sidik-Jonkman approach "
    "and its modification for random-effects meta-analysis with few studies. BMC Med Res "
    "Methodol 2015;15:99.",
    "Sterne et al. 2011": "Sterne JAC, Sutton AJ, Ioannidis JPA, et al. Recommendations for "
    "examining and interpreting funnel plot asymmetry in meta-analyses of randomised "
    "controlled trials. BMJ 2011;343:d4002.",
    "Viechtbauer 2005": "Viechtbauer W. Bias and efficiency of meta-analytic variance "
    "estimators in the random-effects model. J Educ Behav Stat 2005;30(3):261-293.",
    "Viechtbauer 2007": "Viechtbauer W. Confidence intervals for the amount of heterogeneity "
    "in meta-analysis. Stat Med 2007;26(1):37-52.",
    "Viechtbauer & Cheung 2010": "Viechtbauer W, Cheung MWL. Outlier and influence "
    "diagnostics for meta-analysis. Res Synth Methods 2010;1(2):112-125.",
}

_ESTIMATORS = {
    "DL": ("the DerSimonian-Laird estimator", ("DerSimonian & Laird 1986",)),
    "REML": ("restricted maximum likelihood (REML)", ("Viechtbauer 2005",)),
}
_CONVERSIONS = {
    "escalc": ("effect sizes computed from arm-level data (Hedges' g bias-corrected "
               "standardized mean differences; log risk and odds ratios)",
               ("Hedges 1981", "Cochrane Handbook ch. 6")),
    "md_from_estimate": ("mean differences taken from reported contrasts, with standard "
                         "errors from their confidence intervals or p-values",
                         ("Cochrane Handbook ch. 6",)),
    "smd_from_md": ("standardized mean differences (Hedges' g) from reported mean "
                    "differences and their standard errors", ("Hedges 1981",
                                                             "Cochrane Handbook ch. 6")),
    "smd_from_d": ("reported Cohen's d converted to Hedges' g", ("Hedges 1981",)),
    "smd_from_parallel_p": ("standardized mean differences from p-values of parallel-group "
                            "comparisons", ("Cochrane Handbook ch. 6",)),
    "smd_from_paired_t": ("cross-over trials entered as paired analyses, the SMD obtained "
                          "from the paired t statistic with an assumed within-person "
                          "correlation", ("Elbourne et al. 2002", "Cochrane Handbook ch. 23")),
}


@dataclass(frozen=True, slots=True)
class Methods:
    """The methods paragraphs and the works they cite, in order of first citation."""

    paragraphs: tuple[str, ...]
    references: tuple[str, ...]


def _cite(keys: Iterable[str], cited: list[str]) -> str:
    keys = list(keys)
    for key in keys:
        if key not in cited:
            cited.append(key)
    return f" ({'; '.join(keys)})" if keys else ""


def _estimates(result: ReviewResult) -> list[PooledEstimate]:
    out = []
    for o in result.outcomes:
        for m in o.measures:
            out += list(m.profiles)
            out += [s.estimate for s in m.sensitivity if s.estimate is not None]
    return out


def _test(test: str, cited: list[str]) -> str:
    if test == "knha":
        return ("the Hartung-Knapp(-Sidik-Jonkman) confidence interval and test, on t with "
                "k − 1 degrees of freedom"
                + _cite(("Hartung & Knapp 2001", "Knapp & Hartung 2003"), cited))
    if test == "adhoc":
        return ("the modified (ad hoc) Hartung-Knapp confidence interval and test, never "
                "narrower than the z interval"
                + _cite(("Knapp & Hartung 2003", "Röver et al. 2015"), cited))
    return "Wald-type (z) confidence intervals and tests" if test == "z" else f"{test} tests"


def _pooling(result: ReviewResult, cited: list[str]) -> str:
    estimates = _estimates(result)
    primary = result.provenance.profile
    parts = []
    method = str(primary.get("method", ""))
    name, refs = _ESTIMATORS.get(method, (f"the {method} estimator", ()))
    parts.append(f"The primary analysis used the '{result.profile}' profile: a random-effects "
                 f"model with between-study variance (tau²) estimated by {name}"
                 f"{_cite(refs, cited)}, and {_test(str(primary.get('test')), cited)}.")
    others = sorted({p.profile for p in estimates} - {result.profile})
    if others:
        descr = []
        for name_ in others:
            s = next(p.settings for p in estimates if p.profile == name_)
            est_name, est_refs = _ESTIMATORS.get(str(s["method"]), (str(s["method"]), ()))
            d = f"'{name_}': {est_name}{_cite(est_refs, cited)} with {_test(s['test'], cited)}"
            if s.get("binary_method") == "MH":
                d += ", Mantel-Haenszel for binary outcomes"
            descr.append(d)
        parts.append("The primary result was re-estimated under the other method profiles "
                     "the review names, to show how the answer depends on these choices ("
                     + "; ".join(descr) + ").")
    if any(p.settings.get("model") == "MH" for p in estimates):
        parts.append("Binary outcomes pooled by Mantel-Haenszel used the common-effect "
                     "Mantel-Haenszel estimator on the 2×2 counts"
                     + _cite(("Mantel & Haenszel 1959",), cited) + ".")
    if any(p.settings.get("tau2_ci") for p in estimates):
        parts.append("Confidence intervals for tau² were obtained by the Q-profile method"
                     + _cite(("Viechtbauer 2007",), cited) + ".")
    parts.append("Heterogeneity is described by Cochran's Q, tau² and I²"
                 + _cite(("Higgins & Thompson 2002",), cited) + ".")
    if any(p.settings.get("prediction_interval") for p in estimates):
        parts.append("Prediction intervals give the range in which the true effect of a "
                     "new, similar study may lie" + _cite(("Riley et al. 2011",), cited) + ".")
    return " ".join(parts)


def _effects(result: ReviewResult, cited: list[str]) -> str:
    used = {e.conversion for e in result.provenance_rows()}
    parts = [f"{text}{_cite(refs, cited)}" for kind, (text, refs) in _CONVERSIONS.items()
             if kind in used]
    if not parts:
        return ""
    ri = sorted({e.ri for e in result.provenance_rows() if e.ri is not None})
    text = "Effect sizes: " + "; ".join(parts) + "."
    if ri:
        text += (" The within-person correlation assumed for cross-over trials was "
                 + ", ".join(f"{r:g}" for r in ri) + " in the primary analysis.")
    return text + " Every conversion and assumption is listed per study in the provenance table."


def _analyses(result: ReviewResult, cited: list[str]) -> str:
    main = [m for o in result.outcomes for m in o.measures if m.diagnostics or m.sensitivity]
    kinds = {s.kind for m in main for s in m.sensitivity}
    parts = []
    labels = {"vary-ri": "varying the assumed within-person correlation of cross-over trials",
              "exclude-derived": "excluding studies resting on derived numbers",
              "include-sensitivity-only": "adding studies eligible only for sensitivity "
                                          "analyses",
              "common-effect": "a common-effect (inverse-variance) model"}
    if kinds:
        parts.append("Sensitivity analyses: " + "; ".join(labels.get(k, k) for k in
                                                         sorted(kinds)) + ".")
    if any(m.subgroups for m in main):
        parts.append("Subgroups were compared with the test for subgroup differences "
                     "(random effects within subgroups, separate tau²)"
                     + _cite(("Cochrane Handbook ch. 10",), cited) + ".")

    def ran(name: str) -> bool:
        return any((d := m.diagnostic(name)) is not None and d.result is not None
                   for m in main)

    if ran("cumulative"):
        parts.append("A cumulative meta-analysis added studies in order of publication year"
                     + _cite(("Lau et al. 1992",), cited) + ".")
    if ran("leave_one_out") or ran("influence"):
        parts.append("Leave-one-out analyses and influence diagnostics (studentized "
                     "residuals, DFFITS, Cook's distances, covariance ratios, hat values)"
                     + _cite(("Viechtbauer & Cheung 2010",), cited) + " were computed")
        if ran("baujat"):
            parts[-1] += (", with a Baujat plot" + _cite(("Baujat et al. 2002",), cited))
        parts[-1] += "."
    bias = []
    if ran("regtest"):
        bias.append("Egger's regression test" + _cite(("Egger et al. 1997",), cited))
    if ran("ranktest"):
        bias.append("Begg's rank correlation test" + _cite(("Begg & Mazumdar 1994",), cited))
    if ran("trimfill"):
        bias.append("trim-and-fill" + _cite(("Duval & Tweedie 2000",), cited))
    if bias:
        parts.append("Small-study effects were examined with a contour-enhanced funnel plot"
                     + _cite(("Peters et al. 2008",), cited) + ", " + ", ".join(bias)
                     + "; these are reported as uninformative with fewer than 10 studies"
                     + _cite(("Sterne et al. 2011",), cited) + ".")
    return " ".join(parts)


def methods_text(result: ReviewResult) -> Methods:
    """The methods paragraphs of the report, with the references they cite."""
    cited: list[str] = []
    level = next((m.primary.level for o in result.outcomes for m in o.measures
                  if m.primary is not None), 0.95)
    paragraphs = [
        f"Data were taken from the public record as of {result.provenance.data_date} "
        f"(review version {result.provenance.review_version}). "
        + _effects(result, cited),
        _pooling(result, cited) + f" Intervals are {100 * level:g}%.",
        _analyses(result, cited),
        f"All analyses were run with livingmeta {result.provenance.package_version}.",
    ]
    return Methods(tuple(p.strip() for p in paragraphs if p.strip()),
                   tuple(REFERENCES[k] for k in cited))
