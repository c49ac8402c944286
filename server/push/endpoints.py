"""Which push endpoints we talk to, and where their connections may go (§12; an SSRF guard).

A push endpoint is a URL a browser hands us and we later POST to from inside our network, so it
is checked twice:

- when it is saved (`check_endpoint`): `https`, port 443 (written or not), a host of plain
  lower-case DNS labels that ends with one of `TWITCHLOG_PUSH_HOSTS` at a dot boundary. Nothing
  a URL parser might read two ways gets through: no userinfo, no IP literal in any notation
  (`127.1`, `0177.0.0.1`, `0x7f.1`, `2130706433`, `[::1]`), no trailing dot, no upper case, no
  punycode label, no backslash, no fragment. With `TWITCHLOG_ALLOW_LOCAL_PUSH=1` (development
  and tests) exactly `http://127.0.0.1:<port>/...` and `http://localhost:<port>/...` are
  accepted besides.
- when it is sent to (`Target` and `resolve`): the same rules again (the allowlist may have
  changed since), then every address the host resolves to must be global unicast; the sender
  connects only to those addresses (libcurl's RESOLVE pins them), so a name that answers one
  address to the check and another to the connection (DNS rebinding) gains nothing.
"""
from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass

DEFAULT_PUSH_HOSTS = ("fcm.googleapis.com", "push.services.mozilla.com", "notify.windows.com", "push.apple.com")
LOCAL_HOSTS = ("127.0.0.1", "localhost")
LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)
TOP_LABEL = re.compile(r"[a-z]{2,63}", re.ASCII)  # a top-level domain has letters only: no number poses as a name
PATH = re.compile(r"/[\x21-\x7e]*", re.ASCII)  # printable ASCII; '#', '\\' and spaces are refused separately
REMOTE = re.compile(r"https://([^/?#:@\[\]\\]+)(?::(443))?(/.*)?", re.ASCII | re.DOTALL)
LOCAL = re.compile(r"http://(127\.0\.0\.1|localhost):([1-9][0-9]{0,4})(/.*)", re.ASCII | re.DOTALL)
# With local push allowed, the sender also reaches a loopback stand-in over https (tests of TLS).
LOCAL_SEND = re.compile(r"(https?)://(127\.0\.0\.1|localhost):([1-9][0-9]{0,4})(/.*)", re.ASCII | re.DOTALL)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
MAX_LENGTH = 2048


class EndpointRefused(ValueError):
    """This endpoint is not one we send to; the message says why, for a person to read."""


