"""How benchmark customers write to Switchboard: email over SMTP, SMS as Twilio posts it, web chat.

Every message is prepared first (the mail written out, the SMS form signed), before the
clock starts, so that the load generator spends its share of the two cores on sending only.
Each sender keeps one connection per sender thread, reused for all of that thread's messages,
and talks HTTP through urllib3, which costs a fraction of requests' CPU per call.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import smtplib
import textwrap
import threading
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Callable, Protocol
from urllib.parse import urlencode, urlsplit

import urllib3
from tenacity import retry, retry_if_exception_type, stop_after_delay, wait_fixed
from twilio.request_validator import RequestValidator

from shared.config import Settings

CUSTOMER_DOMAIN = "customers.example"
# The inbox's number when SWITCHBOARD_SMS_NUMBER is unset (the SMS service then takes any).
DEFAULT_INBOX_NUMBER = "+14155550100"


class Customers(Protocol):
    """One channel's way for a numbered customer to write: prepared ahead, sent during the run."""

    def prepare(self, customer: int, text: str) -> Any: ...

    def send(self, prepared: Any) -> None: ...

    def close(self) -> None: ...


class PerThread:
    """One connection per sender thread, reused for all its messages, all closed at the end."""

    def __init__(self, connect: Callable[[], object], disconnect: Callable[[object], None]):
        self.connect, self.disconnect = connect, disconnect
        self.local = threading.local()
        self.opened: list = []
        self.lock = threading.Lock()

    def get(self):
        if not hasattr(self.local, "connection"):
            self.local.connection = self.connect()
            with self.lock:
                self.opened.append(self.local.connection)
        return self.local.connection

    def close(self) -> None:
        with self.lock:
            for connection in self.opened:
                self.disconnect(connection)
            self.opened.clear()


class ChatCustomers:
    """Chat visitors: one session each, then their messages, through the gateway.

    Each message carries a client_message_id, as the widget sends it (so a retry makes no second copy).
    """

    def __init__(self, base_url: str):
        self.http = _http_connections(base_url)
        self.sessions: dict[int, tuple[str, str]] = {}

    def prepare(self, customer: int, text: str) -> tuple[int, bytes]:
        return customer, json.dumps({"text": text, "client_message_id": str(uuid.uuid4())}).encode()

    def send(self, prepared: tuple[int, bytes]) -> None:
        customer, body = prepared
        http = self.http.get()
        if customer not in self.sessions:
            started = _post(http, "/chat/v1/sessions", json.dumps({"name": f"Visitor {customer}"}).encode(), JSON)
            self.sessions[customer] = (started["session_id"], started["token"])
        session_id, token = self.sessions[customer]
        _post(http, f"/chat/v1/sessions/{session_id}/messages", body, {**JSON, "Authorization": f"Bearer {token}"})

    def close(self) -> None:
        self.http.close()


class EmailCustomers:
    """Email customers: one address each, each mail with its own Message-ID, over SMTP."""

    def __init__(self, port: int, inbox_address: str):
        self.inbox_address = inbox_address
        self.smtp = PerThread(lambda: _smtp_connection(port), _smtp_quit)

    def prepare(self, customer: int, text: str) -> tuple[str, bytes]:
        mail = EmailMessage()
        mail["From"] = f"Customer {customer} <customer-{customer}@{CUSTOMER_DOMAIN}>"
        mail["To"], mail["Date"] = self.inbox_address, formatdate(usegmt=True)
        mail["Subject"] = textwrap.shorten(text, 60, placeholder="...")
        mail["Message-ID"] = make_msgid(f"c{customer}", domain=CUSTOMER_DOMAIN)
        mail.set_content(text)
        return f"customer-{customer}@{CUSTOMER_DOMAIN}", mail.as_bytes()

    def send(self, prepared: tuple[str, bytes]) -> None:
        sender, raw = prepared
        self.smtp.get().sendmail(sender, [self.inbox_address], raw)  # raises unless 250

    def close(self) -> None:
        self.smtp.close()


@retry(retry=retry_if_exception_type(ConnectionRefusedError), stop=stop_after_delay(30), wait=wait_fixed(0.2),
       reraise=True)
