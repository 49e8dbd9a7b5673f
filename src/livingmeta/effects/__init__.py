"""Effect sizes: ``escalc`` and its result, :class:`EffectSizes`.

The first statistical layer (STYLE.md): study tables in, ``yi`` and ``vi`` out, with
the provenance of every conversion recorded per study in ``EffectSizes.notes``.
Results agree with metafor 3.8.1's ``escalc`` defaults.
"""

from livingmeta.effects._result import EffectSizes
from livingmeta.effects.continuous import hedges_correction
from livingmeta.effects.escalc import MEASURES, escalc
from livingmeta.effects.medians import MEDIAN_COLUMNS

__all__ = ["MEASURES", "MEDIAN_COLUMNS", "EffectSizes", "escalc", "hedges_correction"]
