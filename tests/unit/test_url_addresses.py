"""The URL import's address check (SSRF): every form that reaches this machine or a private
network is refused, including IPv6 forms that carry an IPv4 address inside them."""

from __future__ import annotations

import pytest

from video_orchestrator.providers.web.fetch import is_public


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "169.254.169.254",
        "100.64.0.1",
        "::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "2002:7f00:1::",  # 6to4 of 127.0.0.1 (the form that passed before)
        "2002:a01:203::1",  # 6to4 of 10.1.2.3
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
        "64:ff9b::7f00:1",  # NAT64 (well-known prefix) of 127.0.0.1
        "64:ff9b::a01:203",  # NAT64 of 10.1.2.3
        "64:ff9b:1::a9fe:a9fe",  # NAT64 (local-use prefix) of 169.254.169.254
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo whose client is 127.0.0.1
        "2001:0:a01:203:8000:63bf:3fff:fdd2",  # Teredo whose server is 10.1.2.3
        "fe80::1%eth0",
        "fc00::1",
    ],
)
def test_local_and_private_forms_are_refused(address: str) -> None:
    assert is_public(address) is False


@pytest.mark.parametrize(
    "address",
    ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "2002:5db8:d70e::1"],
)
def test_public_addresses_pass(address: str) -> None:
    assert is_public(address) is True
