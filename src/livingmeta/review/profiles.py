"""Method profiles: named sets of pooling choices, so one review can be re-run the way
others ran theirs.

A profile fixes the tau2 estimator, the test for the pooled effect, how binary outcomes
are pooled, whether a Q-profile interval for tau2 is reported and whether a prediction
interval is shown. Every pooled result records the profile's name and settings.

=================  ======  ======  ===============  ============  ==========
profile            tau2    test    binary outcomes  tau2 CI       prediction
=================  ======  ======  ===============  ============  ==========
``revman5``        DL      z       Mantel-Haenszel  none          no
``metafor``        REML    z       inverse variance Q-profile     yes
``cochrane-2025``  REML    knha    inverse variance Q-profile     yes
``mkh``            REML    adhoc   inverse variance Q-profile     yes
=================  ======  ======  ===============  ============  ==========

``mkh`` is the modified Knapp-Hartung method (scale factor truncated at 1), recommended
for few studies of unequal precision (Röver, Knapp & Friede 2015, BMC Med Res Methodol
15:99): unlike ``cochrane-2025`` its interval is never narrower than the z interval,
which matters when heterogeneity is estimated near zero with k = 2 or 3.

References
----------
DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Control Clin Trials
7:177-188. Review Manager (RevMan) 5.4 statistical methods (The Cochrane Collaboration).
Viechtbauer W (2010). J Stat Softw 36(3): ``rma()`` defaults (REML, z).
Higgins JPT et al. (eds). Cochrane Handbook for Systematic Reviews of Interventions,
version 6.5 (2024), section 10.10.4: REML, Hartung-Knapp-Sidik-Jonkman confidence
intervals, prediction intervals; Viechtbauer W (2007) Stat Med 26:37-52 (Q-profile).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from livingmeta.errors import check_choice

__all__ = ["PROFILES", "MethodProfile", "get_profile"]


@dataclass(frozen=True, slots=True)
class MethodProfile:
    """A named set of pooling choices.

    Attributes
    ----------
    name : str
        Registry key (``"revman5"``).
    description : str
        One line for tables and methods paragraphs.
    method : str
        tau2 estimator code as metafor spells it (``"DL"``, ``"REML"``) for the
        random-effects model of continuous (and, unless ``binary_method="MH"``, binary)
        outcomes.
    test : {"z", "knha", "adhoc"}
        Test and confidence interval of the pooled effect.
    binary_method : {"MH", "IV"}
        ``"MH"``: 2x2 tables pooled by Mantel-Haenszel (common effect, as RevMan 5's
        "M-H" default); ``"IV"``: inverse-variance random effects with ``method``.
    tau2_ci : bool
        Report the Q-profile confidence interval for tau2.
    prediction_interval : bool
        Report the prediction interval.
    references : tuple of str
        Where the choices come from.
    """

    name: str
    description: str
    method: str
    test: str
    binary_method: str
    tau2_ci: bool
    prediction_interval: bool
    references: tuple[str, ...] = ()

    def settings(self) -> dict[str, Any]:
        """The choices as a JSON-safe dictionary (recorded on every result)."""
        return {"name": self.name, "method": self.method, "test": self.test,
                "binary_method": self.binary_method, "tau2_ci": self.tau2_ci,
                "prediction_interval": self.prediction_interval}


#: Every profile, by name.
PROFILES: dict[str, MethodProfile] = {
    "revman5": MethodProfile(
        name="revman5",
        description="RevMan 5: DerSimonian-Laird random effects, z test, "
                    "Mantel-Haenszel for binary outcomes",
        method="DL", test="z", binary_method="MH", tau2_ci=False,
        prediction_interval=False,
        references=("DerSimonian & Laird 1986", "Review Manager 5.4 statistical methods"),
    ),
    "metafor": MethodProfile(
        name="metafor",
        description="metafor rma() defaults: REML random effects, z test",
        method="REML", test="z", binary_method="IV", tau2_ci=True,
        prediction_interval=True,
        references=("Viechtbauer 2010, J Stat Softw 36(3)",),
    ),
    "cochrane-2025": MethodProfile(
        name="cochrane-2025",
        description="Cochrane Handbook 6.5: REML, Hartung-Knapp-Sidik-Jonkman test, "
                    "Q-profile tau2 CI, prediction interval",
        method="REML", test="knha", binary_method="IV", tau2_ci=True,
        prediction_interval=True,
        references=("Cochrane Handbook v6.5 (2024), 10.10.4", "Hartung & Knapp 2001",
                    "Viechtbauer 2007 (Q-profile)", "Riley et al. 2011 (prediction)"),
    ),
    "mkh": MethodProfile(
        name="mkh",
        description="REML with the modified (ad hoc) Knapp-Hartung test, never narrower "
                    "than z; Q-profile tau2 CI, prediction interval",
        method="REML", test="adhoc", binary_method="IV", tau2_ci=True,
        prediction_interval=True,
        references=("Knapp & Hartung 2003", "Röver, Knapp & Friede 2015",
                    "Viechtbauer 2007 (Q-profile)", "Riley et al. 2011 (prediction)"),
    ),
}


def get_profile(name: str) -> MethodProfile:
    """The profile registered under ``name``.

    >>> get_profile("revman5").method
    'DL'
    """
    check_choice("profile", name, PROFILES)
    return PROFILES[name]