@dataclass(frozen=True)
class Target:
    """Where one endpoint's POSTs go: the URL libcurl is given and the host:port it connects to."""

    scheme: str
    host: str
    port: int
    path: str  # with the query, if any
    local: bool  # a loopback stand-in, allowed only with TWITCHLOG_ALLOW_LOCAL_PUSH

    @property
    def origin(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return f"{self.scheme}://{self.host}" + ("" if self.port == default and not self.local else f":{self.port}")


def parse_hosts(value: str | None) -> tuple[str, ...]:
    """TWITCHLOG_PUSH_HOSTS as a tuple of host suffixes. :raise ValueError: for an entry that is
    not a plain lower-case DNS name (a typo must stop start-up, not open or close the door)."""
    if value is None or not value.strip():
        return DEFAULT_PUSH_HOSTS
    hosts = []
    for entry in value.split(","):
        entry = entry.strip().lower().lstrip(".")
        if not entry:
            continue
        labels = entry.split(".")
        if not all(LABEL.fullmatch(label) for label in labels) or not TOP_LABEL.fullmatch(labels[-1]):
            raise ValueError(f"TWITCHLOG_PUSH_HOSTS: {entry!r} is not a DNS name such as fcm.googleapis.com")
        hosts.append(entry)
    if not hosts:
        raise ValueError("TWITCHLOG_PUSH_HOSTS names no host; leave it unset for the usual push services")
    return tuple(hosts)


def _common(endpoint) -> str:
    if not isinstance(endpoint, str) or not endpoint:
        raise EndpointRefused("A push endpoint is a URL.")
    if len(endpoint) > MAX_LENGTH:
        raise EndpointRefused(f"A push endpoint is at most {MAX_LENGTH} characters.")
    if any(not 0x21 <= ord(c) <= 0x7E for c in endpoint):
        raise EndpointRefused("A push endpoint is a URL of printable ASCII characters, without spaces.")
    if "\\" in endpoint or "#" in endpoint:
        raise EndpointRefused("A push endpoint has no backslash and no fragment.")
    return endpoint


def _host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    return any(host == suffix or host.endswith("." + suffix) for suffix in allowed)


def _remote(endpoint: str, allowed: tuple[str, ...], strict: bool = True) -> Target:
    """`strict` (when saved) also refuses one-label and localhost names whatever the allowlist
    says; at send time the allowlist and the addresses decide."""
    match = REMOTE.fullmatch(endpoint)
    if not match:
        if endpoint.startswith("https://") and "@" in endpoint.split("/", 3)[2]:
            raise EndpointRefused("A push endpoint carries no user name or password.")
        raise EndpointRefused("A push endpoint is an https URL of a push service, on port 443.")
    host, _, path = match.groups()
    labels = host.split(".")
    if (strict and len(labels) < 2) or not all(LABEL.fullmatch(label) for label in labels) or not TOP_LABEL.fullmatch(labels[-1]):
        raise EndpointRefused("A push endpoint names its push service in lower-case DNS labels, not an address.")
    if any(label.startswith("xn--") for label in labels):
        raise EndpointRefused("A push endpoint's host has no internationalized (punycode) labels.")
    if strict and (host == "localhost" or host.endswith(".localhost")):
        raise EndpointRefused("A push endpoint must be on a public push service.")
    if not _host_allowed(host, allowed):
        raise EndpointRefused("This push service is not one we send to (see TWITCHLOG_PUSH_HOSTS).")
    path = path or "/"
    if not PATH.fullmatch(path):
        raise EndpointRefused("A push endpoint's path is printable ASCII.")
    return Target("https", host, 443, path, local=False)


def _local_port(text: str) -> int:
    port = int(text)
    if port > 65535:
        raise EndpointRefused("Not a valid port.")
    return port


def check_endpoint(endpoint, allowed: tuple[str, ...] = DEFAULT_PUSH_HOSTS, allow_local: bool = False) -> Target:
    """The endpoint a browser sent, as we would send to it. :raise EndpointRefused:"""
    endpoint = _common(endpoint)
    if endpoint.startswith("http://"):
        match = LOCAL.fullmatch(endpoint)
        if not match or not PATH.fullmatch(match.group(3)):
            raise EndpointRefused("A push endpoint is an https URL of a push service, on port 443.")
        if not allow_local:
            raise EndpointRefused("Local push endpoints are accepted only with TWITCHLOG_ALLOW_LOCAL_PUSH=1 (development and tests).")
        return Target("http", match.group(1), _local_port(match.group(2)), match.group(3), local=True)
    return _remote(endpoint, allowed)


def send_target(endpoint, allowed: tuple[str, ...], allow_local: bool) -> Target:
    """The endpoint of a stored subscription, checked again before anything is sent to it.
    :raise EndpointRefused:"""
    endpoint = _common(endpoint)
    if allow_local:
        match = LOCAL_SEND.fullmatch(endpoint)
        if match and PATH.fullmatch(match.group(4)):
            return Target(match.group(1), match.group(2), _local_port(match.group(3)), match.group(4), local=True)
    if endpoint.startswith("http://"):
        raise EndpointRefused("not https, and local push is not allowed")
    return _remote(endpoint, allowed, strict=False)


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A global unicast address; one that wraps an IPv4 address (mapped, 6to4, Teredo, NAT64) only
    when that is public too (a mapped one never is: ::/8 is reserved)."""
    if address.version == 6:
        inner = [address.ipv4_mapped, address.sixtofour, address.teredo[1] if address.teredo else None]
        if address in NAT64:
            inner.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if any(wrapped is not None and not is_public(wrapped) for wrapped in inner):
            return False
    return address.is_global and not address.is_multicast and not address.is_reserved


def resolve(target: Target, getaddrinfo=socket.getaddrinfo) -> list[str]:
    """The addresses to connect to, every one of them checked.
    :raise EndpointRefused: when any address is not public (none is used then);
    :raise OSError: when the name does not resolve (try again later)."""
    if target.local:
        return ["127.0.0.1"]
    found = getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    addresses = []
    for _family, _type, _proto, _name, sockaddr in found:
        text = sockaddr[0].split("%", 1)[0]
        address = ipaddress.ip_address(text)
        if not is_public(address):
            raise EndpointRefused(f"{target.host} resolves to {address}, which is not a public address")
        if str(address) not in addresses:
            addresses.append(str(address))
    if not addresses:
        raise OSError(f"{target.host} resolves to no address")
    return addresses


def pinned(target: Target, addresses: list[str]) -> list[str]:
    """libcurl RESOLVE entries: this host:port connects to these addresses and no others."""
    listed = ",".join(f"[{a}]" if ":" in a else a for a in addresses)
    return [f"-{target.host}:{target.port}", f"{target.host}:{target.port}:{listed}"]
