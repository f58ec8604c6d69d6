"""Talking to a running Switchboard over real HTTP, as its users do."""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import requests
from werkzeug.serving import make_server

from tests.support.bus_contract import wait_until

__all__ = ["Client", "SseListener", "serving", "wait_until"]


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve a WSGI app over real HTTP on a free local port until the block ends; its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class Client:
    """A thin requests wrapper that remembers the base URL and a bearer token."""

    def __init__(self, base_url: str, token: str | None = None):
        self.base_url, self.token = base_url.rstrip("/"), token
        self.session = requests.Session()

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.session.request(method, self.base_url + path, headers=headers, timeout=15, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def login(self, email: str, password: str) -> "Client":
        answer = self.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert answer.status_code == 200, answer.text
        return Client(self.base_url, answer.json()["token"])


class SseListener:
    """Reads a Server-Sent Events stream in a thread and keeps every event it saw."""

    def __init__(self, url: str, headers: dict | None = None):
        self.events: list[dict] = []
        self._response = requests.get(url, headers=headers or {}, stream=True, timeout=(5, 30))
        self.status_code = self._response.status_code
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        event: dict = {}
        try:
            for line in self._response.iter_lines(decode_unicode=True):
                if line == "" and "data" in event:
                    self.events.append(event)
                    event = {}
                elif line and not line.startswith(":") and ":" in line:
                    key, _, value = line.partition(":")
                    event[key] = json.loads(value.strip()) if key == "data" else value.strip()
        except (requests.RequestException, AttributeError, ValueError):
            pass  # the stream was closed by the test

    def close(self) -> None:
        self._response.close()
        time.sleep(0.05)
