"""Sensitivity analyses that refit a model on altered data (leave-one-out, ...)."""

from livingmeta.sensitivity.leave_one_out import LeaveOneOutResult, leave_one_out

__all__ = ["LeaveOneOutResult", "leave_one_out"]
