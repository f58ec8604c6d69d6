"""The raw ceiling of this machine in the same run: RabbitMQ with confirms in flight, an empty Flask app.

Every Switchboard figure is also shown as a share of these, so a slow machine and a slow
Switchboard are told apart.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pika

from bench.loadgen import wrk
from tests.support.processes import Process, free_port, wait_ready

ROOT = Path(__file__).resolve().parents[1]
QUEUE = "bench.ceiling"
BODY = b'{"channel": "chat", "text": "Hello, my order has not arrived yet."}' * 4


def rabbitmq(amqp_url: str, count: int) -> dict:
    """Persistent messages/s published with many confirms in flight, then consumed with acks."""
    published = _publish_with_confirms(amqp_url, count)
    consumed = _consume(amqp_url, count)
    return {"publish_per_s": round(published), "consume_per_s": round(consumed), "messages": count}


def _publish_with_confirms(amqp_url: str, count: int) -> float:
    state = {"acked": 0, "started": 0.0, "finished": 0.0}

    def on_open(connection):
        connection.channel(on_open_callback=on_channel)

    def on_channel(channel):
        channel.confirm_delivery(on_confirm)
        channel.queue_declare(QUEUE, durable=True, callback=lambda _frame: publish_all(channel))

    def publish_all(channel):
        state["started"] = time.perf_counter()
        properties = pika.BasicProperties(delivery_mode=2)
        for _ in range(count):
            channel.basic_publish("", QUEUE, BODY, properties)

    def on_confirm(frame):
        state["acked"] = max(state["acked"], frame.method.delivery_tag)
        if state["acked"] >= count:
            state["finished"] = time.perf_counter()
            connection.close()

    def stop(*_args):
        connection.ioloop.stop()

    connection = pika.SelectConnection(pika.URLParameters(amqp_url), on_open_callback=on_open,
                                       on_open_error_callback=stop, on_close_callback=stop)
    # Bounded even if the broker stalls.
    connection.ioloop.call_later(120, lambda: connection.is_open and connection.close())
    connection.ioloop.start()
    if not state["finished"]:
        raise RuntimeError(f"RabbitMQ confirmed only {state['acked']} of {count} messages")
    return count / (state["finished"] - state["started"])


def _consume(amqp_url: str, count: int) -> float:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        channel = connection.channel()
        channel.basic_qos(prefetch_count=1000)
        started, received = time.perf_counter(), 0
        for method, _properties, _body in channel.consume(QUEUE, inactivity_timeout=10):
            if method is None:
                break
            received += 1
            if received % 250 == 0 or received == count:
                channel.basic_ack(method.delivery_tag, multiple=True)
            if received == count:
                break
        elapsed = time.perf_counter() - started
        channel.cancel()
        channel.queue_delete(QUEUE)
        return received / elapsed
    finally:
        connection.close()


def flask(seconds: int, log_dir: Path) -> dict:
    """An empty Flask endpoint under gunicorn with the services' settings, loaded by wrk at 8 connections."""
    port = free_port()
    env = {**os.environ, "SWITCHBOARD_BIND_PORT": str(port), "WEB_CONCURRENCY": "1", "SWITCHBOARD_THREADS": "16"}
    server = Process("empty-flask", [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                                     "bench.empty_app:app"], env, log_dir).start()
    try:
        wait_ready(f"http://127.0.0.1:{port}/ping", [server])
        return wrk(f"http://127.0.0.1:{port}/ping", connections=8, seconds=seconds)
    finally:
        server.stop()
