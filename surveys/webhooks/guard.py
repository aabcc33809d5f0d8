"""Where a webhook may send: public addresses only, unless the host is explicitly allowed.

A webhook URL chosen by a user must not turn Parcours into a way into its own network
(server-side request forgery): loopback, private and shared ranges, link-local (with the
clouds' metadata services), unique-local, multicast, reserved and unspecified addresses are
refused. The check runs when the webhook is registered and again at every delivery, on the
addresses the host resolves to then; the delivery connects to an address it has just checked,
so a DNS answer changed in between cannot slip through.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..messages import N_, Message

URL_MAX = 2000
SCHEMES = ("http", "https")
# Named even though the ranges below already refuse them: the clouds' metadata services.
METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}
NAT64 = ipaddress.ip_network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UrlRefused(Exception):
    """The URL may not be used; `message` says why (English, translatable on a page)."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Target:
    """A checked destination: connect to `address` (or the next of `fallbacks` when it does
    not answer), speak to `host`."""

    scheme: str
    host: str
    port: int
    path: str
    address: str
    fallbacks: tuple[str, ...] = ()


def allowed_hosts(setting: str | Iterable[str] | None) -> set[str]:
    """WEBHOOK_ALLOWED_HOSTS as a set of lower-case names and normalised IPs.

    They are matched against the URL's host as written: listing 127.0.0.1 allows
    http://127.0.0.1/..., not a name that resolves to it.
    """
    if not setting:
        return set()
    items = setting.split(",") if isinstance(setting, str) else setting
    found = set()
    for item in items:
        item = item.strip().strip("[]").lower().rstrip(".")
        if item:
            with contextlib.suppress(ValueError):  # a host name stays as it is
                item = str(ipaddress.ip_address(item))
            found.add(item)
    return found


def forbidden(address: Address) -> bool:
    """Whether an address is not a public unicast one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return forbidden(embedded)
    return (
        address in METADATA
        or not address.is_global
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_private
    )


def parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of a webhook URL, or UrlRefused."""
    url = (url or "").strip()
    if not url:
        raise UrlRefused(N_("Enter the URL that receives the events."))
    if len(url) > URL_MAX:
        raise UrlRefused(N_("The URL may have at most %(max)d characters.", max=URL_MAX))
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise UrlRefused(N_("The URL may not contain spaces or control characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRefused(N_("This is not a valid URL.")) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise UrlRefused(N_("The URL must start with https:// (or http://)."))
    # "example.com." is "example.com": one spelling, for the allowed list as for DNS.
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise UrlRefused(N_("The URL has no host name."))
    if parts.username is not None or parts.password is not None:
        raise UrlRefused(N_("The URL may not carry a user name or password."))
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise UrlRefused(N_("This is not a valid URL.")) from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port or (443 if scheme == "https" else 80), path


def resolve(host: str, port: int) -> list[Address]:
    """The addresses `host` resolves to now (an IP literal is itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    seen: list[Address] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in seen:
            seen.append(address)
    return seen


def _refused_address(host: str) -> UrlRefused:
    return UrlRefused(
        N_(
            "%(host)s is a loopback, private, link-local or reserved address: webhooks may "
            "only call public addresses (or hosts listed in WEBHOOK_ALLOWED_HOSTS).",
            host=host,
        )
    )


def check_registration(url: str, allowed: set[str]) -> str:
    """The URL, stripped, if it may be registered; UrlRefused otherwise.

    A host name that does not resolve yet is accepted: every delivery checks it again.
    """
    scheme, host, port, _path = parse(url)
    if host in allowed:
        return url.strip()
    if any(forbidden(address) for address in resolve(host, port)):
        raise _refused_address(host)
    return url.strip()


def target(url: str, allowed: set[str]) -> Target:
    """The address to connect to for a delivery, checked now; UrlRefused otherwise."""
    scheme, host, port, path = parse(url)
    addresses = resolve(host, port)
    if not addresses:
        raise UrlRefused(N_("The host name %(host)s does not resolve.", host=host))
    # Every address is checked, not just the one used: a name that also points inside is
    # refused whatever order the resolver answers in.
    if host not in allowed and any(forbidden(address) for address in addresses):
        raise _refused_address(host)
    first, *others = (str(address) for address in addresses)
    return Target(scheme, host, port, path, first, tuple(others))
