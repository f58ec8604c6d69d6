"""Settings come from SWITCHBOARD_* variables and a bad value stops start-up with a clear message."""

import pytest

from shared.config import ConfigError, load_settings, with_secret_key


def test_defaults_are_the_embedded_mode(monkeypatch):
    for name in list(__import__("os").environ):
        if name.startswith("SWITCHBOARD_"):
            monkeypatch.delenv(name)
    settings = load_settings()
    assert settings.broker_url == "memory://"
    assert settings.database_url == "sqlite:///var/switchboard.db"
    assert settings.search_url is None
    assert (settings.http_port, settings.smtp_port) == (8080, 2525)
    assert settings.email_address == "support@switchboard.local"
    assert settings.service_urls == {}


def test_production_values_are_read(monkeypatch):
    monkeypatch.setenv("SWITCHBOARD_BROKER_URL", "amqp://guest:guest@rabbitmq:5672//")
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", "postgresql+psycopg://sb@postgres/sb")
    monkeypatch.setenv("SWITCHBOARD_SEARCH_URL", "http://elasticsearch:9200")
    monkeypatch.setenv("SWITCHBOARD_INBOX_SERVICE_URL", "http://inbox:8000/")
    settings = load_settings()
    assert settings.broker_url.startswith("amqp://")
    assert settings.search_url == "http://elasticsearch:9200"
    assert settings.service_urls == {"inbox": "http://inbox:8000"}


@pytest.mark.parametrize("name, value, said", [
    ("SWITCHBOARD_HTTP_PORT", "eighty", "SWITCHBOARD_HTTP_PORT"),
    ("SWITCHBOARD_HTTP_PORT", "70000", "SWITCHBOARD_HTTP_PORT"),
    ("SWITCHBOARD_BROKER_URL", "redis://localhost", "SWITCHBOARD_BROKER_URL"),
    ("SWITCHBOARD_DATABASE_URL", "mysql://x", "SWITCHBOARD_DATABASE_URL"),
    ("SWITCHBOARD_SMS_NUMBER", "415 555 0100", "E.164"),
    ("SWITCHBOARD_EMAIL_ADDRESS", "support", "SWITCHBOARD_EMAIL_ADDRESS"),
    ("SWITCHBOARD_SMTP_RELAY_URL", "http://mail", "SWITCHBOARD_SMTP_RELAY_URL"),
])
def test_a_bad_value_is_refused_naming_the_variable(monkeypatch, name, value, said):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=said):
        load_settings()


def test_without_a_secret_key_one_is_made_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("SWITCHBOARD_DATA_DIR", str(tmp_path))
    first = with_secret_key(load_settings())
    second = with_secret_key(load_settings())
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
