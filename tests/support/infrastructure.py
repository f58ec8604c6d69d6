"""Real RabbitMQ and PostgreSQL for tests, each test isolated in its own vhost or database.

CI sets SWITCHBOARD_TEST_REQUIRE_SERVICES=1; a missing service is then a failure. The
services run on every Switchboard development machine too, so a test never skips them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from contextlib import contextmanager
from typing import Iterator

import psycopg
import pytest

AMQP_HOST = os.environ.get("SWITCHBOARD_TEST_AMQP_HOST", "127.0.0.1:5672")
POSTGRES_ADMIN_DSN = os.environ.get("SWITCHBOARD_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")


def _require(what: str, error: Exception) -> None:
    pytest.fail(f"{what} is needed for this test and is not reachable: {error}. "
                f"Start it (see .ci/run) and run the tests again.", pytrace=False)


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@contextmanager
def fresh_vhost() -> Iterator[str]:
    """An empty RabbitMQ vhost for one test; its URL, then it is deleted."""
    if shutil.which("rabbitmqctl") is None:
        _require("RabbitMQ (rabbitmqctl)", FileNotFoundError("rabbitmqctl not on PATH"))
    name = f"sb-test-{uuid.uuid4().hex[:12]}"
    try:
        _rabbitmqctl("add_vhost", name)
        _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    except (subprocess.SubprocessError, OSError) as error:
        _require("RabbitMQ", error)
    try:
        yield f"amqp://guest:guest@{AMQP_HOST}/{name}"
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], capture_output=True, timeout=60)


@contextmanager
def fresh_database() -> Iterator[str]:
    """An empty PostgreSQL database for one test; its SQLAlchemy URL, then it is dropped."""
    name = f"sb_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        _require("PostgreSQL", error)
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
