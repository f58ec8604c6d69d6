"""Where each rule field lives on a routed message."""

from collections.abc import Mapping

from services.routing.domain.model import RoutedMessage
from services.routing.domain.values import MISSING
from services.routing.domain.vocabulary import CONTACT_PREFIX, MESSAGE_FIELDS

_MESSAGE_READERS = {
    "channel": lambda message: message.channel,
    "text": lambda message: message.text,
    "subject": lambda message: message.subject,
    "from": lambda message: message.sender,
    "conversation.labels": lambda message: message.labels,
    "conversation.priority": lambda message: message.priority,
}


def is_known_field(name: object) -> bool:
    """Whether a rule may test this field: a message field or any `contact.<attribute>`."""
    if not isinstance(name, str):
        return False
    return name in MESSAGE_FIELDS or _contact_attribute(name) is not None


def get_field_value(message: RoutedMessage, name: object) -> object:
    """The field's value on this message, or MISSING when the message does not have it."""
    if not isinstance(name, str):
        return MISSING
    reader = _MESSAGE_READERS.get(name)
    if reader is not None:
        return reader(message)
    attribute = _contact_attribute(name)
    if attribute is None or not isinstance(message.contact, Mapping):
        return MISSING
    return message.contact.get(attribute, MISSING)


def _contact_attribute(name: str) -> str | None:
    """The attribute in `contact.<attribute>`; contact attributes arrive flattened, dots included."""
    if not name.startswith(CONTACT_PREFIX):
        return None
    attribute = name[len(CONTACT_PREFIX):]
    return attribute if attribute.strip() else None
