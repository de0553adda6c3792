"""What a running module server knows about itself: :class:`Settings`.

``create_app`` keeps one ``Settings`` on ``app.state.settings``; routes receive it as a
FastAPI dependency (``ml2dl.web.deps``). Several uvicorn workers (``ml2dl serve --workers N``)
each build their own app from the same settings, handed over as JSON in one environment
variable (:data:`ENV_VAR`), so they share one cache folder and one start time.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_CACHE_DIR = Path("~/.cache/ml2dl/module")
ENV_VAR = "ML2DL_SERVE_SETTINGS"
MAX_WORKERS = 16  # uvicorn worker processes of one server (``ml2dl serve --workers``)


@dataclass(frozen=True)
class Settings:
    """What the routes may need to know about this server.

    Args:
        data_path: ``ml2dl serve --data``: a PneumoniaMNIST-style ``.npz`` or a folder of two class
            folders (or None: the steps use synthetic phantoms).
        cache_dir: where long jobs keep their results and uploads their images (created on first
            write); shared by every worker of one server.
        training_budget: how much the background CNN trainings of steps 5 and 9 may use
            (an ``ml2dl.lessons.images.Budget``); None means each step's default.
        started_at: when the server started (seconds since the epoch); a job result finished
            before it is reported as ``cached`` (trained in an earlier run of the server).
        allowed_hosts: the names the server answers to (the ``Host`` header, DNS rebinding);
            None = any (an app built in a test or a notebook; ``serve`` always sets them).
        embed_from: origins of course sites allowed to embed the module in a frame.
        access_code: the class access code every page and API call needs (None = open).
        prestart: start the steps' default jobs (steps 5 and 9…) when the server starts.
        job_processes: run each long job in a child process at low priority (``serve`` does:
            the class's requests keep the CPU; ``ml2dl.web.jobprocess``), not in a thread of
            the worker (an app built in a test or a notebook).
    """

    data_path: Path | None
    cache_dir: Path
    training_budget: Any = None
    started_at: float = field(default_factory=time.time, compare=False)
    allowed_hosts: tuple[str, ...] | None = None
    embed_from: tuple[str, ...] = ()
    access_code: str | None = field(default=None, repr=False)
    prestart: bool = False
    job_processes: bool = False

    @classmethod
    def make(cls, *, data_path=None, cache_dir=None, training_budget=None, started_at=None, allowed_hosts=None,
             embed_from=(), access_code=None, prestart=False, job_processes=False) -> "Settings":
        """Settings from user-level values (paths as str, ``~`` expanded, the default cache folder)."""
        return cls(data_path=Path(data_path).expanduser() if data_path is not None else None,
                   cache_dir=Path(cache_dir if cache_dir is not None else DEFAULT_CACHE_DIR).expanduser(),
                   training_budget=training_budget,
                   started_at=time.time() if started_at is None else float(started_at),
                   allowed_hosts=None if allowed_hosts is None else tuple(allowed_hosts),
                   embed_from=tuple(embed_from or ()), access_code=access_code or None, prestart=bool(prestart),
                   job_processes=bool(job_processes))

    # -- handing the settings to worker processes ---------------------------------------------
    def to_json(self) -> str:
        budget = self.training_budget.as_dict() if self.training_budget is not None else None
        return json.dumps({"data_path": str(self.data_path) if self.data_path else None,
                           "cache_dir": str(self.cache_dir), "training_budget": budget,
                           "started_at": self.started_at, "allowed_hosts": self.allowed_hosts,
                           "embed_from": list(self.embed_from), "access_code": self.access_code,
                           "prestart": self.prestart, "job_processes": self.job_processes})

    @classmethod
    def from_json(cls, text: str) -> "Settings":
        d = json.loads(text)
        budget = d.get("training_budget")
        if budget is not None:
            from ml2dl.lessons.images import Budget

            budget = Budget(**budget)
        return cls.make(data_path=d.get("data_path"), cache_dir=d["cache_dir"], training_budget=budget,
                        started_at=d.get("started_at"), allowed_hosts=d.get("allowed_hosts"),
                        embed_from=d.get("embed_from", ()), access_code=d.get("access_code"),
                        prestart=d.get("prestart", False), job_processes=d.get("job_processes", False))

    @classmethod
    def from_env(cls) -> "Settings":
        """The settings ``serve`` put in :data:`ENV_VAR` for its workers (defaults when unset)."""
        text = os.environ.get(ENV_VAR)
        return cls.from_json(text) if text else cls.make()
