"""The HTTP side of the local Twilio provider: its state and its request handler."""

import base64
import binascii
import dataclasses
import json
import re
import secrets
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

from tests.support.twilio_messages import check_message_form, message_resource

API_VERSION = "2010-04-01"
_MESSAGES_PATH = re.compile(rf"/{API_VERSION}/Accounts/(?P<account>[^/]+)/Messages\.json")
_DEFAULT_ERRORS = {
    401: (20003, "Authenticate"),
    404: (20404, "The requested resource was not found"),
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
}


@dataclasses.dataclass
class ScriptedAnswer:
    """An answer to give instead of the normal one; status None drops the connection."""

    times: int | None
    status: int | None
    code: int | None = None
    message: str | None = None
    retry_after: str | None = None


@dataclasses.dataclass(frozen=True)
class RecordedRequest:
    """One request as the provider saw it."""

    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]
    authorised: bool


class ProviderState:
    """Everything the provider remembers, shared safely by its request threads."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.unsubscribed: set[str] = set()
        # Called with each accepted message before the sender hears the answer, as when
        # Twilio's first status callback overtakes its answer to the send.
        self.on_accept: Callable[[dict], None] | None = None
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._messages: list[dict] = []
        self._script: deque[ScriptedAnswer] = deque()

    def record(self, request: RecordedRequest) -> None:
        """Keep a request, refused or not, for the test to inspect."""
        with self._lock:
            self._requests.append(request)

    def script(self, answer: ScriptedAnswer) -> None:
        """Queue an answer to give before the normal ones."""
        with self._lock:
            self._script.append(answer)

    def take_scripted(self) -> ScriptedAnswer | None:
        """Use up one turn of the first scripted answer, if any is left."""
        with self._lock:
            if not self._script:
                return None
            answer = self._script[0]
            if answer.times is not None:
                answer.times -= 1
                if answer.times <= 0:
                    self._script.popleft()
            return answer

    def accept(self, form: dict[str, str]) -> dict:
        """Store a message as Twilio would and return its resource."""
        resource = message_resource(self.account_sid, "SM" + secrets.token_hex(16), form)
        with self._lock:
            self._messages.append({**resource, "status_callback": form.get("StatusCallback")})
        if self.on_accept:
            self.on_accept(dict(resource))
        return resource

    def find_message(self, message_sid: str) -> dict:
        """Return a copy of an accepted message; LookupError if there is none."""
        with self._lock:
            for message in self._messages:
                if message["sid"] == message_sid:
                    return dict(message)
        raise LookupError(f"no message {message_sid} was sent")

    def status_form(self, message_sid: str, status: str, error_code: int | None) -> dict:
        """Build the form Twilio posts when a message changes status."""
        form = {"AccountSid": self.account_sid, "ApiVersion": API_VERSION,
                "MessageSid": message_sid, "SmsSid": message_sid,
                "MessageStatus": status, "SmsStatus": status}
        with self._lock:
            for message in self._messages:
                if message["sid"] == message_sid:
                    message["status"] = status
                    form.update({"To": message["to"], "From": message["from"]})
        if error_code is not None:
            form["ErrorCode"] = str(error_code)
        return form

    def snapshot_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def snapshot_messages(self) -> list[dict]:
        with self._lock:
            return [dict(message) for message in self._messages]


class MessagesApiHandler(BaseHTTPRequestHandler):
    """Answers POST /2010-04-01/Accounts/{sid}/Messages.json like Twilio."""

    state: ProviderState  # set on a subclass per provider

    def do_POST(self) -> None:
        form = self._read_form()
        authorised = self._is_authorised()
        self.state.record(RecordedRequest("POST", self.path, dict(self.headers), form, authorised))
        if not authorised:
            return self._send_error(401)
        match = _MESSAGES_PATH.fullmatch(urlsplit(self.path).path)
        if not match or match["account"] != self.state.account_sid:
            return self._send_error(404)
        scripted = self.state.take_scripted()
        if scripted is not None:
            return self._send_scripted(scripted)
        problem = check_message_form(form, self.state.unsubscribed)
        if problem is not None:
            return self._send_error(400, *problem)
        self._send_json(201, self.state.accept(form))

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet; every request is recorded in the state instead."""

    def _read_form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        return dict(parse_qsl(body, keep_blank_values=True))

    def _is_authorised(self) -> bool:
        scheme, _, encoded = (self.headers.get("Authorization") or "").partition(" ")
        try:
            decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        expected = f"{self.state.account_sid}:{self.state.auth_token}"
        return scheme == "Basic" and secrets.compare_digest(decoded, expected)

    def _send_scripted(self, answer: ScriptedAnswer) -> None:
        if answer.status is None:
            self.close_connection = True  # no answer at all: the client sees a dropped line
            return
        headers = {"Retry-After": answer.retry_after} if answer.retry_after else {}
        self._send_error(answer.status, answer.code, answer.message, headers)

    def _send_error(
        self,
        status: int,
        code: int | None = None,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        default_code, default_message = _DEFAULT_ERRORS.get(status, (None, "Bad Request"))
        code = code if code is not None else default_code
        payload = {"code": code, "message": message or default_message, "status": status,
                   "more_info": f"https://www.twilio.com/docs/errors/{code}"}
        self._send_json(status, payload, headers)

    def _send_json(self, status: int, payload: dict, headers: dict | None = None) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
