"""The strict pydantic base shared by every document herz validates (scenarios, sweep specs)."""

from __future__ import annotations

import math
import numbers
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from herz.errors import InputError

__all__ = ["StrictModel", "positive_int"]


def positive_int(name: str, value: Any, most: int | None = None) -> int:
    """``value`` as an ``int`` if it is a positive integer (a NumPy one too, never a bool) and
    at most ``most``; else one :class:`~herz.errors.InputError` sentence naming ``name``.

    The one check of a count argument (generations, turns, repetitions) that models share.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise InputError(
            f"{name} must be a positive integer, got {value!r}.", field=name, value=value
        )
    number = int(value)
    if most is not None and number > most:  # a run that would not end, or not fit in memory
        raise InputError(f"{name} must be at most {most}, got {value!r}.", field=name, value=value)
    return number


class StrictModel(BaseModel):
    """Unknown keys are errors, defaults are validated too, no float may be NaN or ±inf, and
    true/false is refused where the field does not take a boolean.

    ``populate_by_name`` lets fields with a YAML alias (``from`` → ``from_year``) be set by
    either name.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, data: Any) -> Any:
        # YAML's true/false would otherwise pass as 1/0 for a number (``steps: true``).
        if isinstance(data, dict):
            for key, value in data.items():
                field = cls.model_fields.get(key) if isinstance(key, str) else None
                if isinstance(value, bool) and field and not _accepts_bool(field.annotation):
                    expected = _expected(field.annotation)
                    raise ValueError(f"{key} must be {expected}, not {str(value).lower()}")
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _finite(cls, value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


def _expected(annotation: Any) -> str:
    """What a field that refused true/false takes, in words: "text", "a number", "a number or
    text" or "a mapping of fields" (the messages of :class:`StrictModel`)."""
    kinds = _kinds(annotation)
    if kinds == {"mapping"}:
        return "a mapping of fields"
    if "text" in kinds:
        return "a number or text" if "number" in kinds else "text"
    return "a number"


def _kinds(annotation: Any) -> set[str]:
    if annotation is str:
        return {"text"}
    if annotation in (int, float):
        return {"number"}
    if isinstance(annotation, type) and issubclass(annotation, (BaseModel, dict)):
        return {"mapping"}
    args = get_args(annotation)
    if args:
        out: set[str] = set()
        for a in args:
            out |= _kinds(a)
        return out or {"number"}
    return {"number"}


def _accepts_bool(annotation: Any) -> bool:
    """Whether a field's annotation admits a bool (``bool``, ``Any``, or a union with one)."""
    if annotation is bool or annotation is Any:
        return True
    return any(_accepts_bool(a) for a in get_args(annotation))
