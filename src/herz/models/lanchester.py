"""Lanchester's square law of attrition: what a war between two sides of a scenario would cost.

F. W. Lanchester (1916), *Aircraft in Warfare: The Dawn of the Fourth Arm*, ch. V ("The
principle of concentration"); J. G. Taylor (1983), *Lanchester Models of Warfare*, vols. 1–2
(Arlington, VA: Operations Research Society of America), whose notation this module follows.
docs/lanchester.md has the equations and the constants; docs/models.md walks through this file
as the worked example of a herz model.

The model
---------
The scenario's states are split into two sides, A and B (the ``sides`` of the ``lanchester:``
block). Side A fields x, side B fields y: the sums of their members' ``military`` (the force each
state fields is taken proportional to its ``military``, in the scenario's military unit). Under
"aimed fire" each unit of a side destroys enemy units at a constant rate, so (Lanchester 1916,
ch. V, in Taylor's 1983 notation)

.. math::

    \\frac{dx}{dt} = -b\\,y, \\qquad \\frac{dy}{dt} = -a\\,x,

with a, b > 0 the fighting effectivenesses (attrition-rate coefficients, per year) of A and B.
With :math:`k = \\sqrt{ab}` the solution is (Taylor 1983, vol. 1)

.. math::

    x(t) = x_0 \\cosh kt - \\sqrt{b/a}\\; y_0 \\sinh kt, \\qquad
    y(t) = y_0 \\cosh kt - \\sqrt{a/b}\\; x_0 \\sinh kt,

and :math:`a x^2 - b y^2` is constant along every path: the **square law** (Lanchester 1916,
"the fighting strength of a force may be broadly defined as proportional to the square of its
numerical strength multiplied by the fighting value of its individual units"). Fought to the
end, A wins when :math:`a x_0^2 > b y_0^2`, B when it is smaller, and both are annihilated
together (asymptotically) when they are equal.

A side rarely fights to the last unit: it quits at a **breakpoint**, here when its force falls to
a share β of its initial force (the fixed force-level breakpoint of the Lanchester literature:
Taylor 1983; Helmbold 1971, RAND R-772-PR, who found historical breakpoints to vary widely).
Because the invariant gives :math:`a x_0^2 (1 - \\xi^2) = b y_0^2 (1 - \\eta^2)` for the
surviving shares ξ = x/x₀ and η = y/y₀, the stronger side always keeps the larger share: a common
breakpoint changes *when* the war ends and what it costs, never *who* wins. The time at which x
reaches βx₀ is closed-form too (:func:`breakpoint_time`): writing
:math:`x(t) = (p e^{kt} + q e^{-kt})/2` with :math:`p = x_0 - \\sqrt{b/a}\\,y_0` and
:math:`q = x_0 + \\sqrt{b/a}\\,y_0`, it is the smaller root
:math:`u = q / (\\beta x_0 + \\sqrt{D})`, :math:`D = \\beta^2 x_0^2 - pq`, of
:math:`p u^2 - 2\\beta x_0 u + q = 0` in :math:`u = e^{kt}` (none when D < 0).

The simulation evaluates the closed form on the scenario's time grid (steps of
``time.step`` years from ``time.start``), all runs at once, and freezes both sides at their values
at the breakpoint time (the exact time, not the next grid point) once a side has broken. States in
neither side keep their force; a side's losses are shared among its members in proportion to
their initial forces.

Constants (all in the ``lanchester:`` block; see :class:`LanchesterParams`)
--------------------------------------------------------------------------
* ``attrition`` κ = 0.3 per year: the geometric mean √(ab) of the two effectivenesses, which sets
  the time scale (**ours**; the same default as the spiral model's ``attrition``).
* ``offense_scale`` θ_max = 2: side A is the attacker, and its effectiveness relative to B's is
  θ = θ_max^(2ω − 1), ω the scenario's ``world.offense_advantage`` (Jervis 1978), so
  a = κ√θ and b = κ/√θ (**ours**; the same map as the spiral's ``offense_scale``). At ω = 0.5 the
  two sides are equally effective; ``offense_scale: 1`` ignores ω.
* ``effectiveness_a``, ``effectiveness_b``: replace the derived a and b.
* ``breakpoint`` β = 0.5 (**ours**, as the spiral's ``exhaustion``; Taylor 1983 and Helmbold 1971
  for the convention, not the value).
* ``noise`` σ = 0.2 (**ours**): each run multiplies a and b by independent mean-preserving
  log-normal factors exp(σε − σ²/2), ε ~ N(0, 1) — uncertainty about the sides' fighting value,
  which is what makes an ensemble a distribution of wars rather than one war.

Default sides (**ours**)
------------------------
Without ``sides``, side A is the first state with its bloc (every state linked to it by a
``defense``, ``offense`` or ``entente`` alliance in force at some time in the scenario's range,
allies of allies included), and side B is the strongest other bloc (largest total military;
ties: the first in scenario order). Other states stay neutral. On the built-in scenarios this
gives the Entente against the Triple Alliance (1909, 1914), NATO against the Warsaw Pact, and
A against B.

Randomness: run k of a call is run ``run_offset + k`` and draws its two normals (ε_A, ε_B, in that
order) only from :func:`herz._random.run_generator` ``(seed, run_offset + k, stream_key)``, so a
run is the same in any ensemble, chunk or worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import Field, field_validator

from herz._random import run_generator
from herz._validation import StrictModel
from herz.errors import ScenarioError
from herz.models._base import COMMON_OUTCOMES, Measure, Model, NoOptions, Progress
from herz.models._frames import state_column, tidy_frame

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from herz.results import Result
    from herz.scenario import Scenario

__all__ = [
    "Battle",
    "Lanchester",
    "LanchesterParams",
    "breakpoint_time",
    "closed_form",
    "default_sides",
    "fight",
    "predicted_winner",
]

FloatArray = NDArray[np.float64]

#: Winner codes of :class:`Battle` and their labels.
NONE, A_WINS, B_WINS = 0, 1, 2
LABELS = ("none", "A", "B")

#: Largest k·t evaluated: e^700 is still finite. Only an exact draw fought to annihilation
#: (breakpoint 0) runs that long; both forces are then below 1e-300 of their start.
_MAX_KT = 700.0

#: Alliance kinds that make a bloc (as in the spiral model).
_BLOC_KINDS = ("defense", "offense", "entente")

_MIL = "scenario military unit"


# -- the block --------------------------------------------------------------------------------
class LanchesterParams(StrictModel):
    """The ``lanchester:`` block of a scenario; absent means every default.

    Side A fields x and side B fields y; ``dx/dt = −b·y``, ``dy/dt = −a·x`` (Lanchester 1916).
    """

    sides: list[list[str]] | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description=(
            "Two lists of state ids: side A (the attacker) and side B. States in neither stay "
            "neutral. Default: the first state's bloc against the strongest other bloc."
        ),
        json_schema_extra={
            "source": "ours",
            "why": ("absent: the first state's bloc against the strongest other bloc"),
        },
    )
    attrition: float = Field(
        default=0.3,
        gt=0,
        le=10,
        description="κ: geometric mean √(ab) of the two effectivenesses, per year (ours).",
        json_schema_extra={
            "source": "ours",
            "why": "κ = 0.3 per year, the spiral model's attrition",
            "after": "Lanchester (1916): the square law",
        },
    )
    offense_scale: float = Field(
        default=2.0,
        ge=1,
        le=100,
        description=(
            "θ_max: A's effectiveness over B's is θ = θ_max^(2ω − 1), ω the world's "
            "offense_advantage; 1 ignores ω (ours)."
        ),
        json_schema_extra={
            "source": "ours",
            "why": "θ_max = 2, the spiral model's offense_scale",
            "after": "Jervis (1978): the offense-defense balance",
        },
    )
    effectiveness_a: float | None = Field(
        default=None,
        gt=0,
        le=100,
        description="a: B's losses per unit of A's force per year; default κ√θ.",
        json_schema_extra={
            "source": "ours",
            "why": "absent: derived as κ√θ",
            "after": "Taylor (1983): attrition-rate coefficients",
        },
    )
    effectiveness_b: float | None = Field(
        default=None,
        gt=0,
        le=100,
        description="b: A's losses per unit of B's force per year; default κ/√θ.",
        json_schema_extra={
            "source": "ours",
            "why": "absent: derived as κ/√θ",
            "after": "Taylor (1983): attrition-rate coefficients",
        },
    )
    breakpoint: float = Field(
        default=0.5,
        ge=0,
        lt=1,
        description=(
            "β: a side quits when its force falls to this share of its initial force "
            "(Taylor 1983; the value is ours). 0: fight to annihilation."
        ),
        json_schema_extra={
            "source": "ours",
            "why": "half the initial force, as the spiral model's exhaustion",
            "after": (
                "Taylor (1983); Helmbold (1971), RAND R-772-PR: force-level "
                "breakpoints (the convention, not the value)"
            ),
        },
    )
    noise: float = Field(
        default=0.2,
        ge=0,
        le=2,
        description=(
            "σ: each run scales a and b by independent log-normal factors exp(σε − σ²/2) (ours)."
        ),
        json_schema_extra={
            "source": "ours",
            "why": ("log-normal uncertainty of spread 0.2 about the sides' fighting value"),
        },
    )

    @field_validator("sides")
    @classmethod
    def _two_disjoint_sides(cls, sides: list[list[str]] | None) -> list[list[str]] | None:
        if sides is None:
            return None
        for label, side in zip("AB", sides, strict=True):
            if not side:
                raise ValueError(f"side {label} has no state")
        seen: set[str] = set()
        for side in sides:
            for sid in side:
                if sid in seen:
                    raise ValueError(f"state {sid!r} is listed twice")
                seen.add(sid)
        return sides


# -- the mathematics --------------------------------------------------------------------------
def closed_form(
    x0: ArrayLike, y0: ArrayLike, a: ArrayLike, b: ArrayLike, t: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """The square law's solution (Lanchester 1916; Taylor 1983), broadcast over all arguments.

    ``x(t) = x0 cosh(kt) − √(b/a) y0 sinh(kt)``, ``y(t) = y0 cosh(kt) − √(a/b) x0 sinh(kt)``,
    k = √(ab). No breakpoint: the forces go negative after the loser's annihilation.
    """
    x0_, y0_, a_, b_, t_ = (np.asarray(v, dtype=float) for v in (x0, y0, a, b, t))
    k = np.sqrt(a_ * b_)
    ch, sh = np.cosh(k * t_), np.sinh(k * t_)
    return x0_ * ch - np.sqrt(b_ / a_) * y0_ * sh, y0_ * ch - np.sqrt(a_ / b_) * x0_ * sh


def breakpoint_time(
    x0: ArrayLike, y0: ArrayLike, a: ArrayLike, b: ArrayLike, breakpoint: float
) -> FloatArray:
    """Years until x falls to ``breakpoint · x0`` under the square law; ``inf`` if never.

    The smaller root ``u = q / (βx0 + √D)`` of ``p u² − 2βx0 u + q = 0`` in ``u = e^{kt}``, with
    ``p, q = x0 ∓ √(b/a) y0`` and ``D = β²x0² − pq`` (see the module docstring); this form has no
    cancellation near a draw (p → 0). A side with no force has broken at t = 0. For y's time,
    swap the sides: ``breakpoint_time(y0, x0, b, a, β)``.
    """
    x0_, y0_, a_, b_ = (np.asarray(v, dtype=float) for v in (x0, y0, a, b))
    k = np.sqrt(a_ * b_)
    r = np.sqrt(b_ / a_)
    p, q = x0_ - r * y0_, x0_ + r * y0_
    bx = breakpoint * x0_
    disc = bx * bx - p * q
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        u = q / (bx + np.sqrt(np.maximum(disc, 0.0)))
        t = np.log(u) / k
    t = np.where(disc < 0, np.inf, t)
    t = np.where(np.isnan(t), np.inf, np.maximum(t, 0.0))
    return np.asarray(np.where(x0_ <= 0, 0.0, t), dtype=float)


def predicted_winner(x0: float, y0: float, a: float, b: float) -> str:
    """``"A"``, ``"B"`` or ``"none"``: the sign of ``a·x0² − b·y0²`` (Lanchester 1916)."""
    strength = a * x0 * x0 - b * y0 * y0
    return "A" if strength > 0 else "B" if strength < 0 else "none"


@dataclass(frozen=True)
class Battle:
    """An ensemble of wars on a time grid (runs on the first axis).

    Attributes
    ----------
    x, y:
        Forces of sides A and B, shape ``(runs, len(t))``, frozen after the breakpoint.
    t_break:
        Years until the first side broke (``inf``: neither ever does), shape ``(runs,)``.
    winner:
        :data:`A_WINS`, :data:`B_WINS` or :data:`NONE` (no side broke within the grid, or both
        broke at the same time), shape ``(runs,)``.
    duration:
        ``t_break`` where a side broke within the grid, else NaN.
    """

    x: FloatArray
    y: FloatArray
    t_break: FloatArray
    winner: NDArray[np.int8]
    duration: FloatArray


def fight(
    x0: float, y0: float, a: ArrayLike, b: ArrayLike, t: ArrayLike, breakpoint: float
) -> Battle:
    """The square law on the grid ``t`` (years from the start) for each pair (a[i], b[i]).

    Vectorized over runs: ``a`` and ``b`` have one entry per run. Each side's path is the closed
    form at ``min(t, t_break)``, so both sides stop at their exact values at the breakpoint.
    The forces are evaluated as ``(p e^{kt} + q e^{-kt}) / 2``, the closed form written without
    the cancellation of cosh − sinh in a long, even fight.
    """
    a_ = np.atleast_1d(np.asarray(a, dtype=float))
    b_ = np.atleast_1d(np.asarray(b, dtype=float))
    grid = np.asarray(t, dtype=float)
    tx = breakpoint_time(x0, y0, a_, b_, breakpoint)
    ty = breakpoint_time(y0, x0, b_, a_, breakpoint)
    t_break = np.minimum(tx, ty)
    k = np.sqrt(a_ * b_)
    r = np.sqrt(b_ / a_)
    t_eff = np.minimum(grid[None, :], t_break[:, None])
    growth = np.exp(np.minimum(k[:, None] * t_eff, _MAX_KT))
    px, qx = (x0 - r * y0)[:, None], (x0 + r * y0)[:, None]
    py, qy = (y0 - x0 / r)[:, None], (y0 + x0 / r)[:, None]
    x = np.maximum(0.5 * (px * growth + qx / growth), 0.0)
    y = np.maximum(0.5 * (py * growth + qy / growth), 0.0)
    horizon = float(grid[-1]) if grid.size else 0.0
    decided = t_break <= horizon
    winner = np.where(
        decided & (tx > ty), A_WINS, np.where(decided & (ty > tx), B_WINS, NONE)
    ).astype(np.int8)
    duration = np.where(decided, t_break, np.nan)
    return Battle(x=x, y=y, t_break=t_break, winner=winner, duration=duration)


# -- the scenario -----------------------------------------------------------------------------
def default_sides(scenario: Scenario) -> tuple[list[str], list[str]]:
    """The first state's bloc and the strongest other bloc (see the module docstring).

    Blocs are the connected groups of states under the scenario's ``defense``, ``offense`` and
    ``entente`` alliances in force at some time between ``time.start`` and ``time.end``.
    """
    ids = scenario.ids
    lo, hi = scenario.time.start, scenario.time.end
    parent = {s: s for s in ids}

    def root(s: str) -> str:
        while parent[s] != s:
            s = parent[s]
        return s

    for alliance in scenario.alliances:
        in_window = (alliance.from_year is None or alliance.from_year <= hi) and (
            alliance.until is None or alliance.until >= lo
        )
        if alliance.kind in _BLOC_KINDS and in_window:
            first = root(alliance.members[0])
            for m in alliance.members[1:]:
                parent[root(m)] = first
    blocs: dict[str, list[str]] = {}
    for s in ids:
        blocs.setdefault(root(s), []).append(s)
    side_a = blocs.pop(root(ids[0]))
    if not blocs:
        return side_a, []
    military = {s.id: s.military for s in scenario.states}
    side_b = max(blocs.values(), key=lambda bloc: sum(military[s] for s in bloc))
    return side_a, side_b


@dataclass(frozen=True)
class _Setup:
    sides: tuple[list[str], list[str]]
    x0: float
    y0: float
    a: float
    b: float
    breakpoint: float
    noise: float
    theta: float


def _sides(scenario: Scenario, params: LanchesterParams) -> tuple[list[str], list[str]]:
    """The two sides: the block's, else the scenario's two blocs; an error where one is empty."""
    sides = (
        (list(params.sides[0]), list(params.sides[1]))
        if params.sides is not None
        else default_sides(scenario)
    )
    if not sides[1]:
        raise ScenarioError(
            f"{scenario.origin}: lanchester.sides: the scenario has a single bloc, so there is no "
            f"war to fight; give two sides, got {sides[0]!r}.",
            source=scenario.origin,
            field="lanchester.sides",
            value=sides[0],
        )
    return sides


def _setup(scenario: Scenario, params: LanchesterParams) -> _Setup:
    sides = _sides(scenario, params)
    military = {s.id: s.military for s in scenario.states}
    omega = scenario.world.offense_advantage
    theta = params.offense_scale ** (2 * omega - 1)
    a = params.effectiveness_a
    b = params.effectiveness_b
    if a is None:
        a = params.attrition * float(np.sqrt(theta))
    if b is None:
        b = params.attrition / float(np.sqrt(theta))
    return _Setup(
        sides=sides,
        x0=float(sum(military[s] for s in sides[0])),
        y0=float(sum(military[s] for s in sides[1])),
        a=float(a),
        b=float(b),
        breakpoint=params.breakpoint,
        noise=params.noise,
        theta=float(theta),
    )


def _factors(
    seed: int, runs: int, run_offset: int, stream_key: Sequence[int], sigma: float
) -> FloatArray:
    """Log-normal factors (runs, 2) for a and b, run k from its own stream only."""
    if sigma == 0:
        return np.ones((runs, 2))
    eps = np.array(
        [run_generator(seed, run_offset + k, stream_key).standard_normal(2) for k in range(runs)]
    ).reshape(runs, 2)
    return np.asarray(np.exp(sigma * eps - 0.5 * sigma * sigma), dtype=float)


def _mean_se(values: FloatArray) -> tuple[float | None, float | None]:
    if values.size == 0:
        return None, None
    se = float(values.std(ddof=1) / np.sqrt(values.size)) if values.size > 1 else None
    return float(values.mean()), se


# -- the registered model ---------------------------------------------------------------------
class Lanchester(Model):
    """Lanchester's square law between two sides of a scenario (Lanchester 1916; Taylor 1983).

    Reads ``states`` (``military``), ``alliances`` (for the default sides), ``world``
    (``offense_advantage``), ``time`` and the ``lanchester:`` block; ignores everything else.
    See the module docstring for the equations and docs/models.md for the walk-through.
    """

    name = "lanchester"
    title = "Lanchester's square law: the cost of a war between two sides"
    citation = (
        "Lanchester, F. W. (1916). Aircraft in Warfare: The Dawn of the Fourth Arm, ch. V; "
        "Taylor, J. G. (1983). Lanchester Models of Warfare. ORSA."
    )
    Params = LanchesterParams
    Options = NoOptions
    outcomes = (
        Measure("winner", "str", "", "The side that made the other break: A, B or none."),
        Measure("A_wins", "bool", "", "Whether side A won: B broke first (sweeps: p_A_wins)."),
        Measure("B_wins", "bool", "", "Whether side B won: A broke first (sweeps: p_B_wins)."),
        Measure(
            "duration", "float", "years", "Years until a side broke (NaN: none within the horizon)."
        ),
        Measure("losses_A", "float", _MIL, "Force side A lost."),
        Measure("losses_B", "float", _MIL, "Force side B lost."),
        COMMON_OUTCOMES["final_military"],
        COMMON_OUTCOMES["final_military_{state}"],
    )
    summary_fields = (
        Measure("predicted_winner", "str", "", "Winner without noise (sign of a·x0² − b·y0²)."),
        Measure("predicted_duration", "float", "years", "Duration without noise, in years."),
        Measure("p_A_wins", "float", "share", "P(side A wins)."),
        Measure("p_B_wins", "float", "share", "P(side B wins)."),
        Measure("p_no_decision", "float", "share", "P(no winner within the horizon)."),
        Measure("mean_duration", "float", "years", "Duration, given a side broke, in years."),
        Measure("mean_losses_A", "float", _MIL, "Losses of side A."),
        Measure("mean_losses_B", "float", _MIL, "Losses of side B."),
        Measure("final_military_mean", "float", _MIL, "Final military, all states."),
    )

    def params(self, scenario: Scenario) -> LanchesterParams:
        """The ``lanchester:`` block, validated; its ``sides`` must name the scenario's states."""
        params = super().params(scenario)
        assert isinstance(params, LanchesterParams)
        if params.sides is not None:
            known = scenario.ids
            for i, side in enumerate(params.sides):
                for j, sid in enumerate(side):
                    if sid not in known:
                        path = f"lanchester.sides[{i}][{j}]"
                        listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
                        raise ScenarioError(
                            f"{scenario.origin}: {path}: unknown state id (known: {listed}), "
                            f"got {sid!r}.",
                            source=scenario.origin,
                            field=path,
                            value=sid,
                        )
        _sides(scenario, params)  # two sides to fight (here, so that `herz validate` says so)
        return params

    def simulate(
        self,
        scenario: Scenario,
        *,
        steps: int,
        runs: int,
        seed: int,
        keep: str = "series",
        run_offset: int = 0,
        stream_key: Sequence[int] = (),
        progress: Progress | None = None,
        **options: Any,
    ) -> Result:
        """Fight ``runs`` wars from step 0 on the scenario's clock (see the module docstring)."""
        import pandas as pd

        from herz.results import Result

        setup = _setup(scenario, self.params(scenario))
        dt, start = scenario.time.step, scenario.time.start
        grid = dt * np.arange(steps + 1, dtype=float)
        factors = _factors(seed, runs, run_offset, stream_key, setup.noise)
        a, b = setup.a * factors[:, 0], setup.b * factors[:, 1]
        battle = fight(setup.x0, setup.y0, a, b, grid, setup.breakpoint)
        ids = scenario.ids
        military = np.array([s.military for s in scenario.states], dtype=float)
        # Each state's force: its side's force times its initial share of the side.
        paths = np.broadcast_to(military, (runs, steps + 1, len(ids))).copy()
        sides = ((battle.x, setup.x0, setup.sides[0]), (battle.y, setup.y0, setup.sides[1]))
        for force, total, side in sides:
            for sid in side:
                i = ids.index(sid)
                share = military[i] / total if total > 0 else 1.0 / len(side)
                paths[:, :, i] = force * share
        final = paths[:, -1, :]
        outcomes = pd.DataFrame(
            {
                "run": np.arange(run_offset, run_offset + runs, dtype=np.int64),
                "winner": np.array(LABELS, dtype=object)[battle.winner],
                "A_wins": battle.winner == A_WINS,
                "B_wins": battle.winner == B_WINS,
                "duration": battle.duration,
                "losses_A": setup.x0 - battle.x[:, -1],
                "losses_B": setup.y0 - battle.y[:, -1],
                "final_military": final.sum(axis=1),
                **{f"final_military_{sid}": final[:, i] for i, sid in enumerate(ids)},
            }
        )
        summary = self._summary(scenario, setup, battle, outcomes, grid[-1])
        series = None
        if keep == "series":
            t_idx = np.arange(steps + 1)
            n = len(ids)
            series = tidy_frame(
                {
                    "run": np.repeat(np.arange(run_offset, run_offset + runs), (steps + 1) * n),
                    "t": np.tile(np.repeat(t_idx, n), runs),
                    "year": np.tile(np.repeat(start + dt * t_idx, n), runs),
                    "state": state_column(ids, runs * (steps + 1)),
                    "military": paths.reshape(-1),
                }
            )
        return Result(
            model=self.name,
            scenario=scenario,
            seed=seed,
            summary=summary,
            series=series,
            outcomes=outcomes,
        )

    @staticmethod
    def _summary(
        scenario: Scenario, setup: _Setup, battle: Battle, outcomes: pd.DataFrame, horizon: float
    ) -> dict[str, Any]:
        runs = len(outcomes)
        wins = {side: battle.winner == code for side, code in (("A", A_WINS), ("B", B_WINS))}
        p = {side: float(w.mean()) for side, w in wins.items()}
        decided = battle.winner != NONE
        duration, duration_se = _mean_se(battle.duration[np.isfinite(battle.duration)])
        losses = {side: _mean_se(outcomes[f"losses_{side}"].to_numpy(dtype=float)) for side in "AB"}
        mil, mil_se = _mean_se(outcomes["final_military"].to_numpy(dtype=float))
        nominal = fight(setup.x0, setup.y0, setup.a, setup.b, [0.0, horizon], setup.breakpoint)
        t_nominal = float(nominal.t_break[0])
        return {
            "sides": {"A": setup.sides[0], "B": setup.sides[1]},
            "neutral": [s for s in scenario.ids if s not in setup.sides[0] + setup.sides[1]],
            "units": scenario.units.military,
            "initial": {"A": setup.x0, "B": setup.y0},
            "effectiveness": {"A": setup.a, "B": setup.b},
            "theta": setup.theta,
            "fighting_strength": {
                "A": setup.a * setup.x0 * setup.x0,
                "B": setup.b * setup.y0 * setup.y0,
            },
            "breakpoint": setup.breakpoint,
            "noise": setup.noise,
            "predicted_winner": predicted_winner(setup.x0, setup.y0, setup.a, setup.b),
            "predicted_duration": t_nominal if np.isfinite(t_nominal) else None,
            "p_A_wins": p["A"],
            "p_A_wins_se": float(np.sqrt(p["A"] * (1 - p["A"]) / runs)),
            "p_B_wins": p["B"],
            "p_B_wins_se": float(np.sqrt(p["B"] * (1 - p["B"]) / runs)),
            "p_no_decision": float(1 - decided.mean()),
            "mean_duration": duration,
            "mean_duration_se": duration_se,
            "mean_losses_A": losses["A"][0],
            "mean_losses_A_se": losses["A"][1],
            "mean_losses_B": losses["B"][0],
            "mean_losses_B_se": losses["B"][1],
            "final_military_mean": mil,
            "final_military_mean_se": mil_se,
            "sources": [s.citation for s in scenario.sources],
        }

    def figures(self, result: Result) -> dict[str, Figure]:
        """``forces.png``: each side's force over time (mean and 5–95% band), breakpoints."""
        if result.series is None:
            return {}
        from herz.plots._mpl import pyplot

        plt = pyplot()
        summary = result.summary
        side_of = {sid: side for side, members in summary["sides"].items() for sid in members}
        series = result.series[result.series["state"].astype(str).isin(side_of)].copy()
        series["side"] = series["state"].astype(str).map(side_of)
        totals = series.groupby(["side", "run", "year"])["military"].sum()
        grouped = totals.groupby(level=["side", "year"])
        stats = grouped.mean().to_frame("mean")
        stats["lo"] = grouped.quantile(0.05)
        stats["hi"] = grouped.quantile(0.95)
        runs = int(result.series["run"].nunique())
        fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        for side, frame in stats.groupby(level="side"):
            members = ", ".join(summary["sides"][side])
            years = frame.index.get_level_values("year")
            (line,) = ax.plot(years, frame["mean"], lw=1.8, label=f"{side}: {members}")
            if runs > 1:
                ax.fill_between(years, frame["lo"], frame["hi"], color=line.get_color(), alpha=0.15)
            ax.axhline(
                summary["breakpoint"] * summary["initial"][side],
                color=line.get_color(),
                ls="--",
                lw=0.8,
                label=f"{side} breaks",
            )
        units = result.scenario.units.military
        ax.set_xlabel("year")
        ax.set_ylabel(f"force ({units})")
        band = f", mean and 5–95% band of {runs} runs" if runs > 1 else ""
        ax.set_title(f"{result.scenario.name}: Lanchester square law{band}")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", frameon=False)
        return {"forces.png": fig}
