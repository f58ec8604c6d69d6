"""A local SMS provider that speaks Twilio's Messages API, for Switchboard's tests.

It is a real HTTP server on 127.0.0.1 (a free port), run in a background thread:

    with FakeTwilioProvider() as provider:
        client = TwilioMessagesClient(provider.api_base, provider.account_sid, provider.auth_token)

It checks basic auth and the To/From/Body fields as Twilio does, records every
request, can be told to answer the next requests with an error or to drop them, and
can post signed status callbacks the way Twilio does after a message moves on.
"""

import threading
from http.server import ThreadingHTTPServer

import pytest
import requests
from twilio.request_validator import RequestValidator

from tests.support.twilio_provider_http import (
    MessagesApiHandler,
    ProviderState,
    RecordedRequest,
    ScriptedAnswer,
)

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "switchboard-test-auth-token"

__all__ = ["ACCOUNT_SID", "AUTH_TOKEN", "FakeTwilioProvider", "twilio_provider"]


class FakeTwilioProvider:
    """Twilio's Messages API on a local port, with failures on demand."""

    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.state = ProviderState(account_sid, auth_token)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def api_base(self) -> str:
        """The address to give a client in place of https://api.twilio.com."""
        if self._server is None:
            raise RuntimeError("the provider is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def received(self) -> list[RecordedRequest]:
        """Every request received, in order, including refused ones."""
        return self.state.snapshot_requests()

    @property
    def messages(self) -> list[dict]:
        """Every message accepted (answered 201), in order."""
        return self.state.snapshot_messages()

    def start(self) -> "FakeTwilioProvider":
        """Listen on a free local port and serve from a background thread."""
        handler = type("BoundHandler", (MessagesApiHandler,), {"state": self.state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        # A short poll keeps stop() quick; the default half second adds up over a suite.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = self._thread = None

    def __enter__(self) -> "FakeTwilioProvider":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def fail_next(
        self,
        times: int | None,
        status: int,
        *,
        code: int | None = None,
        message: str | None = None,
        retry_after: str | None = None,
    ) -> None:
        """Answer the next `times` authorised requests (None: all of them) with an error."""
        self.state.script(ScriptedAnswer(times, status, code, message, retry_after))

    def drop_next(self, times: int | None) -> None:
        """Close the connection of the next `times` authorised requests without answering."""
        self.state.script(ScriptedAnswer(times, status=None))

    def unsubscribe(self, number: str) -> None:
        """Refuse messages to this number with error 21610, as after the customer sent STOP."""
        self.state.unsubscribed.add(number)

    def send_status_callback(
        self,
        url: str,
        message_sid: str,
        status: str,
        error_code: int | None = None,
    ) -> requests.Response:
        """Post a status callback for a message to `url`, signed like Twilio signs it."""
        form = self.state.status_form(message_sid, status, error_code)
        signature = RequestValidator(self.auth_token).compute_signature(url, form)
        headers = {"X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1"}
        return requests.post(url, data=form, headers=headers, timeout=10)

    def report_status(
        self, message_sid: str, status: str, error_code: int | None = None
    ) -> requests.Response:
        """Post a status callback to the StatusCallback the message was sent with."""
        message = self.state.find_message(message_sid)
        if not message.get("status_callback"):
            raise LookupError(f"message {message_sid} was sent without a StatusCallback")
        callback = message["status_callback"]
        return self.send_status_callback(callback, message_sid, status, error_code)


@pytest.fixture
def twilio_provider():
    """A running FakeTwilioProvider, stopped after the test."""
    with FakeTwilioProvider() as provider:
        yield provider
