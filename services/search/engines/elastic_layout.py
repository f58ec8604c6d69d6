"""Names and mappings of Switchboard's Elasticsearch indices, aliases and template."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

ANALYZER = "switchboard_english"
# Elasticsearch index names are lower case and may not start with "-", "_" or "+".
_VALID_PREFIX = re.compile(r"[a-z0-9][a-z0-9_.-]{0,100}")

# The english analyser rebuilt with ascii folding ("cafe" finds "café") and without
# its stop-word filter: every word of a search is required, as in the embedded
# engine, and "not working" must not shrink to "working".
ANALYSIS: dict[str, Any] = {
    "filter": {
        "switchboard_english_possessive": {"type": "stemmer", "language": "possessive_english"},
        "switchboard_english_stemmer": {"type": "stemmer", "language": "english"},
    },
    "analyzer": {
        ANALYZER: {
            "type": "custom",
            "tokenizer": "standard",
            "filter": [
                "switchboard_english_possessive",
                "lowercase",
                "asciifolding",
                "switchboard_english_stemmer",
            ],
        }
    },
}

_KEYWORD = {"type": "keyword"}
_EXACT = {"keyword": {"type": "keyword", "ignore_above": 256}}

MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "message_id": _KEYWORD,
        "conversation_id": _KEYWORD,
        "contact_id": _KEYWORD,
        "contact_name": {"type": "text", "analyzer": ANALYZER, "fields": _EXACT},
        "channel": _KEYWORD,
        "direction": _KEYWORD,
        "subject": {"type": "text", "analyzer": ANALYZER, "fields": _EXACT},
        "text": {"type": "text", "analyzer": ANALYZER},
        "created_at": {"type": "date"},
        "assignee_id": _KEYWORD,
        "team_id": _KEYWORD,
        "status": _KEYWORD,
        "version": {"type": "long"},
    },
}


@dataclass(frozen=True)
class IndexNames:
    """Every name one Switchboard installation uses in a shared cluster."""

    prefix: str

    def __post_init__(self) -> None:
        if not _VALID_PREFIX.fullmatch(self.prefix):
            raise ValueError(f"index prefix {self.prefix!r} is not a valid index name start")

    @property
    def read_alias(self) -> str:
        """Searches go through this alias, swapped atomically on a rebuild."""
        return f"{self.prefix}-messages"

    @property
    def write_alias(self) -> str:
        """Writes go through this alias, which points at exactly one index."""
        return f"{self.prefix}-messages-write"

    @property
    def template(self) -> str:
        """The index template that gives every messages index its mappings."""
        return f"{self.prefix}-messages"

    @property
    def pattern(self) -> str:
        """The index names the template applies to."""
        return f"{self.prefix}-messages-*"

    @property
    def first_index(self) -> str:
        """A fixed name, so that processes starting together create one index."""
        return f"{self.prefix}-messages-initial"

    def new_index(self, now: datetime | None = None) -> str:
        """A fresh, time-stamped index name for a rebuild."""
        moment = now or datetime.now(timezone.utc)
        return f"{self.prefix}-messages-{moment.strftime('%Y%m%d%H%M%S%f')}"


def template_body(names: IndexNames) -> dict[str, Any]:
    """The keyword arguments of put_index_template for this installation."""
    return {
        "name": names.template,
        "index_patterns": [names.pattern],
        "priority": 200,
        "template": {
            "settings": {"number_of_shards": 1, "analysis": ANALYSIS},
            "mappings": MAPPINGS,
        },
    }
