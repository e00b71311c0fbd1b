"""Sweep specs: the YAML format, its validation, and the points of a design.

See :mod:`herz.experiment` for the promises every sweep keeps.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from herz._validation import StrictModel
from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
#: spawn_key of the stream that scrambles sampled designs (ASCII "design"); run streams use
#: two-element keys (point, run), so the two never meet.
_DESIGN_KEY = 0x64657369676E
#: Largest root seed (seeds are stored as signed 64-bit integers).
_MAX_SEED = 2**63 - 1
#: Most parameter points a sweep may have. The design is built in memory (a table of one row
#: per point, the points table written when the sweep is created), and each grid value is
#: validated once beforehand: a million points take a few hundred MB and seconds to prepare,
#: while a grid whose product of levels is 10^12 ran out of memory after minutes. Beyond it,
#: split the sweep, or sample the space (lhs, sobol) instead of gridding it.
MAX_POINTS = 1_000_000

Scalar = bool | int | float | str
DesignKind = Literal["grid", "lhs", "sobol", "saltelli"]


# -- the spec ---------------------------------------------------------------------------------
class _Spec(StrictModel):
    """A part of a sweep spec: :class:`StrictModel` (unknown keys are errors), and strict
    types besides: a number in quotes (``runs: "100"``, ``start: "0"``) is refused, not read
    as the number, nor a float taken for an integer (``runs: 2.5``): a spec says what it means
    or is refused, as a scientific record should."""

    model_config = ConfigDict(strict=True)


class RangeSpec(_Spec):
    """Evenly spaced values from ``start`` to ``stop`` inclusive: ``num`` of them, or every
    ``step``."""

    start: float
    stop: float
    num: int | None = Field(default=None, ge=0, le=1_000_000)
    step: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.num is None) == (self.step is None):
            raise ValueError("give exactly one of 'num' and 'step'")
        return self

    def values(self) -> list[float]:
        """The grid values (floats, rounded to 12 significant digits to drop binary noise)."""
        import numpy as np

        raw: Any
        if self.num is not None:
            raw = np.linspace(self.start, self.stop, self.num)
        else:
            assert self.step is not None
            count = math.floor((self.stop - self.start) / self.step + 1e-9) + 1
            raw = self.start + self.step * np.arange(max(count, 0))
        return [float(f"{v:.12g}") for v in raw]


class ParameterSpec(_Spec):
    """One varied parameter: ``values`` or ``range`` for grids, ``low``/``high`` for samples."""

    values: list[Scalar] | None = None
    range: RangeSpec | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False

    @model_validator(mode="after")
    def _shape(self) -> Self:
        grid = self.values is not None or self.range is not None
        sampled = self.low is not None or self.high is not None
        if self.values is not None and self.range is not None:
            raise ValueError("give either 'values' or 'range', not both")
        if grid and sampled:
            raise ValueError("give grid values ('values' or 'range') or bounds ('low', 'high')")
        if not grid and not sampled:
            raise ValueError("give 'values', 'range', or 'low' and 'high'")
        if sampled:
            if self.low is None or self.high is None:
                raise ValueError("give both 'low' and 'high'")
            if not self.low < self.high:
                raise ValueError(f"'low' ({self.low:g}) must be below 'high' ({self.high:g})")
        return self

    @property
    def sampled(self) -> bool:
        """Whether this parameter has bounds (for sampled designs) rather than grid values."""
        return self.low is not None

    def grid(self) -> list[Scalar]:
        """The grid values (empty when none were given)."""
        if self.values is not None:
            return list(self.values)
        if self.range is not None:
            vals: list[Scalar] = list(self.range.values())
            if self.integer:
                vals = [round(float(v)) for v in vals]
            return vals
        return []


class DesignSpec(_Spec):
    """How points are laid out: a full grid, or ``samples`` drawn by a sampled design."""

    kind: DesignKind = "grid"
    samples: int | None = Field(default=None, ge=1, le=10_000_000)
    scramble: bool = True


class SweepSpec(_Spec):
    """A validated sweep spec (see the module docstring for the layout)."""

    name: str = Field(pattern=_NAME_PATTERN)
    description: str = ""
    scenario: str = Field(min_length=1)
    model: str = "richardson"
    options: dict[str, Any] = Field(default_factory=dict)
    overrides: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, ParameterSpec]
    design: DesignSpec = Field(default_factory=DesignSpec)
    runs: int = Field(le=1_000_000_000)
    steps: int | None = Field(default=None, le=100_000)
    seed: int | None = Field(default=None, ge=0, le=_MAX_SEED)
    keep: Literal["summary", "series"] = "summary"
    chunk: int | None = Field(default=None, le=10_000_000)

    @field_validator("runs")
    @classmethod
    def _runs(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("runs per point must be a positive integer")
        return value

    @field_validator("steps", "chunk")
    @classmethod
    def _positive(cls, value: int | None) -> int | None:
        if value is not None and value <= 0:
            raise ValueError("must be a positive integer")
        return value

    @field_validator("parameters")
    @classmethod
    def _some(cls, value: dict[str, ParameterSpec]) -> dict[str, ParameterSpec]:
        if not value:
            raise ValueError("list at least one parameter to vary")
        return value

    @model_validator(mode="after")
    def _design_fits(self) -> Self:
        kind = self.design.kind
        if kind == "grid" and self.design.samples is not None:
            raise _SpecFieldError(
                "design.samples",
                self.design.samples,
                "a grid takes no samples (its points are every combination of the values)",
            )
        if kind in ("grid", "lhs") and not self.design.scramble:
            raise _SpecFieldError(
                "design.scramble",
                False,
                f"the {kind} design does not use it (scramble is for sobol and saltelli)",
            )
        for path, p in self.parameters.items():
            if p.integer and p.values is not None:
                raise _SpecFieldError(
                    f"parameters.{path}.integer",
                    True,
                    "rounds a range or bounds, not values (give whole numbers as values)",
                )
            if kind == "grid" and p.sampled:
                raise _SpecFieldError(
                    f"parameters.{path}", None, "a grid needs 'values' or 'range', not bounds"
                )
            if kind == "grid" and _grid_size(p) == 0:
                raise _SpecFieldError(f"parameters.{path}", [], "the grid is empty")
            if kind != "grid" and not p.sampled:
                raise _SpecFieldError(
                    f"parameters.{path}", None, f"the {kind} design needs 'low' and 'high'"
                )
        if kind != "grid" and self.design.samples is None:
            raise _SpecFieldError("design.samples", None, f"the {kind} design needs 'samples'")
        n = self.n_points()
        if n > MAX_POINTS:
            where = "parameters" if kind == "grid" else "design.samples"
            fewer = "fewer values per parameter" if kind == "grid" else "fewer samples"
            raise _SpecFieldError(
                where,
                None,
                f"the {kind} design has {_count(n)} points, more than a sweep may have "
                f"({MAX_POINTS:,}); use {fewer}, or split it into several sweeps",
            )
        return self

    @property
    def paths(self) -> list[str]:
        """The varied parameters' dotted paths, in spec order (the points table's columns)."""
        return list(self.parameters)

    def n_points(self) -> int:
        """How many parameter points the design has (at most :data:`MAX_POINTS`)."""
        if self.design.kind == "grid":
            return math.prod(_grid_size(p) for p in self.parameters.values())
        assert self.design.samples is not None
        if self.design.kind == "saltelli":
            return self.design.samples * (len(self.parameters) + 2)
        return self.design.samples

    def canonical(self) -> dict[str, Any]:
        """The spec as plain JSON data (every default filled in)."""
        return self.model_dump(mode="json")


def _count(n: int) -> str:
    """A count for a sentence: with thousands separators, or its power of ten when huge."""
    return f"{n:,}" if n < 10**15 else f"about 10^{len(str(n)) - 1}"


def _grid_size(p: ParameterSpec) -> int:
    """How many grid values ``p`` has, counted without listing them."""
    if p.values is not None:
        return len(p.values)
    if p.range is not None:
        if p.range.num is not None:
            return p.range.num
        assert p.range.step is not None
        span = (p.range.stop - p.range.start) / p.range.step + 1e-9
        if not math.isfinite(span):  # beyond any float: count exactly, far beyond the limit
            from fractions import Fraction

            exact = (Fraction(p.range.stop) - Fraction(p.range.start)) / Fraction(p.range.step)
            return max(math.floor(exact) + 1, 0)
        return max(math.floor(span) + 1, 0)
    return 0


class _SpecFieldError(ValueError):
    def __init__(self, path: str, value: Any, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.value = value
        self.reason = reason


def _loc_path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def _lookup(doc: Any, loc: Sequence[int | str]) -> tuple[bool, Any]:
    cur = doc
    for part in loc:
        in_dict = isinstance(cur, dict) and part in cur
        in_list = isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur)
        if not (in_dict or in_list):
            return False, None
        cur = cur[part]
    return True, cur


def _spec_error(exc: ValidationError, source: str, doc: Any) -> InputError:
    """One sentence for the first validation problem: file, field path, reason, value."""
    first = exc.errors(include_url=False)[0]
    inner = (first.get("ctx") or {}).get("error")
    if isinstance(inner, _SpecFieldError):
        got = "" if inner.value is None else f", got {inner.value!r}"
        return InputError(
            f"{source}: {inner.path}: {inner.reason}{got}.",
            source=source,
            field=inner.path,
            value=inner.value,
        )
    loc = tuple(first["loc"])
    # Pydantic reports a union member's tag (e.g. 'list[...]'); keep only real field names.
    loc = tuple(p for p in loc if isinstance(p, int) or not any(c in str(p) for c in "[]|"))
    scalar_union = bool(loc) and loc[-1] in ("bool", "int", "float", "str")
    if scalar_union:  # a member of the Scalar union: name the field, not the member type
        loc = loc[:-1]
    path = _loc_path(loc) or "(top level)"
    if first["type"] == "extra_forbidden":
        return InputError(f"{source}: {path}: unknown field.", source=source, field=path)
    if first["type"] == "missing":
        return InputError(
            f"{source}: {path}: required field is missing.", source=source, field=path
        )
    found, value = _lookup(doc, loc)
    reason = str(first["msg"]).removeprefix("Value error, ")
    reason = reason[:1].lower() + reason[1:]
    if scalar_union:
        reason = "must be a number, a text or true/false"
    elif found and isinstance(value, str) and first["type"] in ("int_type", "float_type"):
        reason = "must be a number, not text; write it without quotes"
    elif found and isinstance(value, float) and first["type"] == "int_type":
        reason = "must be an integer (no decimal point)"
    got = f", got {value!r}" if found else ""
    return InputError(
        f"{source}: {path}: {reason}{got}.",
        source=source,
        field=path,
        value=value if found else None,
    )


def builtin_sweeps() -> dict[str, Path]:
    """Built-in sweep names mapped to their spec files (shipped in ``herz/sweeps``)."""
    folder = resources.files("herz") / "sweeps"
    out: dict[str, Path] = {}
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.name.endswith(".yaml"):
                out[entry.name.removesuffix(".yaml")] = Path(str(entry))
    return dict(sorted(out.items()))


def load_sweep(
    name_or_path: str | Path | Mapping[str, Any],
    *,
    runs: int | None = None,
    steps: int | None = None,
    seed: int | None = None,
) -> tuple[SweepSpec, str, Path | None]:
    """Read and validate a sweep spec; apply ``runs``/``steps``/``seed`` given on the side.

    Returns
    -------
    (spec, source, folder):
        The spec, the name used in messages (the file name), and the folder that relative
        scenario paths are resolved against (``None`` for a dict).

    Raises
    ------
    InputError
        For a missing file, invalid YAML or an invalid spec: one sentence naming the file,
        the field and the value.
    """
    folder: Path | None = None
    if isinstance(name_or_path, Mapping):
        source = "<sweep>"
        doc: Any = dict(name_or_path)
    else:
        text = str(name_or_path)
        builtins = builtin_sweeps()
        path = builtins[text] if text in builtins and not Path(text).exists() else Path(text)
        source = text
        if not path.is_file():
            names = ", ".join(builtins) or "none"
            raise InputError(
                f"{text}: no such file, and not a built-in sweep (built-ins: {names}).",
                source=text,
                value=text,
            )
        folder = path.resolve().parent
        from herz._yaml import load_yaml

        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InputError(
                f"{text}: cannot read the file: {exc.strerror}.", source=text
            ) from None
        doc = load_yaml(raw, source=text)
    if not isinstance(doc, dict):
        raise InputError(
            f"{source}: a sweep spec must be a mapping of fields, got {type(doc).__name__}.",
            source=source,
        )
    for flag, value, least in (("--runs", runs, 1), ("--steps", steps, 1), ("--seed", seed, 0)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            kind = "a positive" if least else "a non-negative"
            raise InputError(
                f"{flag} must be {kind} integer, got {value!r}.", field=flag, value=value
            )
        doc[flag.removeprefix("--")] = value
    try:
        spec = SweepSpec.model_validate(doc)
    except ValidationError as exc:
        raise _spec_error(exc, source, doc) from None
    return spec, source, folder


# -- designs ----------------------------------------------------------------------------------
def design_points(spec: SweepSpec, seed: int) -> pd.DataFrame:
    """The parameter points of a spec, one row per point in point order.

    Grids are the Cartesian product of the parameters' values, the last parameter varying
    fastest. Sampled designs scale unit-cube samples to ``[low, high]``: a Latin hypercube
    (McKay, Beckman & Conover 1979) or a scrambled Sobol' sequence (``scipy.stats.qmc``), or
    Saltelli's (2010) radial scheme: for each base row i of a 2D-dimensional Sobol' sequence,
    the rows A_i, A_i with column j taken from B_i (j = 1..D), and B_i. This is the order
    :func:`herz.sensitivity.sobol_indices` reads (first-order and total indices only). The
    scrambling stream is ``SeedSequence(seed, spawn_key=(_DESIGN_KEY,))``: it depends on the
    seed alone.
    """
    import numpy as np
    import pandas as pd

    paths = spec.paths
    if spec.design.kind == "grid":
        grids = [spec.parameters[p].grid() for p in paths]
        rows = list(itertools.product(*grids))
        return pd.DataFrame(
            {
                p: pd.Series([r[k] for r in rows], dtype=_pandas_dtype(grids[k]))
                for k, p in enumerate(paths)
            }
        )
    from scipy.stats import qmc

    n = spec.design.samples
    assert n is not None
    d = len(paths)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_DESIGN_KEY,)))
    scramble = spec.design.scramble
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Sobol' balance wants n = 2^m; any n works
        if spec.design.kind == "lhs":
            unit = qmc.LatinHypercube(d=d, rng=rng).random(n)
        elif spec.design.kind == "sobol":
            unit = qmc.Sobol(d=d, scramble=scramble, rng=rng).random(n)
        else:
            base = qmc.Sobol(d=2 * d, scramble=scramble, rng=rng).random(n)
            a, b = base[:, :d], base[:, d:]
            unit = np.empty((n, d + 2, d))
            unit[:, 0] = a
            for j in range(d):
                unit[:, j + 1] = a
                unit[:, j + 1, j] = b[:, j]
            unit[:, d + 1] = b
            unit = unit.reshape(n * (d + 2), d)
    out: dict[str, Any] = {}
    for k, p in enumerate(paths):
        ps = spec.parameters[p]
        assert ps.low is not None and ps.high is not None
        col = ps.low + unit[:, k] * (ps.high - ps.low)
        out[p] = np.rint(col).astype(np.int64) if ps.integer else col
    return pd.DataFrame(out)


def _pandas_dtype(values: Sequence[Scalar]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int64"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "float64"
    return "object"


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python scalar it holds (for YAML overrides and JSON)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value
