"""Connects the official Elasticsearch client to an 8.x or 9.x server.

The installed client (9.x) asks for `compatible-with=9` on every request, which an
8.x server refuses with `media_type_header_exception`. We read the server's major
version with a plain `GET /` first; for an 8.x server every request then carries
`application/vnd.elasticsearch+json; compatible-with=8` as its Accept and Content-Type
(and `+x-ndjson` for bulk bodies), which 8.x accepts. The client's API methods pass
their own Accept/Content-Type on each call, overriding client-wide headers, so the
compatible headers are set per request in `Elasticsearch8CompatibleClient`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import requests
from elasticsearch import ApiError, Elasticsearch, TransportError, UnsupportedProductError

from services.search.engines.base import DocumentRejected, SearchUnavailable

SUPPORTED_MAJORS = frozenset({8, 9})
REQUEST_TIMEOUT_SECONDS = 10
_JSON_MIMETYPE = re.compile(r"application/(json|x-ndjson)")
_COMPATIBLE_WITH_8 = r"application/vnd.elasticsearch+\1; compatible-with=8"


class Elasticsearch8CompatibleClient(Elasticsearch):
    """The 9.x client, speaking the REST compatibility headers an 8.x server accepts."""

    def perform_request(  # type: ignore[override]
        self, method: str, path: str, *, headers: Mapping[str, str] | None = None, **rest: Any
    ) -> Any:
        """Send the request with compatible-with=8 media types instead of 9."""
        return super().perform_request(method, path, headers=compatible_with_8(headers), **rest)


def compatible_with_8(headers: Mapping[str, str] | None) -> dict[str, str]:
    """Rewrite JSON media types so that the client leaves them as compatible-with=8."""
    rewritten = {name.lower(): value for name, value in (headers or {}).items()}
    rewritten.setdefault("accept", "application/json")
    for name in ("accept", "content-type"):
        if name in rewritten:
            rewritten[name] = _JSON_MIMETYPE.sub(_COMPATIBLE_WITH_8, rewritten[name])
    return rewritten


def get_server_major(url: str) -> int:
    """Read the server's major version from GET /; raise SearchUnavailable if none."""
    try:
        response = requests.get(url.rstrip("/") + "/", timeout=REQUEST_TIMEOUT_SECONDS)
        response.raise_for_status()
        number = response.json()["version"]["number"]
        return int(str(number).split(".")[0])
    except requests.RequestException as error:
        raise SearchUnavailable(f"Elasticsearch at {url} did not answer: {error}") from error
    except (ValueError, KeyError, TypeError) as error:
        raise SearchUnavailable(f"{url} does not look like Elasticsearch: {error!r}") from error


def connect_elasticsearch(url: str) -> Elasticsearch:
    """A client whose headers suit the server behind url (8.x or 9.x)."""
    major = get_server_major(url)
    if major not in SUPPORTED_MAJORS:
        raise SearchUnavailable(f"Elasticsearch {major}.x is not supported (8.x or 9.x only)")
    client_class = Elasticsearch8CompatibleClient if major == 8 else Elasticsearch
    return client_class(
        url,
        request_timeout=REQUEST_TIMEOUT_SECONDS,
        max_retries=3,
        retry_on_timeout=True,
        retry_on_status=(429, 502, 503, 504),
    )


@contextmanager
def unavailable_on_failure() -> Iterator[None]:
    """Report a lost connection or an overloaded cluster as SearchUnavailable."""
    try:
        yield
    except TransportError as error:
        raise SearchUnavailable(f"Elasticsearch unreachable: {error}") from error
    except UnsupportedProductError as error:
        raise SearchUnavailable(f"not an Elasticsearch server: {error}") from error
    except ApiError as error:
        if error.meta.status == 429 or error.meta.status >= 500:
            raise SearchUnavailable(f"Elasticsearch refused: {error}") from error
        raise


def check_bulk_failures(failed_items: list[dict[str, Any]]) -> None:
    """Raise for failed bulk items: unavailable if retrying may help, rejected if not."""
    if not failed_items:
        return
    failures = [next(iter(item.values())) for item in failed_items]
    statuses = [failure.get("status", 500) for failure in failures]
    if any(status == 429 or status >= 500 for status in statuses):
        raise SearchUnavailable(f"Elasticsearch could not store {len(failures)} documents")
    raise DocumentRejected(f"Elasticsearch refused {len(failures)} documents: {failures[0]}")
