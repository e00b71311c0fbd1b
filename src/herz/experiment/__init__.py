"""Experiments at scale: sweep specs, designs, and chunked runs on local processes or Dask.

A *sweep* runs one model on one scenario at many parameter *points* (a grid, or a sampled
design) with ``runs`` ensemble members per point, and stores one row of outcomes per run in a
DuckDB file (:mod:`herz.store`). Three promises hold by construction:

**Exact.** Run *i* of point *p* draws only from ``SeedSequence(seed, spawn_key=(p, i))`` (the
model is called with ``stream_key=(p,)`` and ``run_offset`` = the chunk's first run; see
:mod:`herz._random`). Nothing depends on the executor, the number of workers, the chunk size
or the order in which chunks finish, so a sweep on one core, on all cores or on a Dask cluster
stores bit-identical outcomes.

**Crash-proof and resumable.** The work is cut into *chunks* (runs of one or several points) by
a fixed plan that depends only on the number of points, the runs per point and the chunk size.
Workers compute and return data; the parent alone writes, one transaction per chunk, so a crash
(even ``kill -9``) loses at most the chunks in flight and never leaves half a chunk. ``resume``
skips the chunks already stored and computes the rest.

**Validated first.** The spec, every parameter path and value, the model and its options (by a
one-run, one-step probe) and the cluster address are all checked before the database is created
or touched; any problem is one :class:`~herz.errors.InputError` sentence naming the file, the
field and the value.

A spec (YAML, ``yaml.safe_load`` only)::

    name: omega-delta            # letters, digits, '-', '_'
    scenario: two-state          # built-in name or a path (relative to the spec file)
    model: richardson
    options: {noise: 0.1}        # model options
    overrides: {time.steps: 30}  # fixed scenario changes applied at every point
    parameters:                  # dotted scenario paths (see Scenario.with_overrides)
      world.offense_advantage: {range: {start: 0, stop: 1, num: 11}}
      world.distinguishability: {values: [0, 0.5, 1]}
    design: {kind: grid}         # grid | lhs | sobol | saltelli (then: samples: N)
    runs: 100                    # runs per point
    steps: 50                    # default: the scenario's time.steps
    seed: 12345                  # default: fresh entropy, recorded
    keep: summary                # summary (outcomes per run) | series (also every time series)
    chunk: 500                   # runs per chunk (default: chosen from the size and workers)

Sampled designs give each parameter ``{low: .., high: ..}`` (``integer: true`` rounds) and
``design: {kind: lhs|sobol|saltelli, samples: N}``: a Latin hypercube or a scrambled Sobol'
sequence (``scipy.stats.qmc``), or Saltelli's (2010) scheme built on a Sobol' sequence — N base
rows, N·(D + 2) points — whose outputs :func:`herz.analysis.sobol_indices` turns into Sobol'
sensitivity indices.

The package: :mod:`~herz.experiment.spec` (the format), :mod:`~herz.experiment.plan`
(validation and the plan), :mod:`~herz.experiment.chunk` (the unit of work),
:mod:`~herz.experiment.executors` (where it runs) and :mod:`~herz.experiment.run`
(orchestration with the store).
"""

from __future__ import annotations

from herz.experiment.chunk import ChunkResult, ChunkTask, plan_chunks, run_chunk
from herz.experiment.plan import SweepPlan, prepare_sweep
from herz.experiment.run import Progress, SweepReport, run_sweep
from herz.experiment.spec import (
    DesignSpec,
    ParameterSpec,
    RangeSpec,
    SweepSpec,
    builtin_sweeps,
    design_points,
    load_sweep,
)

__all__ = [
    "ChunkResult",
    "ChunkTask",
    "DesignSpec",
    "ParameterSpec",
    "Progress",
    "RangeSpec",
    "SweepPlan",
    "SweepReport",
    "SweepSpec",
    "builtin_sweeps",
    "design_points",
    "load_sweep",
    "plan_chunks",
    "prepare_sweep",
    "run_chunk",
    "run_sweep",
]
