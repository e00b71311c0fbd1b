"""The strict pydantic base shared by every document herz validates (scenarios, sweep specs)."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

__all__ = ["StrictModel"]


class StrictModel(BaseModel):
    """Unknown keys are errors, defaults are validated too, and no float may be NaN or ±inf.

    ``populate_by_name`` lets fields with a YAML alias (``from`` → ``from_year``) be set by
    either name.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_default=True)

    @field_validator("*", mode="after")
    @classmethod
    def _finite(cls, value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value
