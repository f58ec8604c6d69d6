"""Fixtures every Switchboard test folder can use."""

from __future__ import annotations

import pytest

from shared.config import Settings
from tests.support.infrastructure import fresh_database, fresh_vhost


@pytest.fixture
def amqp_url():
    """A real RabbitMQ vhost of this test's own."""
    with fresh_vhost() as url:
        yield url


@pytest.fixture
def postgres_url():
    """A real PostgreSQL database of this test's own."""
    with fresh_database() as url:
        yield url


@pytest.fixture
def embedded_settings(tmp_path) -> Settings:
    """Settings of the embedded mode, with every file in this test's folder."""
    return Settings(database_url=f"sqlite:///{tmp_path}/switchboard.db", data_dir=str(tmp_path),
                    secret_key="test-secret-key-that-is-long-enough-for-hs256", admin_token="test-admin-token",
                    http_port=0, smtp_port=0)
