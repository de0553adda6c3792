"""Static files sent compressed and cacheable: every student fetches them, so they must be cheap.

plotly.js alone is 4.8 MB; gzipped it is about 1.4 MB, and a browser that has it answers a
revalidation with a 304 of a few bytes. Each file is served with

- an ``ETag`` (hash of its bytes; the gzipped variant has its own) and ``Vary: Accept-Encoding``,
  so ``If-None-Match`` gets ``304 Not Modified``;
- ``Content-Encoding: gzip`` when the browser accepts it, compressed once per process and kept
  (keyed by the file's size and mtime: an edited file is compressed again);
- the ``Cache-Control`` its route asks for: the module's own files ``no-cache`` (revalidate: an
  edited step shows on refresh, at the cost of one 304), plotly.js a day (it changes only with
  the installed plotly package, and its ETag with it).

    assets = Assets()
    assets.response(path, request, cache_control="no-cache")   # a starlette Response
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

GZIP_LEVEL = 6  # plotly.js: 4.8 MB → ~1.4 MB in ~0.3 s, once per process
MIN_GZIP_BYTES = 1024  # smaller files are not worth a compression header
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")


@dataclass(frozen=True)
class _Entry:
    stamp: tuple[int, int]  # (size, mtime_ns) of the file when read
    media_type: str
    etag: str
    body: bytes
    gz: bytes | None


class Assets:
    """Files read once per process, with their ETag and gzipped bytes (thread-safe)."""

    def __init__(self):
        self._entries: dict[Path, _Entry] = {}
        self._locks: dict[Path, threading.Lock] = {}
        self._lock = threading.Lock()

    def warm(self, paths) -> threading.Thread:
        """Read and compress ``paths`` in a background thread (at start, before the students come)."""

        def run() -> None:
            for path in paths:
                try:
                    self._entry(Path(path))
                except OSError:
                    pass

        thread = threading.Thread(target=run, name="ml2dl-assets", daemon=True)
        thread.start()
        return thread

    def response(self, path: Path, request: Request, *, cache_control: str) -> Response:
        """The file at ``path`` for this request: 200 (gzip if accepted) or 304."""
        entry = self._entry(path)
        use_gz = entry.gz is not None and "gzip" in request.headers.get("accept-encoding", "").lower()
        etag = f'"{entry.etag}-gz"' if use_gz else f'"{entry.etag}"'
        headers = {"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
        if etag in _etags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)
        if use_gz:
            headers["Content-Encoding"] = "gzip"
        body = b"" if request.method == "HEAD" else (entry.gz if use_gz else entry.body)
        response = Response(body, media_type=entry.media_type, headers=headers)
        if request.method == "HEAD":
            response.headers["content-length"] = str(len(entry.gz if use_gz else entry.body))
        return response

    def _entry(self, path: Path) -> _Entry:
        st = path.stat()  # FileNotFoundError for a missing file: the route turns it into a 404
        stamp = (st.st_size, st.st_mtime_ns)
        entry = self._entries.get(path)
        if entry is not None and entry.stamp == stamp:
            return entry
        with self._lock:
            lock = self._locks.setdefault(path, threading.Lock())
        with lock:  # one thread compresses a file; the others asking for it wait for its result
            entry = self._entries.get(path)
            if entry is None or entry.stamp != stamp:
                body = path.read_bytes()
                media_type = _media_type(path)
                gz = (gzip.compress(body, GZIP_LEVEL, mtime=0)
                      if len(body) >= MIN_GZIP_BYTES and media_type.startswith(COMPRESSIBLE) else None)
                entry = _Entry(stamp, media_type, hashlib.sha256(body).hexdigest()[:20], body, gz)
                self._entries[path] = entry
        return entry


def safe_path(root: Path, relative: str) -> Path | None:
    """``root/relative`` if it is a file inside ``root`` (no ``..`` escapes), else None."""
    try:
        path = (root / relative).resolve()
    except (OSError, ValueError):
        return None
    return path if path.is_relative_to(root.resolve()) and path.is_file() else None


def _media_type(path: Path) -> str:
    if path.suffix in (".js", ".mjs"):
        return "text/javascript; charset=utf-8"
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") else kind


def _etags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}
