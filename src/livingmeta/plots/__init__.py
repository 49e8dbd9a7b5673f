"""Publication plots as Display objects (STYLE.md convention 12).

Each plot is a frozen dataclass holding its computed rows and coordinates, built by
classmethods (``from_result``, ``from_arrays``, ...); ``plot(ax=None)`` draws it on a
matplotlib figure (no pyplot, no display needed) and returns a :class:`DrawnPlot`, whose
``savefig(path)`` writes SVG, PNG or PDF according to the extension.

- :class:`ForestPlot`: studies, subgroup subtotals, pooled diamond, prediction interval,
  heterogeneity lines; cumulative forest plots;
- :class:`BayesPosteriorPlot`: posterior densities of a Bayesian meta-analysis;
- :class:`FunnelPlot`: funnel plot with contour-enhanced significance regions and
  trim-and-fill studies;
- :class:`BaujatPlot`: contribution to heterogeneity against influence;
- :class:`GoshPlot`: GOSH plot, the density of pooled estimate against I2 over the
  subsets of the studies, with marginal histograms;
- :class:`LabbePlot`: L'Abbé plot of treatment against control risks;
- :class:`SynthesesPlot`: published syntheses by date beside the living estimate;
- :class:`TSAPlot`: trial sequential analysis (Z-curve, monitoring and futility
  boundaries, required information size);
- :class:`SimulationPlot`: coverage (or another performance measure) of a simulation
  study by k and tau2, with Monte Carlo error bars;
- :class:`TrafficLightPlot`, :class:`RobSummaryPlot`: risk of bias per study and domain,
  and the share of weight at each judgment; :func:`rob_columns` gives the forest plot's
  RoB columns.
"""

from livingmeta.plots._style import DrawnPlot, MeasureScale, measure_scale
from livingmeta.plots.baujat import BaujatPlot
from livingmeta.plots.bayes import BayesPosteriorPlot
from livingmeta.plots.forest import ForestColumn, ForestPlot, ForestRow
from livingmeta.plots.funnel import ContourBand, FunnelPlot
from livingmeta.plots.gosh import GoshPlot
from livingmeta.plots.labbe import LabbePlot
from livingmeta.plots.prisma import PrismaBox, PrismaDiagram
from livingmeta.plots.rob import JUDGMENT_STYLES, RobSummaryPlot, TrafficLightPlot, rob_columns
from livingmeta.plots.simulation import SimulationPanel, SimulationPlot, SimulationSeries
from livingmeta.plots.syntheses import SynthesesPlot, SynthesisRow
from livingmeta.plots.tsa import TSAPlot

__all__ = [
    "JUDGMENT_STYLES",
    "BaujatPlot",
    "BayesPosteriorPlot",
    "ContourBand",
    "DrawnPlot",
    "ForestColumn",
    "ForestPlot",
    "ForestRow",
    "FunnelPlot",
    "GoshPlot",
    "LabbePlot",
    "MeasureScale",
    "PrismaBox",
    "PrismaDiagram",
    "RobSummaryPlot",
    "SimulationPanel",
    "SimulationPlot",
    "SimulationSeries",
    "SynthesesPlot",
    "SynthesisRow",
    "TSAPlot",
    "TrafficLightPlot",
    "measure_scale",
    "rob_columns",
]
