"""Priors of a calibration: uniform ranges over a model's override paths.

Kept apart from the methods (:mod:`herz.calibration.abc`, :mod:`herz.calibration.rejection`)
so that each can use them without importing the other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from herz.errors import InputError

__all__ = ["Prior"]


@dataclass(frozen=True)
class Prior:
    """A uniform prior on ``[low, high]`` for one parameter (an override path)."""

    low: float
    high: float
    source: str = "ours"

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise InputError(
                f"prior: expected low < high, both finite, got {self.low}:{self.high}",
                field="prior",
                value=f"{self.low}:{self.high}",
            )

    @property
    def width90(self) -> float:
        """Width of the central 90% interval."""
        return 0.9 * (self.high - self.low)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"kind": "uniform", "low": self.low, "high": self.high, "source": self.source}
