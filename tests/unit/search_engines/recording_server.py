"""A tiny HTTP server on 127.0.0.1 that answers like an Elasticsearch node of a chosen
version and records the requests it receives, so that tests can see what was sent."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class RecordedRequest:
    """What one request carried that the tests look at."""

    method: str
    path: str
    accept: str | None
    content_type: str | None
    body: bytes
    status: int = 200


@dataclass
class RecordingServer:
    """The running server, its URL and the requests it saw."""

    version_number: str
    product_header: bool = True
    requests: list[RecordedRequest] = field(default_factory=list)
    # Answers for particular calls, keyed "METHOD /path" (no query string).
    replies: dict[str, tuple[int, object]] = field(default_factory=dict)

    def reply_to(self, method: str, path: str) -> tuple[int, bytes]:
        """The status and body for one call: a configured reply or the common answer."""
        status, body = self.replies.get(f"{method} {path.split('?')[0]}", (200, None))
        if method == "HEAD":
            return status, b""
        return status, json.dumps(body).encode() if body is not None else self.common_body()

    def common_body(self) -> bytes:
        """One answer that satisfies every call the engine makes on an empty index."""
        return json.dumps({
            "version": {"number": self.version_number},
            "tagline": "You Know, for Search",
            "acknowledged": True,
            "errors": False,
            "items": [],
            "took": 1,
            "status": "green",
            "version_conflicts": 0,
            "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []},
        }).encode()


def start_recording_server(server: RecordingServer) -> ThreadingHTTPServer:
    """Serve on a free local port in a background thread until shutdown()."""
    http_server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(server))
    threading.Thread(target=http_server.serve_forever, args=(0.05,), daemon=True).start()
    return http_server


def _handler_for(server: RecordingServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, reply = server.reply_to(self.command, self.path)
            server.requests.append(RecordedRequest(
                self.command, self.path, self.headers.get("Accept"),
                self.headers.get("Content-Type"), body, status,
            ))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if server.product_header:
                self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _answer

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

    return Handler
