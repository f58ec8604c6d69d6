"""The distributed gateway's /openapi.json: its own spec merged with every service's, fetched live."""

from __future__ import annotations

import copy
import threading
import time
from typing import Callable

import requests
import structlog

log = structlog.get_logger(__name__)


def merge_specs(base: dict, others: list[dict]) -> dict:
    """One OpenAPI document with every path, component and tag of `base` and `others`."""
    merged = copy.deepcopy(base)
    paths = merged.setdefault("paths", {})
    components = merged.setdefault("components", {})
    tags = merged.setdefault("tags", [])
    for spec in others:
        for path, operations in spec.get("paths", {}).items():
            paths.setdefault(path, {}).update(operations)
        for section, entries in spec.get("components", {}).items():
            components.setdefault(section, {}).update(entries)
        known = {tag["name"] for tag in tags}
        tags.extend(tag for tag in spec.get("tags", []) if tag["name"] not in known)
    merged["paths"] = dict(sorted(paths.items()))
    return merged


class MergedSpec:
    """Fetches the services' specs at most every `ttl` seconds; a service that is down is left out."""

    def __init__(self, own: Callable[[], dict], service_urls: dict[str, str], ttl: float = 30.0):
        self.own, self.service_urls, self.ttl = own, service_urls, ttl
        self._cached: tuple[float, dict] | None = None
        self._lock = threading.Lock()

    def document(self) -> dict:
        with self._lock:
            if self._cached and time.monotonic() - self._cached[0] < self.ttl:
                return self._cached[1]
            specs, missing = [], []
            for name, url in sorted(self.service_urls.items()):
                try:
                    answer = requests.get(f"{url}/openapi.json", timeout=3)
                    answer.raise_for_status()
                    specs.append(answer.json())
                except (requests.RequestException, ValueError) as error:
                    log.warning("openapi_fetch_failed", service=name, error=repr(error))
                    missing.append(name)
            document = merge_specs(self.own(), specs)
            if missing:
                document["x-switchboard-unavailable-services"] = missing
            else:
                self._cached = (time.monotonic(), document)
            return document
