"""Switchboard's settings: one typed object read from SWITCHBOARD_* variables, checked at start-up."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse

from environs import Env, EnvError


class ConfigError(Exception):
    """A setting has a value Switchboard cannot run with; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    # Where messages travel: `memory://` (one process) or `amqp://user:pass@host:5672//`.
    broker_url: str = "memory://"
    # The store: SQLite by default, `postgresql+psycopg://...` in production.
    database_url: str = "sqlite:///var/switchboard.db"
    # Search engine: None means the embedded engine; an http(s) URL means Elasticsearch.
    search_url: str | None = None
    # The gateway's port (every HTTP endpoint is reachable there).
    http_port: int = 8080
    # Inbound SMTP port.
    smtp_port: int = 2525
    # The URL customers and providers use to reach us (Twilio signs this plus the path).
    public_url: str = "http://localhost:8080"
    # A bearer token that acts as an admin key; None disables it.
    admin_token: str | None = None
    # The inbox's own email address (the only recipient the SMTP server accepts).
    email_address: str = "support@switchboard.local"
    # Outbound SMTP relay (`smtp://host:25`, `smtps://user:pass@host:465`); None keeps replies `failed`.
    smtp_relay_url: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_api_base: str = "https://api.twilio.com"
    # The inbox's own SMS number in E.164.
    sms_number: str | None = None
    # Secret the customer's site uses to sign chat visitors' emails (HMAC-SHA256 `user_hash`).
    chat_identity_secret: str | None = None
    # Signs agents' login tokens; every process of one deployment must share it.
    secret_key: str = field(default="", repr=False)
    # Where the embedded mode keeps its files (SQLite database, search index, secret key).
    data_dir: str = "var"
    # How long an agent's login token lasts.
    token_ttl_seconds: int = 12 * 3600
    # Log level for the JSON logs.
    log_level: str = "INFO"
    # Distributed mode: where the gateway finds each service (SWITCHBOARD_<NAME>_SERVICE_URL); empty = in-process.
    service_urls: Mapping[str, str] = field(default_factory=dict)
    # Gateway rate limits (`<count>/<second|minute|hour>`): per API key, and per client address for the rest.
    rate_limit_per_key: str = "1200/minute"
    rate_limit_per_ip: str = "6000/minute"
    # Outbound webhooks may target loopback/private addresses only when an admin allows it.
    webhooks_allow_private: bool = False
    # Proxies (load balancers) in front of the gateway whose X-Forwarded-For names the real client.
    trusted_proxy_hops: int = 0

    @property
    def search_path(self) -> str:
        """The SQLite FTS5 search engine's file, for a `sqlite://` search URL without a path."""
        return str(Path(self.data_dir) / "search.db")

    @property
    def search_index_path(self) -> str:
        """The embedded (tantivy) search engine's index folder."""
        return str(Path(self.data_dir) / "search-index")


SERVICES = ("webchat", "inbox", "routing", "search", "email", "sms")


def load_settings() -> Settings:
    """Read and check every SWITCHBOARD_* variable; raise ConfigError naming the bad one."""
    env = Env(eager=False)
    values = _read(env)
    try:
        env.seal()
    except EnvError as error:
        raise ConfigError(f"bad setting: {error}") from None
    settings = Settings(**values)
    _check(settings)
    return settings


