"""Who may drive the server from a browser: the ``Host`` a request names and the page it
comes from.

A server without API keys (the loopback default) trusts whoever can reach it, so it must
make sure that only this machine's own clients reach it:

- **DNS rebinding**: a web page whose name is re-pointed at 127.0.0.1 talks to the server
  with its own name in ``Host``. Only loopback names (``localhost``, ``127.0.0.0/8``,
  ``[::1]``) and the names configured in ``VO_ALLOWED_HOSTS`` are answered.
- **Cross-site requests**: a page can send a "simple" request (a form post, ``text/plain``,
  no preflight) to any address. A request that changes something (not GET/HEAD/OPTIONS) is
  refused when the browser says it comes from another site (``Sec-Fetch-Site: cross-site``)
  or from an ``Origin`` that is neither the server itself nor one of ``VO_CORS_ORIGINS``.

Programs (curl, the CLI, SDKs) send neither header and are not affected.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers

from video_orchestrator.errors import ForbiddenError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Content types a raw (non-form) upload may declare.
MEDIA_TYPE_PREFIXES = ("video/", "image/", "audio/", "application/octet-stream")


def host_name(host: str) -> str:
    """The name part of a ``Host`` header or of an origin's authority, lower-case, without
    the port and the brackets of an IPv6 address."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        return host.partition(":")[0]
    return host


def is_loopback_name(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class BrowserPolicy:
    """The ``Host`` and ``Origin`` rules of one server, from its settings."""

    #: Host names answered beyond the loopback names; ``"*"`` answers any.
    allowed_hosts: frozenset[str] = frozenset()
    #: True when no API key is asked for: then only loopback names (and ``allowed_hosts``).
    loopback_only: bool = True
    #: Origins of pages that may call the API (``VO_CORS_ORIGINS``).
    trusted_origins: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, *, allowed_hosts: list[str], key_required: bool, cors_origins: list[str]
    ) -> BrowserPolicy:
        return cls(
            allowed_hosts=frozenset(host_name(h) if h != "*" else h for h in allowed_hosts),
            loopback_only=not key_required,
            trusted_origins=frozenset(o.rstrip("/").lower() for o in cors_origins),
        )

    def host_allowed(self, host: str | None) -> bool:
        if "*" in self.allowed_hosts:
            return True
        name = host_name(host or "")
        if is_loopback_name(name) or name in self.allowed_hosts:
            return True
        # With API keys, every request proves itself; a name list is then optional.
        return not self.loopback_only and not self.allowed_hosts

    def check(self, method: str, headers: Headers) -> None:
        """Raise :class:`ForbiddenError` for a request this server must not answer."""
        host = headers.get("host")
        if not self.host_allowed(host):
            raise ForbiddenError(
                f"this server does not answer to the name {host_name(host or '')!r}: add it to "
                "VO_ALLOWED_HOSTS to reach the server by that name"
            )
        if method.upper() in SAFE_METHODS:
            return
        origin = headers.get("origin")
        if origin is not None:
            if self._origin_allowed(origin, host or ""):
                return
            raise ForbiddenError(
                f"a page at {origin} may not change anything here; add it to VO_CORS_ORIGINS "
                "to allow it"
            )
        if headers.get("sec-fetch-site", "").lower() == "cross-site":
            raise ForbiddenError("a page of another site may not change anything here")

    def _origin_allowed(self, origin: str, host: str) -> bool:
        origin = origin.strip().rstrip("/").lower()
        if origin in self.trusted_origins:
            return True
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False  # "null" (a sandboxed frame, a file), or nonsense
        return parts.netloc == host.strip().lower()


def is_media_type(content_type: str) -> bool:
    """Whether a raw upload's ``Content-Type`` names media (or plain bytes)."""
    return content_type.strip().lower().startswith(MEDIA_TYPE_PREFIXES)
