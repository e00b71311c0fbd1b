"""A weighted sample of parameter values: what calibration produces and forecasts draw from.

A :class:`Posterior` holds particles (one row of parameter values each) with normalized weights,
as ABC-SMC returns them (Beaumont et al. 2009, "Adaptive approximate Bayesian computation",
Biometrika 96(4):983-990; Toni et al. 2009), the names of the parameters as scenario override
paths (``"spiral.tolerance"``, settable with ``--set``), and the provenance a reader needs to
trust it (model, scenario or era, training years, targets, seeds, herz version). It is stored
as one JSON file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Posterior", "weighted_quantile"]

FloatArray = NDArray[np.float64]


def weighted_quantile(values: FloatArray, weights: FloatArray, q: float) -> float:
    """The q-quantile of a weighted sample: the smallest value whose cumulative weight reaches q
    (the inverse of the weighted empirical distribution function)."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    cum /= cum[-1]
    idx = int(np.searchsorted(cum, q, side="left"))
    return float(values[order][min(idx, len(values) - 1)])


@dataclass(frozen=True)
class Posterior:
    """Weighted particles over named parameters, with their provenance.

    Attributes
    ----------
    model:
        The registry name of the model the parameters belong to (``"spiral"``).
    parameters:
        Override paths, one per column of ``particles``.
    particles:
        (k, p) array of parameter values.
    weights:
        (k,) non-negative weights; normalized on construction.
    meta:
        Provenance: ``years`` (the training window), ``targets``, ``seed``, ``version``,
        ``method`` and anything else the producer records.
    """

    model: str
    parameters: tuple[str, ...]
    particles: FloatArray
    weights: FloatArray
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        x = np.asarray(self.particles, dtype=float)
        if x.ndim != 2 or x.shape[1] != len(self.parameters) or x.shape[0] == 0:
            raise InputError(
                f"posterior: particles must be (k, {len(self.parameters)}) with k >= 1, got "
                f"shape {x.shape}",
                field="particles",
            )
        w = np.asarray(self.weights, dtype=float)
        if w.shape != (x.shape[0],) or not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
            raise InputError(
                "posterior: weights must be one finite non-negative number per particle, not "
                "all zero",
                field="weights",
            )
        object.__setattr__(self, "particles", x)
        object.__setattr__(self, "weights", w / w.sum())
        object.__setattr__(self, "parameters", tuple(self.parameters))

    @classmethod
    def point(cls, model: str, values: Mapping[str, float], **meta: Any) -> Posterior:
        """A posterior with all its mass on one point (a model run at fixed parameters)."""
        names = tuple(values)
        return cls(model, names, np.array([[float(values[k]) for k in names]]), np.ones(1), meta)

    @property
    def size(self) -> int:
        """Number of particles."""
        return int(self.particles.shape[0])

    def effective_sample_size(self) -> float:
        """Kish's effective sample size, 1 / Σ w²."""
        return float(1.0 / np.sum(self.weights**2))

    def sample(self, n: int, seed: int | Sequence[int]) -> list[dict[str, float]]:
        """``n`` parameter sets drawn with replacement in proportion to the weights.

        Draw i depends only on (seed, i): it comes from ``SeedSequence(seed, spawn_key=(i,))``,
        so the first m of n draws equal the m draws of ``sample(m, seed)``.
        """
        if n < 0:
            raise InputError(f"n: must be >= 0, got {n}", field="n", value=n)
        cum = np.cumsum(self.weights)
        cum /= cum[-1]
        entropy = list(seed) if isinstance(seed, Sequence) else seed
        out: list[dict[str, float]] = []
        for i in range(n):
            u = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(i,))).random()
            k = min(int(np.searchsorted(cum, u, side="right")), self.size - 1)
            row = self.particles[k]
            out.append({p: float(v) for p, v in zip(self.parameters, row, strict=True)})
        return out

    def summary(self, level: float = 0.9) -> pd.DataFrame:
        """Weighted mean, sd and the central ``level`` interval of each parameter."""
        import pandas as pd

        lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
        rows = []
        for j, name in enumerate(self.parameters):
            v = self.particles[:, j]
            mean = float(np.sum(self.weights * v))
            sd = float(np.sqrt(np.sum(self.weights * (v - mean) ** 2)))
            rows.append(
                {
                    "parameter": name,
                    "mean": mean,
                    "sd": sd,
                    "median": weighted_quantile(v, self.weights, 0.5),
                    f"q{lo:g}": weighted_quantile(v, self.weights, lo),
                    f"q{hi:g}": weighted_quantile(v, self.weights, hi),
                }
            )
        return pd.DataFrame(rows).set_index("parameter")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what :meth:`save` writes)."""
        return {
            "model": self.model,
            "parameters": list(self.parameters),
            "particles": self.particles.tolist(),
            "weights": self.weights.tolist(),
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any], source: str = "posterior") -> Posterior:
        """Read :meth:`to_dict`'s form; a missing or malformed entry is an InputError naming it."""
        for key in ("model", "parameters", "particles", "weights"):
            if key not in doc:
                raise InputError(f"{source}: missing field '{key}'", field=key)
        try:
            return cls(
                str(doc["model"]),
                tuple(str(p) for p in doc["parameters"]),
                np.asarray(doc["particles"], dtype=float),
                np.asarray(doc["weights"], dtype=float),
                dict(doc.get("meta", {})),
            )
        except (TypeError, ValueError) as exc:
            raise InputError(f"{source}: particles and weights must be numbers ({exc})") from exc

    def save(self, path: str | Path) -> Path:
        """Write the posterior as JSON (atomically: a temporary file, then a rename)."""
        target = Path(path)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")
        tmp.replace(target)
        return target

    @classmethod
    def load(cls, path: str | Path) -> Posterior:
        """Read a posterior written by :meth:`save`."""
        p = Path(path)
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            msg = f"{p}: no such posterior file"
            raise InputError(msg, field="posterior", value=str(p)) from None
        except json.JSONDecodeError as exc:
            raise InputError(f"{p}: not a JSON posterior ({exc.msg}, line {exc.lineno})") from exc
        if not isinstance(doc, dict):
            raise InputError(f"{p}: not a JSON posterior (expected an object)")
        return cls.from_dict(doc, source=str(p))