def _read(env: Env) -> dict:
    p = "SWITCHBOARD_"
    data_dir = env.str(p + "DATA_DIR", "var")
    return dict(
        broker_url=env.str(p + "BROKER_URL", "memory://"),
        database_url=env.str(p + "DATABASE_URL", f"sqlite:///{data_dir}/switchboard.db"),
        search_url=env.str(p + "SEARCH_URL", None) or None,
        http_port=env.int(p + "HTTP_PORT", 8080),
        smtp_port=env.int(p + "SMTP_PORT", 2525),
        public_url=env.str(p + "PUBLIC_URL", "http://localhost:8080").rstrip("/"),
        admin_token=env.str(p + "ADMIN_TOKEN", None) or None,
        email_address=env.str(p + "EMAIL_ADDRESS", "support@switchboard.local").lower(),
        smtp_relay_url=env.str(p + "SMTP_RELAY_URL", None) or None,
        twilio_account_sid=env.str(p + "TWILIO_ACCOUNT_SID", None) or None,
        twilio_auth_token=env.str(p + "TWILIO_AUTH_TOKEN", None) or None,
        twilio_api_base=env.str(p + "TWILIO_API_BASE", "https://api.twilio.com").rstrip("/"),
        sms_number=env.str(p + "SMS_NUMBER", None) or None,
        chat_identity_secret=env.str(p + "CHAT_IDENTITY_SECRET", None) or None,
        secret_key=env.str(p + "SECRET_KEY", "") or "",
        data_dir=data_dir,
        token_ttl_seconds=env.int(p + "TOKEN_TTL_SECONDS", 12 * 3600),
        log_level=env.str(p + "LOG_LEVEL", "INFO").upper(),
        rate_limit_per_key=env.str(p + "RATE_LIMIT_PER_KEY", "1200/minute"),
        rate_limit_per_ip=env.str(p + "RATE_LIMIT_PER_IP", "6000/minute"),
        webhooks_allow_private=env.bool(p + "WEBHOOKS_ALLOW_PRIVATE", False),
        trusted_proxy_hops=env.int(p + "TRUSTED_PROXY_HOPS", 0),
        service_urls={
            name: url.rstrip("/")
            for name in SERVICES
            if (url := env.str(f"{p}{name.upper()}_SERVICE_URL", "") or "")
        },
    )


def _check(s: Settings) -> None:
    _check_scheme("SWITCHBOARD_BROKER_URL", s.broker_url, {"memory", "amqp", "amqps", "pyamqp"})
    _check_scheme("SWITCHBOARD_DATABASE_URL", s.database_url, {"sqlite", "postgresql", "postgresql+psycopg"})
    if s.search_url:
        _check_scheme("SWITCHBOARD_SEARCH_URL", s.search_url, {"http", "https", "embedded", "sqlite"})
    if s.smtp_relay_url:
        _check_scheme("SWITCHBOARD_SMTP_RELAY_URL", s.smtp_relay_url, {"smtp", "smtps"})
    _check_scheme("SWITCHBOARD_PUBLIC_URL", s.public_url, {"http", "https"})
    _check_scheme("SWITCHBOARD_TWILIO_API_BASE", s.twilio_api_base, {"http", "https"})
    for name, port in (("SWITCHBOARD_HTTP_PORT", s.http_port), ("SWITCHBOARD_SMTP_PORT", s.smtp_port)):
        if not 0 <= port <= 65535:
            raise ConfigError(f"{name}={port} is not a TCP port (0-65535)")
    if "@" not in s.email_address:
        raise ConfigError(f"SWITCHBOARD_EMAIL_ADDRESS={s.email_address!r} is not an email address")
    if s.sms_number and not (s.sms_number.startswith("+") and s.sms_number[1:].isdigit()):
        raise ConfigError(f"SWITCHBOARD_SMS_NUMBER={s.sms_number!r} must be in E.164, like +14155550100")
    if s.log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"SWITCHBOARD_LOG_LEVEL={s.log_level!r} must be DEBUG, INFO, WARNING or ERROR")


def _check_scheme(name: str, url: str, schemes: set[str]) -> None:
    scheme = urlparse(url).scheme
    if scheme not in schemes:
        allowed = ", ".join(sorted(f"{x}://" for x in schemes))
        raise ConfigError(f"{name}={url!r} must start with one of {allowed}")


def with_secret_key(settings: Settings) -> Settings:
    """Fill in the signing key: from SWITCHBOARD_SECRET_KEY, else a key file kept in the data folder."""
    if settings.secret_key:
        return settings
    path = Path(settings.data_dir) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return replace(settings, secret_key=path.read_text().strip())


