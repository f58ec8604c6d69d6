"""Handing a reply to the outbound SMTP relay (SWITCHBOARD_SMTP_RELAY_URL) with smtplib.

The relay's answer decides what happens next: a 5xx is permanent (the reply is `failed`
with the relay's words), a 4xx or an unreachable relay is temporary (tried again later).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

TIMEOUT_SECONDS = 30


class RelayError(Exception):
    """The relay did not take the message; `permanent` says whether trying again can help."""

    def __init__(self, reason: str, *, permanent: bool):
        super().__init__(reason)
        self.reason, self.permanent = reason, permanent


@dataclass(frozen=True)
class SmtpRelay:
    """An smtp:// (STARTTLS when offered) or smtps:// relay, with optional user:password."""

    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    password: str | None = None
    ssl_context: ssl.SSLContext | None = None

    @classmethod
    def from_url(cls, url: str, ssl_context: ssl.SSLContext | None = None) -> "SmtpRelay":
        parsed = urlparse(url)
        implicit_tls = parsed.scheme == "smtps"
        return cls(host=parsed.hostname or "localhost", port=parsed.port or (465 if implicit_tls else 25),
                   implicit_tls=implicit_tls, username=unquote(parsed.username) if parsed.username else None,
                   password=unquote(parsed.password) if parsed.password else None, ssl_context=ssl_context)

    def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        """Deliver to the relay, or raise RelayError saying whether it is worth trying again."""
        try:
            with self._connect() as smtp:
                self._secure_and_log_in(smtp)
                refused = smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise _answer_error(code, text) from error
        except smtplib.SMTPResponseException as error:
            raise _answer_error(error.smtp_code, error.smtp_error) from error
        except smtplib.SMTPNotSupportedError as error:
            raise RelayError(f"the relay cannot carry this message: {error}", permanent=True) from error
        except (smtplib.SMTPException, OSError) as error:  # refused, reset, timed out, TLS trouble
            raise RelayError(f"the relay is not reachable: {error!r}", permanent=False) from error
        if refused:
            code, text = next(iter(refused.values()))
            raise _answer_error(code, text)

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_SECONDS, context=self._context())
        return smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)

    def _secure_and_log_in(self, smtp: smtplib.SMTP) -> None:
        smtp.ehlo()
        if not self.implicit_tls and smtp.has_extn("starttls"):
            smtp.starttls(context=self._context())
            smtp.ehlo()
        if self.username:
            smtp.login(self.username, self.password or "")

    def _context(self) -> ssl.SSLContext:
        return self.ssl_context or ssl.create_default_context()


def _answer_error(code: int, text: bytes | str) -> RelayError:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return RelayError(f"the relay answered {code} {words}".strip(), permanent=500 <= code < 600)
