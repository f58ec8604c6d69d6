"""HTTP load with wrk (a second process on loopback), bounded in time, parsed into figures."""

from __future__ import annotations

import re
import shutil
import subprocess

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def wrk(url: str, *, connections: int, seconds: int, headers: dict[str, str] | None = None) -> dict:
    """Requests/s and latency percentiles for GET `url`; non-2xx answers are counted as errors."""
    command = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 30,
                            check=True).stdout
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50_ms": _latency(output, "50%"), "p99_ms": _latency(output, "99%"),
            "non_2xx": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", output)) else 0,
            "connections": connections}


def _latency(output: str, label: str) -> float:
    match = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s|m)\b", output)
    return round(float(match.group(1)) * _UNITS_MS[match.group(2)], 3) if match else 0.0

