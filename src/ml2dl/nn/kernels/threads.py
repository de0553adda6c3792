"""The engine's threads: a batch is cut into parts, one per thread, and each part of a
kernel (patch copies, matrix product, elementwise work) runs on its own core.

    with num_threads(2):
        partials = in_parts(work, 64, size)   # [work(slice(0, 32)), work(slice(32, 64))] on two cores

How many threads is a setting of the calling thread (a context variable), never a hidden
process-wide global: ``with num_threads(n):`` sets it for the code inside the block, in this
thread only, so two threads (two web requests, a test and a training job) can each use their
own. A thread that never set it uses the default, every usable core (at most 8). The helper
threads run each part in a copy of the caller's context, so a nested call sees its count.

Why not leave the threads to BLAS, NumPy's matrix library? Measured on the lesson CNN
(2 cores): BLAS threads speed up only the matrix products, about half of an epoch, while
NumPy's elementwise loops stay on one core; worse, an idle BLAS thread keeps spinning for a
while after each product, on the core another thread would use. So while the parts run,
BLAS is held to one thread each, and the parts are the parallelism (as PyTorch's intra-op
threads are). NumPy releases the GIL inside its loops and BLAS calls, so plain Python
threads do run at the same time.

Parts are cut the same way every time and sums across them (dL/dW over the batch) are
added in part order, so a run is reproducible for a given thread count. Different thread
counts can differ in the last bits (BLAS may round a block of columns differently from the
whole, and sums are grouped differently), as in PyTorch.

BLAS and small products. A product too small to split (under MIN_PARALLEL_SIZE elements)
runs in the calling thread, but OpenBLAS threads any product of m·n·k ≥ 65,536·4 on its own
(16 × 784 by 784 × 128 in the overfitting lesson's first layer): those threads gain little
at that size, and on a busy 2-core server their idle spinning took one network from 3 s to
70 s (measured). So the rule: a kernel tells :func:`in_parts` the multiply-adds of its
products (``flops=m·n·k``), and one of at least BLAS_THREADS_FROM runs with BLAS held to one
thread, as the parts are. Tinier products (the playground's) skip the hold, which costs
~5 µs, because BLAS does not thread them anyway.

The helper threads are shared by the whole process. A call made while they are busy (a
second thread using the engine, or a nested call) runs its parts one after another in the
calling thread instead of waiting.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import threading

import numpy as np

from ...checks import positive_int
from .memory import memory_order

MIN_PARALLEL_SIZE = 1 << 15   # elements touched; below this one thread beats handing work over (~30 µs)
BLAS_THREADS_FROM = 65536 * 4  # m·n·k from which OpenBLAS threads a product (its SMP threshold)
MAX_DEFAULT_THREADS = 8       # parts of a 64-image batch get too small beyond this


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_threads = contextvars.ContextVar("ml2dl_engine_threads", default=max(1, min(_usable_cores(), MAX_DEFAULT_THREADS)))


@contextlib.contextmanager
def num_threads(n: int):
    """``with num_threads(n):`` the engine uses ``n`` threads inside the block (in this thread).

    The thread count changes results in the last bits: sums over the batch (dL/dW) are added
    part by part, and BLAS may round a block of columns differently from the whole. A given
    count always gives the same bits; 1 runs everything in the calling thread.
    """
    token = _threads.set(positive_int("number of threads", n))
    try:
        yield
    finally:
        _threads.reset(token)


def get_num_threads() -> int:
    """How many threads the engine uses here: the innermost :func:`num_threads`, or every usable
    core (at most 8) when none is active in this thread."""
    return _threads.get()


class _BlasThreads:
    """Holds BLAS to one thread while any part runs; restores its setting when none does.

    Uses threadpoolctl (found at first use); without it BLAS keeps its own setting.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._active = 0
        self._libraries = None
        self._saved: list[int] = []

    def _find(self):
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            return []
        return ThreadpoolController().select(user_api="blas").lib_controllers

    @contextlib.contextmanager
    def one_each(self):
        with self._lock:
            if self._active == 0:
                if self._libraries is None:
                    self._libraries = self._find()
                self._saved = [library.num_threads for library in self._libraries]
                for library in self._libraries:
                    library.set_num_threads(1)
            self._active += 1
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1
                if self._active == 0:
                    for library, n in zip(self._libraries, self._saved):
                        library.set_num_threads(n)


