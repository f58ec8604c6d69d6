"""What sending an SMS can answer: the port every SMS sender (real or fake) fulfils."""

import dataclasses
from typing import Protocol


@dataclasses.dataclass(frozen=True)
class SendResult:
    """The provider accepted the message; later status callbacks refer to provider_sid."""

    provider_sid: str
    status: str
    num_segments: int | None
    error_code: int | None
    error_message: str | None


class SendError(Exception):
    """The provider did not accept the message."""

    def __init__(self, code: int | None, message: str, http_status: int | None) -> None:
        self.code = code
        self.message = message
        self.http_status = http_status
        super().__init__(f"{message} (provider code {code}, HTTP {http_status})")


class PermanentSendError(SendError):
    """Sending again will fail the same way (bad number, unsubscribed, bad credentials)."""


class TemporarySendError(SendError):
    """The provider was busy or unreachable; the same message may be sent again later."""

    def __init__(
        self,
        code: int | None,
        message: str,
        http_status: int | None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after  # seconds the provider asked us to wait, if it did
        super().__init__(code, message, http_status)


class SmsSender(Protocol):
    """Sends one SMS; raises PermanentSendError or TemporarySendError when it cannot."""

    def send(
        self, to: str, from_: str, body: str, status_callback: str | None = None
    ) -> SendResult: ...
