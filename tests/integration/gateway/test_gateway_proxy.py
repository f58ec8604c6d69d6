"""The distributed gateway's forwarding over real sockets: kept-alive connections, streams, a service that is down."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask

from gateway.proxy import ServiceProxy
from shared.web.auth import GATEWAY_PRINCIPAL_HEADER
from shared.web.errors import ApiError
from tests.support.processes import free_port


class Service(BaseHTTPRequestHandler):
    """A service answering HTTP/1.1 with kept-alive connections; it notes the client port of each request."""

    protocol_version = "HTTP/1.1"
    connections: set = set()

    def do_GET(self):
        if self.path == "/stream":
            return self._stream()
        self._echo(b"")

    def do_POST(self):
        self._echo(self.rfile.read(int(self.headers["Content-Length"])))

    def _echo(self, body: bytes):
        self.connections.add(self.client_address[1])
        answer = json.dumps({"path": self.path, "body": body.decode(),
                             "principal_header": self.headers.get(GATEWAY_PRINCIPAL_HEADER),
                             "request_ids": self.headers.get_all("X-Request-ID"),
                             "forwarded_for": self.headers.get_all("X-Forwarded-For")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def _stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for event in (b"data: first\n\n", b"data: second\n\n"):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            self.wfile.flush()
            time.sleep(1.0)
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args):
        pass


@pytest.fixture
def service():
    """(its URL, the client ports it was asked on)."""
    handler = type("OneService", (Service,), {"connections": set()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", handler.connections
    server.shutdown()
    server.server_close()
    thread.join(5)


def gateway(proxy: ServiceProxy) -> Flask:
    app = Flask("gateway")

    @app.route("/<path:rest>", methods=["GET", "POST"])
    def forward(rest):
        try:
            return proxy.forward("inbox", "request-1")
        except ApiError as error:
            return {"status": error.status, "reason": error.details["reason"]}, error.status, error.headers

    return app


def test_requests_to_a_service_share_one_kept_alive_connection(service):
    url, connections = service
    client = gateway(ServiceProxy({"inbox": url})).test_client()
    answers = [client.get(f"/api/v1/conversations?assignee=me&n={n}") for n in range(20)]
    assert [a.status_code for a in answers] == [200] * 20
    assert answers[7].json["path"] == "/api/v1/conversations?assignee=me&n=7"
    assert len(connections) == 1


def test_bodies_go_on_and_a_callers_own_principal_header_does_not(service):
    url, _ = service
    client = gateway(ServiceProxy({"inbox": url})).test_client()
    answer = client.post("/api/v1/conversations/c1/notes", data='{"text": "hi"}',
                         headers={GATEWAY_PRINCIPAL_HEADER: "forged", "Content-Type": "application/json"})
    assert answer.json["body"] == '{"text": "hi"}' and answer.json["principal_header"] is None


def test_the_gateways_request_id_and_client_address_replace_the_callers_own(service):
    url, _ = service
    client = gateway(ServiceProxy({"inbox": url})).test_client()
    answer = client.get("/api/v1/conversations", headers={"X-Request-Id": "trace-1", "X-Forwarded-For": "10.9.9.9"},
                        environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert answer.json["request_ids"] == ["request-1"] and answer.json["forwarded_for"] == ["192.0.2.7"]


def test_an_event_stream_is_passed_on_before_the_service_finishes_it(service):
    url, _ = service
    client = gateway(ServiceProxy({"inbox": url})).test_client()
    started = time.monotonic()
    answer = client.get("/stream", buffered=False)
    chunks = iter(answer.response)
    assert b"data: first" in next(chunks)
    assert time.monotonic() - started < 0.9
    assert b"data: second" in b"".join(chunks)
    answer.close()


def test_a_service_that_is_down_answers_503_with_retry_after():
    client = gateway(ServiceProxy({"inbox": f"http://127.0.0.1:{free_port()}"})).test_client()
    answer = client.get("/api/v1/conversations")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert answer.json["reason"] == "NewConnectionError"
