"""A distributed Switchboard for benchmarks: every service its own process on RabbitMQ and PostgreSQL."""

from __future__ import annotations

from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator

import psutil
import requests

from tests.support.infrastructure import fresh_database, fresh_vhost
from tests.support.processes import DistributedSwitchboard

ADMIN_TOKEN = "bench-admin-token"
SECRET_KEY = "bench-secret-key-long-enough-for-hs256-signing"
TWILIO_AUTH_TOKEN = "bench-twilio-auth-token"
UNLIMITED = "100000000/minute"


@contextmanager
def running_switchboard(folder: Path) -> Iterator[tuple[DistributedSwitchboard, dict]]:
    """Start every process against a fresh vhost and database; stop and drop them afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        env = {"SWITCHBOARD_BROKER_URL": stack.enter_context(fresh_vhost()),
               "SWITCHBOARD_DATABASE_URL": stack.enter_context(fresh_database()),
               "SWITCHBOARD_DATA_DIR": str(folder), "SWITCHBOARD_ADMIN_TOKEN": ADMIN_TOKEN,
               "SWITCHBOARD_SECRET_KEY": SECRET_KEY, "SWITCHBOARD_LOG_LEVEL": "WARNING",
               "SWITCHBOARD_TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
               # The whole load comes from one address and one agent: the gateway's limits would answer
               # 429 to most of it and the figures would measure the limiter.
               "SWITCHBOARD_RATE_LIMIT_PER_IP": UNLIMITED, "SWITCHBOARD_RATE_LIMIT_PER_KEY": UNLIMITED}
        switchboard = DistributedSwitchboard(env, folder)
        try:
            switchboard.start()
            env["SWITCHBOARD_PUBLIC_URL"] = switchboard.url
            yield switchboard, env
        finally:
            switchboard.stop()


def add_online_agents(base_url: str, count: int, capacity: int) -> list[str]:
    """Agents of the default team, online with room for the whole load; their tokens."""
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    teams = requests.get(f"{base_url}/api/v1/teams", headers=admin, timeout=10).json()["items"]
    team = next(t for t in teams if t["is_default"])
    tokens = []
    for n in range(count):
        email = f"bench-agent-{n}@example.com"
        requests.post(f"{base_url}/api/v1/agents", headers=admin, timeout=10, json={
            "name": f"Agent {n}", "email": email, "password": "bench-password", "teams": [team["id"]],
            "capacity": capacity}).raise_for_status()
        token = requests.post(f"{base_url}/api/v1/auth/login", timeout=10,
                              json={"email": email, "password": "bench-password"}).json()["token"]
        requests.put(f"{base_url}/api/v1/agents/me/presence", json={"status": "online"}, timeout=10,
                     headers={"Authorization": f"Bearer {token}"}).raise_for_status()
        tokens.append(token)
    return tokens


class ResourceSampler:
    """CPU seconds and peak memory of every Switchboard process over one section."""

    def __init__(self, switchboard: DistributedSwitchboard):
        self.processes = {p.name: psutil.Process(p.popen.pid) for p in switchboard.processes if p.popen}
        self.cpu_at_start = {name: self._cpu(proc) for name, proc in self.processes.items()}
        self.peak_rss = {name: 0 for name in self.processes}

    def sample(self) -> None:
        for name, proc in self.processes.items():
            self.peak_rss[name] = max(self.peak_rss[name], self._rss(proc))

    def summary(self, seconds: float) -> dict:
        """Per process: average CPU use (1.0 = one core busy) and peak memory in MiB."""
        return {name: {"cpu_cores": round((self._cpu(proc) - self.cpu_at_start[name]) / seconds, 2),
                       "peak_rss_mib": round(self.peak_rss[name] / 2**20, 1)}
                for name, proc in self.processes.items()}

    @staticmethod
    def _family(proc: psutil.Process) -> list[psutil.Process]:
        try:
            return [proc, *proc.children(recursive=True)]
        except psutil.Error:
            return []

    def _cpu(self, proc: psutil.Process) -> float:
        total = 0.0
        for member in self._family(proc):
            try:
                times = member.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
        return total

    def _rss(self, proc: psutil.Process) -> int:
        total = 0
        for member in self._family(proc):
            try:
                total += member.memory_info().rss
            except psutil.Error:
                pass
        return total


def agent_token(base_url: str, number: int) -> str:
    """A fresh token for one of the agents add_online_agents created."""
    answer = requests.post(f"{base_url}/api/v1/auth/login", timeout=10,
                           json={"email": f"bench-agent-{number}@example.com", "password": "bench-password"})
    answer.raise_for_status()
    return answer.json()["token"]
