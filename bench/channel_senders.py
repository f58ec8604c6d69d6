"""How benchmark customers write to Switchboard: email over SMTP, SMS as Twilio posts it, web chat.

Each sender keeps one connection per sender thread, reused for all of that thread's messages.
"""

from __future__ import annotations

import contextlib
import secrets
import smtplib
import textwrap
import threading
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Callable, Protocol

import requests
from tenacity import retry, retry_if_exception_type, stop_after_delay, wait_fixed
from twilio.request_validator import RequestValidator

from shared.config import Settings

CUSTOMER_DOMAIN = "customers.example"
# The inbox's number when SWITCHBOARD_SMS_NUMBER is unset (the SMS service then takes any).
DEFAULT_INBOX_NUMBER = "+14155550100"


class Customers(Protocol):
    """One channel's way for a numbered customer to write."""

    def send(self, customer: int, text: str) -> None: ...

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
    """Chat visitors: one session each, then their messages, through the gateway."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = PerThread(requests.Session, requests.Session.close)
        self.sessions: dict[int, tuple[str, str]] = {}

    def send(self, customer: int, text: str) -> None:
        http = self.http.get()
        if customer not in self.sessions:
            started = http.post(f"{self.base_url}/chat/v1/sessions", json={"name": f"Visitor {customer}"}, timeout=30)
            started.raise_for_status()
            self.sessions[customer] = (started.json()["session_id"], started.json()["token"])
        session_id, token = self.sessions[customer]
        http.post(f"{self.base_url}/chat/v1/sessions/{session_id}/messages", json={"text": text}, timeout=30,
                  headers={"Authorization": f"Bearer {token}"}).raise_for_status()

    def close(self) -> None:
        self.http.close()


class EmailCustomers:
    """Email customers: one address each, each mail with its own Message-ID, over SMTP."""

    def __init__(self, port: int, inbox_address: str):
        self.inbox_address = inbox_address
        self.smtp = PerThread(lambda: _smtp_connection(port), _smtp_quit)

    def send(self, customer: int, text: str) -> None:
        mail = EmailMessage()
        mail["From"] = f"Customer {customer} <customer-{customer}@{CUSTOMER_DOMAIN}>"
        mail["To"], mail["Date"] = self.inbox_address, formatdate(usegmt=True)
        mail["Subject"] = textwrap.shorten(text, 60, placeholder="...")
        mail["Message-ID"] = make_msgid(f"c{customer}", domain=CUSTOMER_DOMAIN)
        mail.set_content(text)
        self.smtp.get().send_message(mail, to_addrs=[self.inbox_address])  # raises unless 250

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
        self.url, self.signed_url = base_url + self.PATH, public_url + self.PATH
        self.validator, self.inbox_number, self.account_sid = RequestValidator(auth_token), inbox_number, account_sid
        self.http = PerThread(requests.Session, requests.Session.close)

    @staticmethod
    def number(customer: int) -> str:
        """A valid E.164 number of its own for each of the first eight million customers."""
        return f"+1415{2_000_000 + customer:07d}"

    def send(self, customer: int, text: str) -> None:
        sid = "SM" + secrets.token_hex(16)
        form = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, "AccountSid": self.account_sid,
                "From": self.number(customer), "To": self.inbox_number, "Body": text, "NumMedia": "0",
                "SmsStatus": "received", "ApiVersion": "2010-04-01"}
        signature = self.validator.compute_signature(self.signed_url, form)
        self.http.get().post(self.url, data=form, headers={"X-Twilio-Signature": signature},
                             timeout=30).raise_for_status()

    def close(self) -> None:
        self.http.close()


class MixedCustomers:
    """Customers split evenly over the channels by number; each writes on its one channel only."""

    def __init__(self, channels: dict[str, Customers]):
        self.channels = channels
        self.names = list(channels)

    def channel_of(self, customer: int) -> str:
        return self.names[customer % len(self.names)]

    def send(self, customer: int, text: str) -> None:
        self.channels[self.channel_of(customer)].send(customer, text)

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
