"""The module's front door: one ASGI middleware every request passes, whatever its route.

It wraps the whole app (``create_app`` installs it), so a route added tomorrow gets all of this
without doing anything:

- **security headers** on every response: a Content-Security-Policy without inline script
  (``script-src 'self'``), ``frame-ancestors 'self'`` (plus ``Settings.embed_from``, a course
  site allowed to embed the module; /docs a stricter one, :data:`DOCS_CSP`), ``X-Content-Type-Options:
  nosniff``, a referrer policy;
  no ``server`` banner (``serve`` turns uvicorn's off; one set by the app is dropped here);
- **Host check** against the names the server is reached by (``Settings.allowed_hosts``): a
  page of another site that re-points its DNS name at this machine (DNS rebinding) is refused;
- **same origin** for state-changing requests (POST, PUT, PATCH, DELETE): a browser's ``Origin``
  (or ``Sec-Fetch-Site``) must say this site; their bodies must be JSON (uploads: multipart);
- **body size** limited before it is read: a ``Content-Length`` over the limit is refused from
  the header, a streamed body is counted and cut off at the limit (413 either way);
- an optional **class access code** (``Settings.access_code``): without it, pages get a small
  form asking for it (which then sends the student on to the page asked for, a path of this site
  only) and API calls a 401;
- ``Server-Timing: app;dur=<ms>``: the time spent inside the app (the load benchmark reads it).

Refusals use the app's one error shape ``{"message", "detail"}`` (``ml2dl.web.errors``).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import time
from typing import Any, Callable
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from starlette.exceptions import HTTPException

MAX_JSON_BYTES = 1 << 20  # 1 MiB: the largest JSON body a step sends (a playground state) is ~10 KB
UNSAFE_METHODS = frozenset({b"POST", b"PUT", b"PATCH", b"DELETE"})
ACCESS_COOKIE = "ml2dl_access"
ACCESS_PARAM = "access_code"
NEXT_PARAM = "next"  # the access form's hidden field: the page the student asked for

Scope = dict[str, Any]


def content_security_policy(embed_from: tuple[str, ...] = ()) -> str:
    """The CSP of every response: scripts only from this server, no inline script, no plugins.

    Styles may be inline (plotly sets element styles); images may be ``data:``/``blob:`` URLs
    (filtered images are PNG data URLs, plotly's "download as PNG" makes a blob).
    """
    ancestors = " ".join(("'self'", *embed_from))
    return ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
            f"base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}")


# /docs is the module's own page with Swagger UI served from a Python package (app.py, static/docs.js):
# no CDN, no inline script, so it runs under a CSP stricter than the steps': nothing but its own files
# and calls to this server (Try it out), no inline style (Swagger UI styles through the DOM, which a CSP
# allows), no form, not framed. What remains is `img-src data:`: swagger-ui.css draws its icons
# (arrows, copy, lock) as SVG data: URLs, blocked without it (checked in Chromium: the violations
# are exactly those; tests/browser/test_docs_csp.py).
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
DOCS_PATHS: tuple[str, ...] = ("/docs",)


def access_token(code: str) -> str:
    """What the access cookie holds: a hash of the code (the code itself is never stored in it)."""
    return hashlib.sha256(f"ml2dl-access:{code}".encode()).hexdigest()[:32]


def short(text: str, limit: int = 40) -> str:
    """At most ``limit`` characters of something received (a message never echoes a whole body)."""
    return text if len(text) <= limit else text[:limit] + "…"


class Guard:
    """The ASGI middleware (see the module docstring).

    Args:
        app: the ASGI app it protects.
        allowed_hosts: host names (no port) the server answers to; None = no Host check.
        embed_from: origins allowed to frame the module (``frame-ancestors``).
        access_code: the class access code; None = open.
        max_body: the largest request body in bytes for ``multipart/form-data`` (uploads);
            JSON bodies get :data:`MAX_JSON_BYTES`.
    """

    def __init__(self, app, *, allowed_hosts: tuple[str, ...] | None = None, embed_from: tuple[str, ...] = (),
                 access_code: str | None = None, max_body: int = 11 << 20):
        self.app = app
        self.allowed_hosts = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}
        self.max_body = int(max_body)
        self.token = access_token(access_code) if access_code else None
        csp = content_security_policy(tuple(embed_from))
        common = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                  (b"cross-origin-opener-policy", b"same-origin")]
        self._headers = [(b"content-security-policy", csp.encode()), *common]
        self._docs_headers = [(b"content-security-policy", DOCS_CSP.encode()), *common]

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        drop = {b"server", *(name for name, _ in self._headers)}

        def sender(extra: list) -> Callable:
            async def send_with_headers(message: dict) -> None:
                if message["type"] == "http.response.start":
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in drop]
                    ms = (time.perf_counter() - started) * 1e3
                    headers += [*extra, (b"server-timing", f"app;dur={ms:.2f}".encode())]
                    message = {**message, "headers": headers}
                await send(message)
            return send_with_headers

        # a refusal (the access form has an inline style) answers under the module's CSP; the app under
        # the CSP of the page it answers
        send_with_headers = sender(self._headers)

        refusal = self._refusal(scope)
        if refusal is None and self.token is not None:
            redirect = self._access_redirect(scope)
            if redirect is not None:
                await _respond(send_with_headers, 303, redirect[0], headers=redirect[1])
                return
            refusal = self._access_refusal(scope)
        if refusal is not None:
            await _respond(send_with_headers, *refusal)
            return
        page_headers = self._docs_headers if scope["path"] in DOCS_PATHS else self._headers
        await self.app(scope, self._limited(scope, receive), sender(page_headers))

    # -- the checks, in order --------------------------------------------------------------------
    def _refusal(self, scope: Scope) -> tuple[int, Any] | None:
        headers = _headers(scope)
        host = headers.get(b"host", b"").decode("latin-1")
        if self.allowed_hosts is not None and _host_name(host) not in self.allowed_hosts:
            return 421, _error(f"this server answers to {sorted(self.allowed_hosts)}, got Host {short(host)!r}")
        if scope["method"].encode() in UNSAFE_METHODS:
            origin = headers.get(b"origin", b"").decode("latin-1")
            site = headers.get(b"sec-fetch-site", b"").decode("latin-1")
            if origin and origin != "null" and urlsplit(origin).netloc.lower() != host.lower():
                return 403, _error(f"requests that change something must come from this site's pages, "
                                   f"got Origin {short(origin)!r}")
            if origin == "null" or site in ("cross-site", "same-site"):
                return 403, _error("requests that change something must come from this site's pages, "
                                   f"got a request from another site ({short(site or origin)})")
            return self._body_refusal(headers)
        return None

    def _body_refusal(self, headers: dict[bytes, bytes]) -> tuple[int, Any] | None:
        length = headers.get(b"content-length")
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower().decode("latin-1")
        if length is not None:
            if not length.isdigit():
                return 400, _error(f"Content-Length must be a whole number, got {short(length.decode('latin-1'))!r}")
            if int(length) == 0:
                return None
        elif b"transfer-encoding" not in headers:
            return None  # no body at all
        if kind not in ("application/json", "multipart/form-data"):
            return 415, _error(f"request bodies must be JSON (application/json), got {short(kind) or 'no type'!r}")
        limit = self.max_body if kind == "multipart/form-data" else MAX_JSON_BYTES
        if length is not None and int(length) > limit:
            return 413, _error(f"request bodies of at most {limit:,} bytes, got {int(length):,}")
        return None

    def _limited(self, scope: Scope, receive: Callable) -> Callable:
        """``receive`` that counts the body and stops it at the limit (a chunked body has no length)."""
        if scope["method"].encode() not in UNSAFE_METHODS:
            return receive
        kind = _headers(scope).get(b"content-type", b"").split(b";")[0].strip().lower()
        limit = self.max_body if kind == b"multipart/form-data" else MAX_JSON_BYTES
        seen = 0

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # handled like any HTTPException by the app (ml2dl.web.errors): a 413
                    raise HTTPException(413, f"request bodies of at most {limit:,} bytes, got more")
            return message

        return counted

    # -- the class access code ------------------------------------------------------------------
    def _access_refusal(self, scope: Scope) -> tuple[int, Any] | None:
        cookies = _cookies(_headers(scope).get(b"cookie", b"").decode("latin-1"))
        if hmac.compare_digest(cookies.get(ACCESS_COOKIE, ""), self.token or ""):
            return None
        if scope["path"].startswith("/api/"):
            return 401, _error("this class needs an access code: open the module's page and enter it")
        query = dict(_query(scope))
        return 401, _AccessPage(bool(query.get(ACCESS_PARAM)), _asked_for(scope))

    def _access_redirect(self, scope: Scope) -> tuple[dict, list] | None:
        """A page opened with the right ``?access_code=``: set the cookie, send the student on to the
        page asked for (the form's ``next``, if a path of this site; else this URL without the code)."""
        query = _query(scope)
        given = dict(query).get(ACCESS_PARAM)
        if given is None or not hmac.compare_digest(access_token(given), self.token):
            return None
        location = _asked_for(scope)
        cookie = f"{ACCESS_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
        return _error("access granted"), [(b"location", location.encode()), (b"set-cookie", cookie.encode())]


# ------------------------------------------------------------------------------ helpers


def same_site_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site (``/…``), else None.

    Refused: another site (``https://x``, ``//x``, ``/\\x``: browsers read a backslash as a slash),
    a scheme (``javascript:``), control characters (a CR LF would split the Location header).
    The answer is ASCII (what is not is percent-encoded), fit for a header.
    """
    if not target or not target.startswith("/") or "\\" in target or target.startswith("//"):
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return quote(target, safe="/?&=;:@!$'()*+,~-._%#")


def _asked_for(scope: Scope) -> str:
    """The page the student asked for: the form's ``next`` when it names a page of this site,
    else this URL without the code (never the code: it would stay in the history)."""
    query = _query(scope)
    given = same_site_path(dict(query).get(NEXT_PARAM))
    if given is not None:
        return given
    rest = urlencode([(k, v) for k, v in query if k not in (ACCESS_PARAM, NEXT_PARAM)])
    return same_site_path(scope["path"] + (f"?{rest}" if rest else "")) or "/"


class _AccessPage(str):
    """The page that asks for the class access code (no script: a plain form)."""

    def __new__(cls, wrong: bool, asked_for: str = "/"):
        note = "<p class='wrong'>That code is not right; ask your teacher again.</p>" if wrong else ""
        page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>ml2dl — access code</title>
<style>body{{font:18px/1.5 system-ui,sans-serif;max-width:30rem;margin:4rem auto;padding:0 1rem}}
input,button{{font:inherit;padding:.4rem .6rem}}.wrong{{color:#b00}}</style></head><body>
<h1>This class needs an access code</h1>
<p>Your teacher started the module with an access code. Type it here to open the module.</p>{note}
<form method="get" action="/"><label for="code">Access code</label><br>
<input type="hidden" name="{NEXT_PARAM}" value="{html.escape(asked_for, quote=True)}">
<input id="code" name="{ACCESS_PARAM}" type="password" autocomplete="off" required autofocus>
<button type="submit">Open the module</button></form></body></html>"""
        return super().__new__(cls, page)


def _error(message: str) -> dict:
    return {"message": message, "detail": message}


async def _respond(send: Callable, status: int, body: Any, headers: list | None = None) -> None:
    if isinstance(body, _AccessPage):
        data, kind = str(body).encode(), b"text/html; charset=utf-8"
    else:
        data, kind = json.dumps(body).encode(), b"application/json"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(data)).encode()),
                            (b"cache-control", b"no-store"), *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {k.lower(): v for k, v in scope.get("headers", [])}


def _query(scope: Scope) -> list[tuple[str, str]]:
    return parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)


def _host_name(host: str) -> str:
    """'127.0.0.1:8000' → '127.0.0.1', '[::1]:8000' → '::1', 'Example.org' → 'example.org'."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _cookies(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            out[name] = value
    return out
