"""Local servers that the Elasticsearch engine's unit tests talk to."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from tests.unit.search_engines.recording_server import RecordingServer, start_recording_server


@pytest.fixture
def elasticsearch_node() -> Iterator[Callable[..., tuple[str, RecordingServer]]]:
    """Start recording servers posing as a given Elasticsearch version; stop them after."""
    running = []

    def start(version_number: str, *, product_header: bool = True) -> tuple[str, RecordingServer]:
        server = RecordingServer(version_number, product_header=product_header)
        http_server = start_recording_server(server)
        running.append(http_server)
        return f"http://127.0.0.1:{http_server.server_address[1]}", server

    yield start
    for http_server in running:
        http_server.shutdown()
        http_server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A local URL on which nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
