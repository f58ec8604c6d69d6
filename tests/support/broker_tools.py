"""Looking into and breaking a test's own RabbitMQ vhost, as only an integration test needs to."""

from __future__ import annotations

import subprocess

from kombu import Connection, Queue


def waiting_messages(url: str, queue_name: str) -> list:
    """Every message of a queue, read and decoded by kombu as Switchboard's consumers do."""
    with Connection(url) as conn:
        queue = Queue(queue_name, durable=True)(conn.default_channel)
        messages = []
        while (message := queue.get(no_ack=True, accept=["json"])) is not None:
            messages.append(message)
        return messages


def close_broker_connections(url: str) -> None:
    """Have RabbitMQ drop every connection of this test's vhost, as a broker restart would."""
    _rabbitmqctl("close_all_connections", "-p", _vhost(url), "test: connection dropped")


def open_broker_connections(url: str) -> int:
    listing = _rabbitmqctl("list_connections", "vhost").splitlines()
    return sum(1 for line in listing if line.strip() == _vhost(url))


def _vhost(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _rabbitmqctl(*args: str) -> str:
    return subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True, timeout=60).stdout
