"""Step ``rnn`` API: a recurrent network on synthetic vital signs (``ml2dl.lessons.rnn``).

    GET  /api/rnn/options                              the choices, limits and defaults
    POST /api/rnn  {hidden, epochs, seed, patient}     → accuracy of both networks, one patient's series,
                                                         hidden states and risk, the gradient through time

Both networks train in about a second (measured: 1.3 s with the defaults on an idle core, 0.4 s at
H = 4 and 5 epochs, up to 3.6 s at H = 16 and 40 epochs on a busy 2-core machine) and are kept in
memory by their settings, so a plain request; another patient is answered in about a millisecond.
"""

from __future__ import annotations

from fastapi import APIRouter

from ml2dl.lessons import rnn as lesson
from ml2dl.web.schemas.rnn import RnnOptions, RnnRequest, RnnResult

router = APIRouter(prefix="/api/rnn", tags=["rnn"])


@router.post("", response_model=RnnResult)
def rnn(req: RnnRequest) -> dict:
    """Train both networks (once per setting) and describe one validation patient."""
    return lesson.lesson(**req.model_dump())


@router.get("/options", response_model=RnnOptions)
def options() -> dict:
    fields = RnnRequest.model_json_schema()["properties"]
    limits = {name: {"min": fields[name]["minimum"], "max": fields[name]["maximum"]} for name in ("seed", "patient")}
    return {**limits, "hidden": list(lesson.HIDDEN_CHOICES), "epochs": list(lesson.EPOCH_CHOICES),
            "defaults": RnnRequest().model_dump()}
