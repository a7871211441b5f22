"""Download a file from a URL a user gave, safely: http(s) only, public addresses only (no
localhost, private, link-local or metadata addresses — checked for every redirect hop), a size
limit enforced while streaming (:func:`video_orchestrator.providers.transport.copy_limited`),
a timeout, and a private temporary file that only a complete download leaves behind.

Known limit: the address is checked when resolved, and httpx resolves again when it connects;
a DNS server that answers differently the second time (rebinding) is not stopped here.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from video_orchestrator.errors import (
    BlockedUrlError,
    InputError,
    PayloadTooLarge,
    ProviderError,
    ProviderUnavailable,
)
from video_orchestrator.providers import transport

MAX_REDIRECTS = 5
GRACE_SECONDS = 10.0  # a download may start slowly (TLS, a cold CDN) before its pace counts

Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(f"the host {host!r} cannot be found") from exc
    return sorted({str(info[4][0]) for info in infos})


#: NAT64 prefixes (RFC 6052 well-known, RFC 8215 local use): the last 32 bits are IPv4.
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: IPv4-mapped, 6to4, Teredo (server and
    client) and NAT64 forms each lead to an IPv4 host that must be checked too."""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if any(ip in network for network in NAT64):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _is_public_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv4Address) and ip in SHARED_ADDRESS_SPACE)
    )


def is_public(address: str) -> bool:
    """Whether ``address`` is a public host, and so is every IPv4 host it embeds."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    embedded = embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else []
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return _is_public_ip(ip.ipv4_mapped)
    return _is_public_ip(ip) and all(_is_public_ip(v4) for v4 in embedded)


def check_url(url: str, *, allow_private: bool, resolver: Resolver = resolve) -> None:
    try:
        parts = urlsplit(url)
        explicit_port = parts.port
    except ValueError as exc:
        raise InputError(f"the URL {url!r} is malformed: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise BlockedUrlError(
            f"only http and https URLs can be imported, not {parts.scheme or url!r}"
        )
    if not parts.hostname:
        raise InputError(f"the URL {url!r} has no host")
    if parts.username or parts.password:
        raise BlockedUrlError("URLs with a user name or password are not imported")
    if allow_private:
        return
    port = explicit_port or (443 if parts.scheme == "https" else 80)
    for address in resolver(parts.hostname, port):
        if not is_public(address):
            raise BlockedUrlError(
                f"the URL points at {address}, a local or private address: only public "
                "addresses can be imported"
            )


def download(
    url: str,
    dest_dir: Path,
    *,
    max_bytes: int,
    timeout: float = 30.0,
    allow_private: bool = False,
    resolver: Resolver = resolve,
    deadline_seconds: float | None = None,
    min_bytes_per_second: int = 0,
    grace_seconds: float = GRACE_SECONDS,
) -> tuple[Path, str]:
    """Fetch ``url`` into a new file in ``dest_dir``; returns ``(path, file name)``.

    The whole download (redirects included) must end within ``deadline_seconds``, and after
    ``grace_seconds`` it must have averaged at least ``min_bytes_per_second``: a server that
    trickles a byte at a time is cut off instead of holding a thread for ever."""
    pace = _Pace(url, deadline_seconds, min_bytes_per_second, grace_seconds)
    current = url
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(current, allow_private=allow_private, resolver=resolver)
            try:
                with client.stream("GET", current, headers={"Accept": "*/*"}) as response:
                    if response.is_redirect:
                        location = response.headers.get("location")
                        if not location:
                            raise ProviderError(f"{current} redirects without a Location")
                        current = urljoin(current, location)
                        continue
                    if response.status_code >= 400:
                        raise ProviderError(
                            f"{urlsplit(current).hostname} answered HTTP {response.status_code}"
                        )
                    declared = transport.declared_length(response)
                    if declared is not None and declared > max_bytes:
                        raise PayloadTooLarge(_too_large(declared, max_bytes))
                    name = Path(urlsplit(current).path).name or "download"
                    fd, tmp = tempfile.mkstemp(dir=dest_dir, prefix=".download-")
                    try:
                        with os.fdopen(fd, "wb") as handle:
                            size = transport.copy_limited(
                                response,
                                handle,
                                max_bytes=max_bytes,
                                too_large=lambda n: _too_large(n, max_bytes),
                                progress=pace.check,
                            )
                        if size == 0:
                            raise InputError(f"{current} returned an empty file")
                    except BaseException:
                        Path(tmp).unlink(missing_ok=True)
                        raise
                    return Path(tmp), name
            except httpx.TimeoutException as exc:
                raise ProviderUnavailable(f"{urlsplit(current).hostname} timed out") from exc
            except httpx.HTTPError as exc:
                raise ProviderUnavailable(f"cannot fetch {current}: {exc}") from exc
    raise ProviderError(f"{url} redirects more than {MAX_REDIRECTS} times")


class _Pace:
    """The deadline and the slowest transfer a download accepts, checked as bytes arrive."""

    def __init__(self, url: str, deadline: float | None, min_rate: int, grace: float) -> None:
        self.host = url.split("//", 1)[-1].split("/", 1)[0] or url  # for messages only
        self.deadline, self.min_rate, self.grace = deadline, min_rate, grace
        self.started = time.monotonic()

    def check(self, received: int) -> None:
        elapsed = time.monotonic() - self.started
        if self.deadline is not None and elapsed > self.deadline:
            raise ProviderUnavailable(
                f"{self.host} took longer than {self.deadline:.0f} s to send the file: "
                "import it from a faster source, or upload it"
            )
        if self.min_rate and elapsed > self.grace and received / elapsed < self.min_rate:
            raise ProviderUnavailable(
                f"{self.host} sends the file too slowly ({received / elapsed:,.0f} bytes/s, "
                f"under {self.min_rate:,}): import it from a faster source, or upload it"
            )


def _too_large(declared: int | None, max_bytes: int) -> str:
    if declared is not None:
        return f"the file is {declared:,} bytes; the limit is {max_bytes:,}"
    return f"the file is over the {max_bytes:,}-byte limit"
