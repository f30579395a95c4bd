"""Which network a client address counts as, for the abuse limits. Pure; no I/O.

IPv4 addresses count one by one; IPv6 addresses by their /64 (one home or phone usually gets a
whole /64, so counting single IPv6 addresses would let anyone step around a limit). An
IPv4-mapped IPv6 address counts as its IPv4 address. The result is only ever fed to a keyed
hash (``services/limits.py``); it is never stored or logged.
"""

from __future__ import annotations

import ipaddress

IPV6_PREFIX_BITS = 64
UNKNOWN = "unknown"


def address_bucket(host: str | None) -> str:
    """The string a client address is limited by: ``a.b.c.d`` or ``xxxx:…::/64``."""
    if not host:
        return UNKNOWN
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"name:{host}"  # e.g. a Unix socket or a test client; still only hashed
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        network = ipaddress.IPv6Network((address, IPV6_PREFIX_BITS), strict=False)
        return str(network)
    return str(address)
