"""Sending SMS through Twilio's Messages API (or any server that speaks it)."""

import time
from collections.abc import Callable
from urllib.parse import quote

import requests
import structlog
import tenacity

from services.sms.adapters.retry_policy import get_retry_after_seconds, wait_for_retry
from services.sms.domain.outbound import PermanentSendError, SendResult, TemporarySendError

log = structlog.get_logger(__name__)

API_VERSION = "2010-04-01"
TIMEOUT_SECONDS = (3.05, 15.0)  # connect, read
MAX_WAIT_SECONDS = 30.0  # never let a Retry-After hold a sender longer than this
# Dropped connections and timeouts may hide a message the provider did accept; we
# retry anyway, since a customer missing a reply is worse than seeing it twice.
_TRANSPORT_ERRORS = (requests.ConnectionError, requests.Timeout)


class TwilioMessagesClient:
    """Sends one SMS per call, retrying only what may succeed on a later try."""

    def __init__(
        self,
        api_base: str,
        account_sid: str,
        auth_token: str,
        *,
        session: requests.Session | None = None,
        max_attempts: int = 4,
        backoff_seconds: float = 0.5,
        max_wait_seconds: float = MAX_WAIT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        account = quote(account_sid, safe="")
        self.messages_url = f"{api_base.rstrip('/')}/{API_VERSION}/Accounts/{account}/Messages.json"
        self._auth = (account_sid, auth_token)
        self._owns_session = session is None
        self._session = session or requests.Session()
        self._retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(max_attempts),
            wait=wait_for_retry(backoff_seconds, max_wait_seconds),
            retry=tenacity.retry_if_exception_type(TemporarySendError),
            before_sleep=_log_retry,
            sleep=sleep,
            reraise=True,  # the caller sees the last TemporarySendError itself
        )

    def send(
        self, to: str, from_: str, body: str, status_callback: str | None = None
    ) -> SendResult:
        """Send a message; raises PermanentSendError, or TemporarySendError once retries run out."""
        form = {"To": to, "From": from_, "Body": body}
        if status_callback:
            form["StatusCallback"] = status_callback
        # A copy per call keeps retry state apart when threads share this client.
        return self._retrying.copy()(self._post_once, form)

    def close(self) -> None:
        """Release the connection pool, if this client opened it."""
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> "TwilioMessagesClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _post_once(self, form: dict[str, str]) -> SendResult:
        """Make one attempt and turn its answer into a result or a send error."""
        try:
            response = self._session.post(
                self.messages_url, data=form, auth=self._auth, timeout=TIMEOUT_SECONDS
            )
        except _TRANSPORT_ERRORS as error:
            raise TemporarySendError(None, f"provider unreachable: {error}", None) from error
        if response.status_code in (200, 201):
            return _read_result(response)
        raise _read_error(response)


def _read_result(response: requests.Response) -> SendResult:
    """Turn Twilio's message resource into a SendResult."""
    payload = _read_json(response)
    sid = payload.get("sid")
    if not isinstance(sid, str) or not sid:
        # Accepted but unreadable: sending again could text the customer twice.
        raise PermanentSendError(
            None, "provider accepted the message without a sid", response.status_code
        )
    return SendResult(
        provider_sid=sid,
        status=str(payload.get("status") or "queued"),
        num_segments=_read_int(payload.get("num_segments")),
        error_code=_read_int(payload.get("error_code")),
        error_message=payload.get("error_message") or None,
    )


def _read_error(response: requests.Response) -> PermanentSendError | TemporarySendError:
    """Classify an error answer: 429 and 5xx are worth retrying, other 4xx are not."""
    payload = _read_json(response)
    status = response.status_code
    code = _read_int(payload.get("code"))
    message = str(payload.get("message") or f"provider answered HTTP {status}")
    if status == 429:
        retry_after = get_retry_after_seconds(response.headers.get("Retry-After"))
        return TemporarySendError(code, message, status, retry_after)
    if status >= 500:
        return TemporarySendError(code, message, status)
    return PermanentSendError(code, message, status)


def _read_json(response: requests.Response) -> dict:
    """Read a JSON object body; proxies and load balancers may answer with HTML."""
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _read_int(value: object) -> int | None:
    """Twilio writes some numbers as strings ("num_segments": "2")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        return int(value)
    return None


def _log_retry(retry_state: tenacity.RetryCallState) -> None:
    """Leave a trace of each retry, so a slow provider shows up in the logs."""
    error = retry_state.outcome.exception() if retry_state.outcome else None
    wait = retry_state.next_action.sleep if retry_state.next_action else None
    log.warning(
        "sms.send.retrying",
        attempt=retry_state.attempt_number,
        wait_seconds=wait,
        error=str(error),
    )
