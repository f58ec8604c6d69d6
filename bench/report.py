"""The one table `make bench` prints, and the JSON file it leaves under bench/results/."""

from __future__ import annotations

import json
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


@dataclass
class Row:
    """One measured figure beside its budget (when the architecture sets one) and the box's ceiling."""

    section: str
    what: str
    value: float
    unit: str
    budget: str = ""
    ok: bool | None = None
    ceiling: float | None = None

    @property
    def share_of_ceiling(self) -> str:
        return f"{self.value / self.ceiling:.0%}" if self.ceiling else ""


def inbox_rows(loaded: dict, flask_ceiling: float | None) -> list[Row]:
    """For each load: its p99 (the list at 8 connections has a budget), then its requests/s
    beside the empty Flask endpoint's, the most this machine's gunicorn and Flask can serve."""
    rows = []
    for name, figures in loaded.items():
        refused = f", {figures['non_2xx']:,} not 2xx" if figures["non_2xx"] else ""
        budgeted = name == "list@8"
        rows += [Row("inbox", f"{name} p99{refused}", figures["p99_ms"], "ms", "≤ 10 ms" if budgeted else "",
                     figures["p99_ms"] <= 10 if budgeted else None),
                 Row("inbox", f"{name} throughput", figures["rps"], "req/s", ceiling=flask_ceiling)]
    return rows


def render(rows: list[Row]) -> str:
    """A plain-text table, wide enough for every cell."""
    header = ("section", "what", "value", "budget", "met", "of ceiling")
    cells = [header] + [(r.section, r.what, f"{r.value:,.2f} {r.unit}", r.budget,
                         "" if r.ok is None else ("yes" if r.ok else "NO"), r.share_of_ceiling) for r in rows]
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def save(rows: list[Row], details: dict) -> Path:
    """Write the run's figures and raw details to bench/results/<UTC time>.json."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / time.strftime("%Y%m%dT%H%M%SZ.json", time.gmtime())
    path.write_text(json.dumps({"machine": {"python": platform.python_version(), "cpus": _cpus()},
                                "rows": [asdict(r) for r in rows], "details": details}, indent=2, default=str))
    return path


def _cpus() -> int:
    import os
    return os.cpu_count() or 0