_blas = _BlasThreads()


class _Helper:
    """One helper thread that runs one job at a time, handed over through two locks."""

    def __init__(self):
        self._go, self._done = threading.Lock(), threading.Lock()
        self._go.acquire()
        self._done.acquire()
        self._job = None
        self._result = self._error = None
        threading.Thread(target=self._serve, name="ml2dl-engine", daemon=True).start()

    def _serve(self):
        while True:
            self._go.acquire()
            context, work, part = self._job
            try:
                self._result = context.run(work, part)  # with the caller's settings (its thread count)
            except BaseException as error:  # handed to the caller by wait()
                self._error = error
            finally:
                self._job = None
                self._done.release()

    def start(self, work, part):
        self._job = (contextvars.copy_context(), work, part)
        self._go.release()

    def wait(self):
        """Block until the job is done: (result, exception or None)."""
        self._done.acquire()
        outcome = (self._result, self._error)
        self._result = self._error = None
        return outcome


_helpers: list[_Helper] = []
_helpers_free = threading.Lock()


def _forget_helpers_after_fork():
    # a forked child inherits the list but not the threads, and locks other threads may have held
    global _helpers_free, _blas
    _helpers.clear()
    _helpers_free = threading.Lock()
    _blas = _BlasThreads()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_helpers_after_fork)


def part_bounds(n: int, parts: int) -> list[slice]:
    """range(n) cut into ``parts`` consecutive slices whose lengths differ by at most one."""
    step, extra = divmod(n, parts)
    slices, start = [], 0
    for i in range(parts):
        stop = start + step + (i < extra)
        slices.append(slice(start, stop))
        start = stop
    return slices


def in_parts(work, n: int, size: int, *, flops: int = 0) -> list:
    """``[work(part) for part in slices covering range(n)]``, one slice per thread, run at once.

    ``size`` (elements the work touches) decides whether splitting pays; small work runs as
    one part. ``flops``: the multiply-adds of the work's matrix products (m·n·k), which decide
    whether BLAS must be held to one thread when the work is not split (see above).
    Results come back in part order. BLAS is held to one thread in every part.
    """
    if size < MIN_PARALLEL_SIZE:  # too small to split
        if flops < BLAS_THREADS_FROM:  # and too small for BLAS to thread
            return [work(slice(0, n))]
        with _blas.one_each():
            return [work(slice(0, n))]
    parts = min(_threads.get(), n)
    with _blas.one_each():
        if parts < 2 or not _helpers_free.acquire(blocking=False):
            return [work(part) for part in part_bounds(n, parts)]
        try:
            while len(_helpers) < parts - 1:
                _helpers.append(_Helper())
            slices = part_bounds(n, parts)
            for helper, part in zip(_helpers, slices[1:]):
                helper.start(work, part)
            try:
                first = work(slices[0])
            finally:  # wait for every helper, so none is still writing when we return
                outcomes = [helper.wait() for helper in _helpers[: parts - 1]]
            for _, error in outcomes:
                if error is not None:
                    raise error
            return [first] + [result for result, _ in outcomes]
        finally:
            _helpers_free.release()


def in_parts_along(work, like: np.ndarray) -> list:
    """:func:`in_parts` over ``like``'s outermost axis in memory (so each part is one block
    of memory); ``work`` gets an index tuple that selects its part of ``like``."""
    if like.ndim == 0:
        return [work(())]
    axis = next((a for a in memory_order(like) if like.shape[a] > 1), 0)
    lead = (slice(None),) * axis
    return in_parts(lambda part: work(lead + (part,)), like.shape[axis], like.size)
