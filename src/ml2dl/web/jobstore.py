"""The disk side of long jobs: what every worker process of one server can see.

All workers of a server share one cache folder; a job is known there by its key
(``<name>-<fingerprint>``), under ``<cache_dir>/jobs/``:

    <key>.json        the result (JSON object), written once, atomically: the job is done; it records
                      the sha256 of the files it needs, checked before it is trusted
    <key>.state.json  status, progress, message, extras, error, start and end times
    <key>.lock        flock'ed (exclusive) by the process that runs the job, while queued or running
    <key>.cancel      present = someone asked the job to stop (any worker may write it)
    <key>.followers   who follows the queued or running job: {"students": n, "class": bool} (read and
                      written under the guard; rewritten when the job starts, removed when it ends)
    <key>.log         one JSON line per event (queued, started, done / failed / cancelled), with the pid
    .guard            flock'ed briefly around "is anyone running it? then I start it"

The kernel releases a ``flock`` when its process dies, so a job whose state says "running"
while nobody holds its lock was interrupted (the server stopped), not still running.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, NamedTuple

from ..files import atomic_write_text


class Followers(NamedTuple):
    """Who follows a queued or running job: ``students`` who started or joined it and have not
    cancelled, and ``for_class``: the server started it for the class (it always runs to completion)."""

    students: int = 0
    for_class: bool = False

    @property
    def anyone(self) -> bool:
        return self.students > 0 or self.for_class


class JobStore:
    """Files of the jobs under ``cache_dir/jobs`` (see the module docstring)."""

    def __init__(self, cache_dir: str | os.PathLike):
        self.cache_dir = Path(cache_dir)
        self.folder = self.cache_dir / "jobs"
        self._verified: set[tuple] = set()  # artefacts whose checksum matched (path, size, mtime, digest)

    def path(self, key: str, suffix: str) -> Path:
        return self.folder / f"{key}{suffix}"

    def result_path(self, key: str) -> Path:
        return self.path(key, ".json")

    # -- locks --------------------------------------------------------------------------------
    @contextmanager
    def guard(self) -> Iterator[None]:
        """Hold the folder's guard lock: check-then-start and probes never interleave."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / ".guard", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def try_lock(self, key: str) -> int | None:
        """Take the job's lock without waiting: the open file descriptor, or None if it is held.

        flock locks belong to an open file, so a second open in the same process conflicts
        too: the lock says "a job runs" whichever process or thread asks.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path(key, ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return fd

    @staticmethod
    def unlock(fd: int) -> None:
        os.close(fd)

    def is_locked(self, key: str) -> bool:
        """Whether some process holds the job's lock (call under :meth:`guard`)."""
        if not self.path(key, ".lock").exists():
            return False
        fd = self.try_lock(key)
        if fd is None:
            return True
        self.unlock(fd)
        return False

    # -- result and state ---------------------------------------------------------------------
    def read_result(self, key: str) -> dict | None:
        """The stored result if it can be trusted: a whole JSON object whose recorded artefacts
        (``result["artefacts"]``: path under the cache folder → sha256) are there, unchanged."""
        result = _read_object(self.result_path(key))
        if result is None:
            return None
        artefacts = result.get("artefacts", {})
        if not isinstance(artefacts, dict) or not all(self._intact(p, d) for p, d in artefacts.items()):
            return None
        return result

    def write_result(self, key: str, result: dict, artefacts: list[Path] = ()) -> dict:
        """Store ``result`` as strict JSON with the checksums of its ``artefacts`` (files under the
        cache folder); returns it as read back (what every worker will see)."""
        if artefacts:
            result = {**result, "artefacts": {Path(p).relative_to(self.cache_dir).as_posix(): sha256_file(p)
                                              for p in artefacts}}
        text = json.dumps(result, allow_nan=False)
        atomic_write_text(self.result_path(key), text)
        return json.loads(text)

    def _intact(self, relative: str, digest: str) -> bool:
        """Whether ``cache_dir/relative`` still has the recorded sha256 (memoised by size and mtime)."""
        path = self.cache_dir / relative
        if ".." in Path(relative).parts:
            return False
        try:
            st = path.stat()
        except OSError:
            return False
        stamp = (str(path), st.st_size, st.st_mtime_ns, digest)
        if stamp not in self._verified:
            if sha256_file(path) != digest:
                return False
            self._verified.add(stamp)
        return True

    def read_state(self, key: str) -> dict | None:
        return _read_object(self.path(key, ".state.json"))

    def write_state(self, key: str, state: dict) -> None:
        atomic_write_text(self.path(key, ".state.json"), json.dumps(state, allow_nan=False))

    def forget(self, key: str) -> None:
        """Remove the result and state (the job will run again when asked)."""
        for suffix in (".json", ".state.json"):
            self.path(key, suffix).unlink(missing_ok=True)

    # -- cancel markers and the journal -----------------------------------------------------
    def request_cancel(self, key: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path(key, ".cancel").touch()

    def cancel_requested(self, key: str) -> bool:
        return self.path(key, ".cancel").exists()

    def clear_cancel(self, key: str) -> None:
        self.path(key, ".cancel").unlink(missing_ok=True)

    # -- followers (call under :meth:`guard`) -------------------------------------------------
    def followers(self, key: str) -> Followers:
        """Who follows the job: students who started or joined it, and whether the class does."""
        found = _read_object(self.path(key, ".followers")) or {}
        students = found.get("students", 0)
        return Followers(students if isinstance(students, int) and students > 0 else 0, found.get("class") is True)

    def set_followers(self, key: str, followers: Followers) -> None:
        atomic_write_text(self.path(key, ".followers"),
                          json.dumps({"students": followers.students, "class": followers.for_class}))

    def clear_followers(self, key: str) -> None:
        self.path(key, ".followers").unlink(missing_ok=True)

    def journal(self, key: str, event: str, **info: Any) -> None:
        """Append one event line (O_APPEND: lines of several processes do not mix)."""
        line = json.dumps({"time": round(time.time(), 3), "pid": os.getpid(), "event": event, **info}) + "\n"
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path(key, ".log"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)

    def events(self, key: str) -> list[dict]:
        """The journal's events, oldest first."""
        try:
            text = self.path(key, ".log").read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def sha256_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_object(path: Path) -> dict | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None
