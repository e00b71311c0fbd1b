"""``POST /api/runs`` and ``GET /api/runs/{run_id}``: run any registered model on a scenario.

The request is checked in the server's process: the model is looked up in the registry, its
options are validated against its ``Options`` (:func:`herz.simulation.validate_options`), the
scenario with its overrides against the model's ``Params`` block, and the size against the
server's limits, including what the run would cost (its states, its memory and the size of its
result, :mod:`herz.web.cost`); all of this answers 422 with one sentence. The run itself then
works in its own process (:mod:`herz.web.runner`) within the time limit. Its result arrives
serialized and is sent as those bytes (:mod:`herz.web.responses`).
"""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from herz.errors import InputError
from herz.web.catalog import resolve_model, target_of
from herz.web.cost import check_cost
from herz.web.deps import Manager, Settings
from herz.web.errors import ERRORS, NotFoundError, model_code
from herz.web.responses import SplicedJSONResponse, splice_result
from herz.web.routers.scenarios import load_named
from herz.web.runner import RunJob, RunManager
from herz.web.schemas import ErrorBody, RunRequest, RunStatus

__all__ = ["router", "status_of", "status_response"]

router = APIRouter(tags=["runs"])

_RUN_ID = re.compile(r"^[0-9a-f]{32}$")


def status_of(job: RunJob, manager: RunManager) -> RunStatus:
    """What the API says about a run, without its result (see :func:`status_response`)."""
    return RunStatus(
        id=job.id,
        status=job.status,
        scenario=job.scenario,
        model=job.model,
        runs=job.runs,
        steps=job.steps,
        seed=job.seed,
        states=job.states,
        cells=job.cells,
        elapsed_s=round(job.elapsed_s, 3),
        expected_s=None if job.expected_s is None else round(job.expected_s, 3),
        progress=job.progress,
        position=manager.position(job),
        detail=job.detail,
        failure=job.failure,
        result=None,
    )


def status_response(job: RunJob, manager: RunManager, status_code: int = 200) -> Response:
    """The run's status with its result: the result's bytes as they came from the run's
    process, spliced in, never decoded or encoded again."""
    result = job.result_json  # one read: the job may be evicted meanwhile, its bytes stay here
    document = status_of(job, manager).model_dump_json(exclude={"result"}).encode()
    return SplicedJSONResponse(splice_result(document, result), status_code=status_code)


@router.post(
    "/api/runs",
    response_model=RunStatus,
    status_code=202,
    responses={
        **ERRORS,
        200: {"model": RunStatus, "description": "Finished (with wait=true)."},
        500: {
            "model": ErrorBody,
            "description": "The model failed (with wait=true); the details are in the server log.",
        },
        503: {"model": ErrorBody, "description": "All workers busy and the queue full."},
    },
)
async def run(request: RunRequest, settings: Settings, manager: Manager) -> Response:
    """Start a run of ``model`` on ``scenario``; 202 with its id, or 200 when ``wait``.

    The model, its options (GET /api/models has their schemas), the scenario with its overrides
    and the size (runs, steps and runs × (steps + 1) × states against the server's limits) are
    checked first: 422 with one sentence when one is wrong. The run then works in its own
    process within the time limit. Poll ``GET /api/runs/{id}`` for progress and the result.
    """
    from herz.simulation import check_scenario, new_seed, validate_options

    model = resolve_model(request.model)
    with model_code(model.name):
        validate_options(model, request.options)
    _, sc = load_named(request.scenario, settings)
    if request.overrides:
        sc = sc.with_overrides(request.overrides, source=f"{request.scenario} (overrides)")
    steps = request.steps if request.steps is not None else sc.time.steps
    settings.limits.check_run(runs=request.runs, steps=steps, states=len(sc.states))
    with model_code(model.name):
        check_scenario(sc, model.name)
    check_cost(model, sc, steps=steps, runs=request.runs, limits=settings.limits)
    seed = request.seed if request.seed is not None else new_seed()
    job = manager.new_job(
        scenario=request.scenario,
        model=model.name,
        target=target_of(model),
        runs=request.runs,
        steps=steps,
        seed=seed,
        states=len(sc.states),
        overrides=dict(request.overrides),
        options=dict(request.options),
        document=sc.to_dict(),
    )
    manager.submit(job)
    if not request.wait:
        return status_response(job, manager, 202)
    import anyio.to_thread

    await anyio.to_thread.run_sync(job.done.wait, settings.limits.time_limit_s + 60.0)
    if job.status == "failed":
        if job.failure == "internal":
            return JSONResponse({"detail": job.detail}, status_code=500)
        raise InputError(job.detail or "the run failed.")
    return status_response(job, manager, 200 if job.status == "done" else 202)


@router.get("/api/runs/{run_id}", response_model=RunStatus, responses=ERRORS)
def run_status(run_id: str, settings: Settings, manager: Manager) -> Response:
    """A run's status and progress; its result once done (kept for the last runs only)."""
    job = manager.get(run_id) if _RUN_ID.fullmatch(run_id) else None
    if job is None:
        raise NotFoundError(
            f"there is no run {run_id!r} (this server keeps the most recently used finished "
            f"runs, up to {settings.limits.keep_results_mb} MB of results)."
        )
    return status_response(job, manager)
