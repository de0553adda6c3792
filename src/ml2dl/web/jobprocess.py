"""A long job in a process of its own, at low priority: the class's requests keep the CPU and the GIL.

Why. A training run in a thread of a web worker shares that worker's one GIL with the event
loop that answers the students: each time the loop wants the GIL back, it waits for the
training to let go of it, and the training's threads take the cores besides. Measured with
``benchmarks/classroom_load.py`` (200 students, 2 workers) beside two clinic trainings: small
calls p95 948 ms with the trainings in threads. In a process of its own a training has its own
GIL, and at :data:`NICENESS` the kernel gives the web workers the CPU first, so the trainings
take what the class leaves.

How. The job's thread in the worker forks. The child inherits the job function with its data
and its :class:`~ml2dl.web.jobs.Report` (nothing is pickled), runs it, writes its progress and
result to the job store exactly as a thread would, and sends its outcome (a small JSON object)
back through a pipe; the thread waits for it and finishes the job (final state, lock).

What the child must not keep of its parent:

- **open files**: the students' connections, the listening socket, other jobs' lock files and
  the job store's guard. A descriptor it kept would hold a lock, or a connection the worker has
  closed, open for as long as the training runs. It closes every descriptor but stdio and its pipe.
- **finalisers**: ``gc.freeze()`` first, so no object of the parent is collected (and closes
  a descriptor number the child has since reused) in the child.
- **signal handlers**: SIGINT and SIGTERM are the default ones again (the worker's are for
  its event loop, which does not run here), so a Ctrl+C or the worker's shutdown stops it.
- **life beyond its worker**: on Linux it is killed when the worker's job thread dies
  (``PR_SET_PDEATHSIG``), so a ``kill -9`` of the server leaves no training behind.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import signal
import sys
import traceback
from typing import Callable

NICENESS = 10  # added to the worker's: at 10 a process gets ~1/10 of a core a busy worker would want
PR_SET_PDEATHSIG = 1  # linux/prctl.h
DIED = "died"  # the key of the outcome of a child that ended without sending one


def run_in_child(compute: Callable[[], dict], started: Callable[[int], None] = lambda pid: None) -> dict:
    """``compute()`` in a forked child process; its outcome, a JSON-able dict.

    ``started(pid)`` is called in the parent once the child runs (to stop it early: SIGTERM).
    A child that ended without an outcome (a signal, a crash) gives ``{DIED: "how it ended",
    "signal": the signal that stopped it, or None}``.
    """
    read, write = os.pipe()
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:  # no memory or process left for a child: the caller fails the job
        os.close(read)
        os.close(write)
        raise
    if pid == 0:  # the child: never returns
        _child(compute, write, parent)
    os.close(write)
    started(pid)
    with os.fdopen(read, "rb") as pipe:
        sent = pipe.read()  # until the child's end closes: when it exits
    _, status = os.waitpid(pid, 0)
    if sent:
        try:
            return json.loads(sent)
        except ValueError:
            pass
    return {DIED: _how_it_ended(status), "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None}


def _child(compute: Callable[[], dict], write: int, parent: int) -> None:
    code = 70  # EX_SOFTWARE: the outcome could not be sent
    try:
        gc.freeze()
        os.closerange(3, write)
        os.closerange(write + 1, _max_fd())
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                signal.signal(sig, signal.SIG_DFL)
            except ValueError:  # not the main thread (should not happen after fork)
                pass
        _die_with(parent)
        os.nice(NICENESS)
        payload = json.dumps(compute()).encode()
        while payload:
            payload = payload[os.write(write, payload):]
        code = 0
    except BaseException:  # noqa: BLE001  (the parent reports it; the child must reach _exit)
        traceback.print_exc(file=sys.stderr)
    finally:
        os._exit(code)  # no atexit handlers, no buffers of the parent flushed twice


def _max_fd() -> int:
    try:
        return max(256, int(os.sysconf("SC_OPEN_MAX")))
    except (ValueError, OSError):
        return 65536


def _die_with(parent: int) -> None:
    """Ask Linux to kill this process when the thread that forked it dies (no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(70)


def _how_it_ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return f"the training's process was stopped by {name}"
    return f"the training's process ended without a result (exit code {os.waitstatus_to_exitcode(status)})"
