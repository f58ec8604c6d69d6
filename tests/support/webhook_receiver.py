"""A local HTTP endpoint that records the form posts it receives, for webhook tests."""

import dataclasses
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


@dataclasses.dataclass(frozen=True)
class ReceivedPost:
    """One form post as it arrived."""

    path: str
    headers: dict[str, str]
    form: dict[str, str]


class WebhookReceiver:
    """Answers 204 to every POST on 127.0.0.1 and keeps what was posted."""

    def __init__(self) -> None:
        self.posts: list[ReceivedPost] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        """The full address of a path on this receiver."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def __enter__(self) -> "WebhookReceiver":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                post = ReceivedPost(self.path, dict(self.headers), dict(parse_qsl(body)))
                with receiver._lock:
                    receiver.posts.append(post)
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                """Stay quiet: the posts are kept for the test to read."""

        return Handler
