"""Errors the SMS domain raises, so entry points can map each to one HTTP answer."""


class SmsError(Exception):
    """Base of every SMS domain error, so callers can catch the family at once."""


class InvalidPhoneNumber(SmsError, ValueError):
    """Raised when text cannot be read as a phone number we could text."""


class InvalidSmsForm(SmsError):
    """Raised when a provider's form post is missing or has invalid fields."""

    def __init__(self, details: dict[str, str]) -> None:
        self.details = dict(details)
        fields = ", ".join(sorted(self.details))
        super().__init__(f"invalid SMS provider form: {fields}")
