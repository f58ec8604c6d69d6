"""Switchboard's services as separate local processes, started with the commands containers run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# The admin token and secret key of the distributed Switchboards tests start.
DISTRIBUTED_ADMIN = "distributed-admin-token"
DISTRIBUTED_SECRET = "distributed-secret-key-long-enough-for-hs256"
HTTP_SERVICES = ("inbox", "routing", "webchat", "search", "sms", "email")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """One child process whose output goes to a log file the test can show on failure."""

    def __init__(self, name: str, command: list[str], env: dict, log_dir: Path):
        self.name, self.command, self.env = name, command, env
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(self.command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        log.close()
        return self

    def kill(self) -> None:
        """SIGKILL the whole process group: no chance to ack, flush or clean up."""
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def gunicorn(name: str, app: str, port: int, env: dict, log_dir: Path) -> Process:
    env = {**env, "SWITCHBOARD_BIND_PORT": str(port), "WEB_CONCURRENCY": "1", "SWITCHBOARD_THREADS": "16"}
    return Process(name, [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", app], env, log_dir)


def consumer(name: str, env: dict, log_dir: Path) -> Process:
    return Process(f"{name}-consumer", [str(BIN / "switchboard"), "consume", name], env, log_dir)


def wait_ready(url: str, processes: list[Process], timeout: float = 60) -> None:
    """Wait until `url` answers 200, failing early (with logs) if a process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.popen and process.popen.poll() is not None:
                raise RuntimeError(f"{process.name} exited early:\n{process.tail()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} never became ready:\n" + "\n".join(p.tail(10) for p in processes))


class DistributedSwitchboard:
    """The gateway, each service's HTTP process and each service's consumer process."""

    def __init__(self, env: dict, log_dir: Path):
        self.env = {**os.environ, **env}
        self.log_dir = log_dir
        self.ports = {name: free_port() for name in (*HTTP_SERVICES, "gateway", "smtp")}
        urls = {f"SWITCHBOARD_{n.upper()}_SERVICE_URL": f"http://127.0.0.1:{self.ports[n]}" for n in HTTP_SERVICES}
        self.apis = {n: gunicorn(n, f"services.{n}.app:create_app()", self.ports[n], self.env, log_dir)
                     for n in HTTP_SERVICES}
        self.consumers = {n: consumer(n, self.env, log_dir) for n in HTTP_SERVICES}
        self.gateway = gunicorn("gateway", "gateway.app:create_app()", self.ports["gateway"], {**self.env, **urls},
                                log_dir)
        self.webhooks = Process("gateway-webhooks", [sys.executable, "-m", "gateway.worker"], self.env, log_dir)
        self.smtp = Process("email-smtp", [str(BIN / "switchboard"), "smtp", "--host", "127.0.0.1"],
                            {**self.env, "SWITCHBOARD_SMTP_PORT": str(self.ports["smtp"])}, log_dir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    @property
    def processes(self) -> list[Process]:
        return [*self.apis.values(), *self.consumers.values(), self.gateway, self.webhooks, self.smtp]

    def start(self) -> "DistributedSwitchboard":
        self.apis["routing"].start()  # first, so migrations and the default team do not race at all
        wait_ready(f"http://127.0.0.1:{self.ports['routing']}/readyz", self.processes)
        for process in self.processes:
            if process.popen is None:
                process.start()
        for name in HTTP_SERVICES:
            wait_ready(f"http://127.0.0.1:{self.ports[name]}/readyz", self.processes)
        wait_ready(f"{self.url}/readyz", self.processes)
        return self

    def stop(self) -> None:
        for process in self.processes:
            process.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.tail()}" for p in self.processes)
