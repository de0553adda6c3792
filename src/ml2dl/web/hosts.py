"""Where the server listens, and the names it may be reached by (``ml2dl serve``).

    usable_cores()                 the default number of worker processes
    served_names("0.0.0.0")        the Host names accepted (loopback, this machine's name and addresses)
    urls("0.0.0.0", 8000)          the address to open here first, then the ones students can use
    check_origin("https://x.org")  an --embed-from origin, checked
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

from ..checks import InputError

LOOPBACK = ("127.0.0.1", "localhost", "::1")
ANY = ("0.0.0.0", "::", "")


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity mask; all cores where there is none)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def is_public(host: str) -> bool:
    """Whether binding ``host`` lets other machines connect (anything but loopback)."""
    return host not in LOOPBACK and not host.startswith("127.")


def machine_addresses() -> list[str]:
    """This machine's IPv4 addresses other machines may use (no loopback), best guess first."""
    found: list[str] = []
    try:  # the address of the default route: a UDP "connect" sends nothing
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere
            found.append(s.getsockname()[0])
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(info[4][0])
    except OSError:
        pass
    out = []
    for a in found:
        if not a.startswith("127.") and a not in out:
            out.append(a)
    return out


def served_names(host: str) -> tuple[str, ...]:
    """The ``Host`` names the server answers to when bound to ``host`` (the rest: DNS rebinding)."""
    names = list(LOOPBACK)
    if host not in ANY and host.lower() not in names:
        names.append(host.lower())
    if host in ANY:
        hostname = socket.gethostname().lower()
        names += [hostname, f"{hostname}.local", socket.getfqdn().lower(), *machine_addresses()]
    return tuple(dict.fromkeys(names))


def urls(host: str, port: int) -> list[str]:
    """The URL to open on this machine, then (bound to every interface) those students can use."""
    if host in ANY:
        return [f"http://127.0.0.1:{port}/", *(f"http://{a}:{port}/" for a in machine_addresses())]
    shown = f"[{host}]" if ":" in host else host
    return [f"http://{shown}:{port}/"]


def check_origin(origin: str) -> str:
    """``https://course.example.org`` (scheme and host, optional port, nothing else)."""
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") \
            or parts.query or any(c in origin for c in " ;'\""):
        raise InputError(f"--embed-from must be an origin like https://course.example.org, got {origin[:80]!r}")
    return f"{parts.scheme}://{parts.netloc}"
