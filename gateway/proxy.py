"""The distributed mode: forward each request to its service over HTTP, streams unbuffered."""

from __future__ import annotations

import requests
from flask import Response, request

from shared.web.auth import GATEWAY_PRINCIPAL_HEADER
from shared.web.errors import ApiError

# Hop-by-hop headers (RFC 9110 §7.6.1) and ones the WSGI server sets itself.
_SKIPPED = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
            "transfer-encoding", "upgrade", "host", "content-length", "content-encoding"}

# Only the gateway may say who the caller is; a client's own copy of this header never reaches a service.
_GATEWAY_ONLY = {GATEWAY_PRINCIPAL_HEADER.lower()}


class ServiceProxy:
    def __init__(self, service_urls: dict[str, str]):
        self.service_urls = service_urls
        self.session = requests.Session()

    def forward(self, service: str, request_id: str, extra_headers: dict[str, str] | None = None) -> Response:
        """Send this request on to `service` and stream its answer back as it comes."""
        base = self.service_urls.get(service)
        if base is None:
            raise ApiError(404, f"The {service} service is not deployed here")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _SKIPPED | _GATEWAY_ONLY}
        headers.update(extra_headers or {})
        headers["X-Request-ID"] = request_id
        headers["X-Forwarded-For"] = request.remote_addr or ""
        try:
            upstream = self.session.request(request.method, base + request.full_path.rstrip("?"), headers=headers,
                                            data=request.get_data(), stream=True, allow_redirects=False,
                                            timeout=(3, 330))
        except requests.RequestException as error:
            raise ApiError(503, f"The {service} service is not reachable; retry later",
                           details={"reason": type(error).__name__}, headers={"Retry-After": "5"}) from None
        out_headers = [(k, v) for k, v in upstream.raw.headers.items() if k.lower() not in _SKIPPED]
        # Event streams are passed on chunk by chunk as the service sends them, never buffered.
        body = upstream.iter_content(chunk_size=None) if _streaming(upstream) else upstream.content
        return Response(body, status=upstream.status_code, headers=out_headers, direct_passthrough=True)


def _streaming(upstream: requests.Response) -> bool:
    return upstream.headers.get("Content-Type", "").startswith("text/event-stream")
