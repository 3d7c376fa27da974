"""Private by default (issue 18): a bare `streamlit run streamlit_app.py` listens on 127.0.0.1
only (.streamlit/config.toml), and an app opened to a network says so in the terminal."""

from __future__ import annotations

import ipaddress
import shutil
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from streamlit_server import streamlit_app

WARNING = "anyone on that network can open the app"
#: The script health check runs streamlit_app.py once, as a visitor's first page does.
SCRIPT_RUN = ("--server.headless", "true", "--server.scriptHealthCheckEnabled", "true")

pytestmark = [pytest.mark.slow,  # two app servers: ~15 s each
              pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc")]


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the TCP sockets listening on `port`, as the kernel lists them."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)  # 32-bit words in the host's byte order
                if sys.byteorder == "little":
                    raw = b"".join(raw[at:at + 4][::-1] for at in range(0, len(raw), 4))
                addresses.add(str(ipaddress.ip_address(raw)))
    return addresses


def served_log(home: Path, args: tuple[str, ...]) -> tuple[set[str], str]:
    """Start the app with `args`, run its script twice (two visits); (listening addresses,
    terminal output)."""
    with streamlit_app(home, args) as url:
        port = urlsplit(url).port
        for _visit in range(2):
            with urllib.request.urlopen(f"{url}/_stcore/script-health-check", timeout=120) as ok:
                assert ok.status == 200, ok.read()
        addresses = listening_addresses(port)
    return addresses, (home / f"streamlit-{port}.log").read_text()


@pytest.fixture
def home(tmp_path, fastdepth) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(fastdepth.weights_path, home / fastdepth.weights_path.name)
    return home


def test_a_bare_streamlit_run_listens_on_this_computer_only_and_says_nothing(home):
    addresses, terminal = served_log(home, SCRIPT_RUN)
    assert addresses == {"127.0.0.1"}
    assert WARNING not in terminal, terminal


def test_an_app_opened_to_the_network_says_so_in_the_terminal_once(home):
    addresses, terminal = served_log(home, (*SCRIPT_RUN, "--server.address", "0.0.0.0"))
    assert addresses == {"0.0.0.0"}
    assert terminal.count(WARNING) == 1, terminal
    assert f"depthviz: listening on 0.0.0.0: {WARNING}" in terminal
