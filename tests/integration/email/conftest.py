"""Settings for the email service on this test's own RabbitMQ vhost and PostgreSQL database."""

import pytest

from shared.config import Settings

INBOX = "support@example.com"


@pytest.fixture
def settings(amqp_url, postgres_url, tmp_path) -> Settings:
    return Settings(broker_url=amqp_url, database_url=postgres_url, data_dir=str(tmp_path), email_address=INBOX,
                    secret_key="integration-secret-key-long-enough", smtp_port=0)
