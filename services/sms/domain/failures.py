"""Why a reply did not reach the customer, in words an agent can act on."""

OPTED_OUT = "the customer opted out by texting STOP"
UNSUBSCRIBED_CODE = 21610  # Twilio: "Attempt to send to unsubscribed recipient"

# The carrier errors agents meet most often (Twilio's 300xx codes).
_CARRIER_ERRORS = {
    30003: "the phone is switched off or out of reach",
    30004: "the customer blocked messages from this number",
    30005: "the number is unknown or no longer in service",
    30006: "the number is a landline or cannot receive texts",
    30007: "the carrier filtered the text as spam",
    30008: "the carrier gave no reason",
}


def refused_reason(code: int | None, message: str) -> str:
    """The provider refused a reply outright (a 4xx answer)."""
    if code == UNSUBSCRIBED_CODE:
        return OPTED_OUT
    return f"Twilio refused the text: {message}" + (f" (error {code})" if code else "")


def unavailable_reason(message: str) -> str:
    """The provider stayed busy or unreachable through every retry."""
    return f"Twilio stayed unavailable through every retry: {message}"


def undelivered_reason(provider_status: str, code: int | None) -> str:
    """A status callback said the text did not arrive."""
    reason = f"the carrier reported the text as {provider_status}"
    if code in _CARRIER_ERRORS:
        reason += f": {_CARRIER_ERRORS[code]}"
    return reason + (f" (error {code})" if code else "")


INTERRUPTED = ("sending was interrupted, so it is unknown whether the text reached the customer; "
               "it was not sent again to avoid a duplicate")
