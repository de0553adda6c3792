"""Step ``rnn`` API: a recurrent network on synthetic vital signs (``ml2dl.lessons.rnn``).

    GET  /api/rnn/options                              the choices, limits and defaults
    POST /api/rnn/train  {hidden, epochs, seed}        start (or join) the training of both networks → job snapshot
    GET  /api/rnn/train?<settings>                     its state (result when done; cached on disk by settings)
    GET  /api/rnn/progress?<settings>                  the same as server-sent events until it finishes
    POST /api/rnn/train/cancel  {settings}             leave it (it stops when nobody else follows it)
    POST /api/rnn/patient  {settings, patient}         one validation patient through the trained networks
                                                       (409 until the training of these settings is done)

The job (about a second at the defaults, up to 4 s at H = 16 and 40 epochs on a busy machine)
saves both networks with ``nn.save`` to ``<cache_dir>/rnn/<job key>-{rnn,last_hour}.npz``; the
patient call reads them from there (once per process while the files are unchanged), so every
worker of the server answers it, in about a millisecond.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from ml2dl.lessons import rnn as lesson
from ml2dl.web import jobs
from ml2dl.web.jobroutes import JobSpec, add_job_routes
from ml2dl.web.deps import PoolDep
from ml2dl.web.schemas.rnn import RnnOptions, RnnPatientResult, RnnRequest, RnnSnapshot, RnnTrainRequest

router = APIRouter(prefix="/api/rnn", tags=["rnn"])
JOB = "rnn"
VERSION = "rnn-v1"  # change it when the lesson's results change, so old cached results are not reused
NETWORKS = ("rnn", "last_hour")


def _fp(req: RnnTrainRequest) -> str:
    """The job's key: the settings that define the trained networks (not the patient shown) and the code version."""
    return jobs.fingerprint(VERSION, {"hidden": req.hidden, "epochs": req.epochs, "seed": req.seed})


@router.get("/options", response_model=RnnOptions)
async def options() -> dict:
    fields = RnnRequest.model_json_schema()["properties"]
    limits = {name: {"min": fields[name]["minimum"], "max": fields[name]["maximum"]} for name in ("seed", "patient")}
    return {**limits, "hidden": list(lesson.HIDDEN_CHOICES), "epochs": list(lesson.EPOCH_CHOICES),
            "defaults": RnnRequest().model_dump()}


def spec(req: RnnTrainRequest, server=None) -> JobSpec:
    """The training of these settings: its fingerprint, and the run that saves both networks."""
    fp = _fp(req)

    def run(report: jobs.Report) -> dict:
        key = jobs.JobPool.key(JOB, fp)
        checkpoints = {name: report.workdir / f"{key}-{name}.npz" for name in NETWORKS}
        report.workdir.mkdir(parents=True, exist_ok=True)
        result = lesson.train(**req.model_dump(), checkpoints=checkpoints,
                              progress=lambda f, msg, extra: report.progress(f, msg, **extra))
        for path in checkpoints.values():
            report.keep(path)  # their checksums go into the result: a changed file is not trusted
        return result

    return JobSpec(fp, run)


add_job_routes(router, JOB, request=RnnTrainRequest, snapshot=RnnSnapshot, spec=spec,
               start="/train", state="/train", cancel="/train/cancel", what="the training of these settings")


@router.post("/patient", response_model=RnnPatientResult,
             responses={409: {"description": "the networks of these settings are not trained (yet)"}})
async def patient(req: RnnRequest, pool: PoolDep) -> dict:
    """One validation patient through the saved networks of these settings (409 until trained)."""
    snap = pool.snapshot(JOB, _fp(req))
    if snap["status"] != jobs.DONE:
        where = {"none": "nobody has started it", "queued": "it waits for a free worker",
                 "running": f"it is running ({snap['percent']:g} %)", "failed": "it failed",
                 "cancelled": "it was cancelled"}[snap["status"]]
        raise HTTPException(409, detail=f"the networks of hidden={req.hidden}, epochs={req.epochs}, seed={req.seed} "
                                        f"are not trained yet ({where}): POST /api/rnn/train and wait until it is done")
    names = snap["result"]["checkpoints"]
    rnn, ff = (lesson.load_network(pool.workdir(JOB) / names[n]) for n in NETWORKS)
    return {"patient": lesson.patient_view(rnn, ff, req.seed, req.patient),
            "hidden": req.hidden, "epochs": req.epochs, "seed": req.seed}