def _smtp_connection(port: int) -> smtplib.SMTP:
    """A connection to the SMTP process, which may still be starting when its HTTP siblings are ready."""
    return smtplib.SMTP("127.0.0.1", port, timeout=60)


def _smtp_quit(connection: smtplib.SMTP) -> None:
    """Say goodbye if the server still listens; a dropped connection has nothing left to close."""
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.quit()
    connection.close()


class SmsCustomers:
    """SMS customers: one number each, posted to the webhook as Twilio posts and signs it."""

    PATH = "/webhooks/sms/twilio"

    def __init__(self, base_url: str, public_url: str, auth_token: str, inbox_number: str, account_sid: str):
        self.signed_url = public_url + self.PATH
        self.validator, self.inbox_number, self.account_sid = RequestValidator(auth_token), inbox_number, account_sid
        self.http = _http_connections(base_url)

    @staticmethod
    def number(customer: int) -> str:
        """A valid E.164 number of its own for each of the first eight million customers."""
        return f"+1415{2_000_000 + customer:07d}"

    def prepare(self, customer: int, text: str) -> tuple[bytes, str]:
        sid = "SM" + secrets.token_hex(16)
        form = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, "AccountSid": self.account_sid,
                "From": self.number(customer), "To": self.inbox_number, "Body": text, "NumMedia": "0",
                "SmsStatus": "received", "ApiVersion": "2010-04-01"}
        return urlencode(form).encode(), self.validator.compute_signature(self.signed_url, form)

    def send(self, prepared: tuple[bytes, str]) -> None:
        body, signature = prepared
        _post(self.http.get(), self.PATH, body, {"Content-Type": "application/x-www-form-urlencoded",
                                                 "X-Twilio-Signature": signature}, answer=False)

    def close(self) -> None:
        self.http.close()


JSON = {"Content-Type": "application/json"}


def _http_connections(base_url: str) -> PerThread:
    """One kept-alive urllib3 connection per sender thread to the Switchboard at base_url."""
    parts = urlsplit(base_url)
    return PerThread(lambda: urllib3.HTTPConnectionPool(parts.hostname, parts.port, maxsize=1, timeout=30,
                                                        retries=False),
                     lambda pool: pool.close())


def _post(http: urllib3.HTTPConnectionPool, path: str, body: bytes, headers: dict, *, answer: bool = True):
    """POST and insist on 2xx; the JSON answer when asked for."""
    response = http.urlopen("POST", path, body=body, headers=headers)
    if response.status >= 300:
        raise RuntimeError(f"POST {path} answered {response.status}: {response.data[:200]!r}")
    return json.loads(response.data) if answer else None


class MixedCustomers:
    """Customers split evenly over the channels by number; each writes on its one channel only."""

    def __init__(self, channels: dict[str, Customers]):
        self.channels = channels
        self.names = list(channels)

    def channel_of(self, customer: int) -> str:
        return self.names[customer % len(self.names)]

    def prepare(self, customer: int, text: str) -> tuple[str, Any]:
        channel = self.channel_of(customer)
        return channel, self.channels[channel].prepare(customer, text)

    def send(self, prepared: tuple[str, Any]) -> None:
        channel, item = prepared
        self.channels[channel].send(item)

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()


def mixed_customers(url: str, env: dict, smtp_port: int) -> MixedCustomers:
    """Email, SMS and chat senders for a Switchboard at `url` whose processes run with `env`."""
    def setting(name: str, default: str) -> str:
        return env.get(f"SWITCHBOARD_{name}") or default

    return MixedCustomers({
        "email": EmailCustomers(smtp_port, setting("EMAIL_ADDRESS", Settings.email_address)),
        "sms": SmsCustomers(url, setting("PUBLIC_URL", Settings.public_url).rstrip("/"),
                            setting("TWILIO_AUTH_TOKEN", ""), setting("SMS_NUMBER", DEFAULT_INBOX_NUMBER),
                            setting("TWILIO_ACCOUNT_SID", "AC" + secrets.token_hex(16))),
        "chat": ChatCustomers(url),
    })
