"""Records every attempt to reach another machine, for the privacy tests
(tests/app/test_app_privacy.py,
tests/e2e/test_privacy_browser.py). Put this folder first on PYTHONPATH and name a log file in
DEPTHVIZ_OUTBOUND_LOG: each host name looked up or address connected to that is not this machine's
loopback is appended as one line. Nothing is blocked; the test reads the log afterwards."""

import ipaddress
import os
import socket

_LOG = os.environ.get("DEPTHVIZ_OUTBOUND_LOG")
_LOCAL_NAMES = {None, "", "localhost", "0.0.0.0", "::"}


def _is_local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name other than localhost


def _record(what: str, host) -> None:
    if not _is_local(host):
        with open(_LOG, "a") as log:
            log.write(f"{what} {host}\n")


if _LOG:
    _getaddrinfo = socket.getaddrinfo
    _connect = socket.socket.connect
    _connect_ex = socket.socket.connect_ex

    def getaddrinfo(host, *args, **kwargs):
        _record("lookup", host)
        return _getaddrinfo(host, *args, **kwargs)

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _record("connect", address[0])
        return _connect(self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _record("connect", address[0])
        return _connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
