"""The distributed mode: forward each request to its service over HTTP, streams unbuffered.

Every request goes through here, so it uses urllib3's connection pools directly: one pool of
kept-alive connections per service, large enough for every thread of a gateway worker, and
none of the per-request environment lookups (proxies, .netrc) a requests Session makes.
"""

from __future__ import annotations

from typing import Iterator

import urllib3
from flask import Response, request
from urllib3 import HTTPHeaderDict
from urllib3.exceptions import HTTPError
from urllib3.util import parse_url

from shared.web.auth import GATEWAY_PRINCIPAL_HEADER
from shared.web.errors import ApiError

# Hop-by-hop headers (RFC 9110 §7.6.1) and ones the WSGI server sets itself.
_SKIPPED = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
            "transfer-encoding", "upgrade", "host", "content-length", "content-encoding"}

# Only the gateway may say who the caller is; a client's own copy of this header never reaches a service.
_GATEWAY_ONLY = {GATEWAY_PRINCIPAL_HEADER.lower()}
_NOT_FORWARDED = frozenset(_SKIPPED | _GATEWAY_ONLY)

# Connections kept open to each service: at least the threads of one gateway worker, so a busy
# worker never opens a connection per request.
CONNECTIONS_PER_SERVICE = 64
# Connecting must be quick; an answer may take long (event streams last up to five minutes).
TIMEOUT = urllib3.Timeout(connect=3, read=330)


class ServiceProxy:
    def __init__(self, service_urls: dict[str, str]):
        self.service_urls = service_urls
        self._pools = {name: urllib3.connection_from_url(url, maxsize=CONNECTIONS_PER_SERVICE, block=False,
                                                         retries=False, timeout=TIMEOUT)
                       for name, url in service_urls.items()}
        self._prefixes = {name: (parse_url(url).path or "").rstrip("/") for name, url in service_urls.items()}

    def forward(self, service: str, request_id: str, extra_headers: dict[str, str] | None = None) -> Response:
        """Send this request on to `service` and stream its answer back as it comes."""
        pool = self._pools.get(service)
        if pool is None:
            raise ApiError(404, f"The {service} service is not deployed here")
        # Case-insensitive, so the values set here replace the client's own (X-Request-Id, X-Forwarded-For).
        headers = HTTPHeaderDict({k: v for k, v in request.headers.items() if k.lower() not in _NOT_FORWARDED})
        headers.update(extra_headers or {})
        headers["X-Request-ID"] = request_id
        headers["X-Forwarded-For"] = request.remote_addr or ""
        try:
            upstream = pool.urlopen(request.method, self._prefixes[service] + request.full_path.rstrip("?"),
                                    headers=headers, body=request.get_data() or None, redirect=False,
                                    assert_same_host=False, preload_content=False, decode_content=True)
            out_headers = [(k, v) for k, v in upstream.headers.items() if k.lower() not in _SKIPPED]
            # Event streams are passed on chunk by chunk as the service sends them, never buffered.
            body = _relay(upstream) if _streaming(upstream) else _read_all(upstream)
        except HTTPError as error:
            raise ApiError(503, f"The {service} service is not reachable; retry later",
                           details={"reason": type(error).__name__}, headers={"Retry-After": "5"}) from None
        return Response(body, status=upstream.status, headers=out_headers, direct_passthrough=True)


def _read_all(upstream: urllib3.BaseHTTPResponse) -> bytes:
    try:
        return upstream.read()
    finally:
        upstream.release_conn()


def _relay(upstream: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
    """The stream's chunks as they arrive; its connection is closed, not reused, when the client leaves."""
    try:
        yield from upstream.stream(None)
    finally:
        upstream.close()
        upstream.release_conn()


def _streaming(upstream: urllib3.BaseHTTPResponse) -> bool:
    return upstream.headers.get("Content-Type", "").startswith("text/event-stream")
