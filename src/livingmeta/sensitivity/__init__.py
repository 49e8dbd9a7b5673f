"""Sensitivity analyses that refit a model on altered data (leave-one-out, ...)."""

from livingmeta.sensitivity.leave_one_out import LeaveOneOutResult, leave_one_out

__all__ = ["LeaveOneOutResult", "leave_one_out"]

# Influence diagnostics (appended; keep __all__ sorted as ruff's RUF022 orders it).
from livingmeta.sensitivity.baujat import BaujatResult, baujat
from livingmeta.sensitivity.influence import InfluenceResult, influence

__all__ = ["BaujatResult", "InfluenceResult", "LeaveOneOutResult", "baujat", "influence",
           "leave_one_out"]
