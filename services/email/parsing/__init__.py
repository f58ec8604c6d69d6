"""Switchboard's email core: parse inbound mail and compose threaded replies, with no network I/O."""

from services.email.parsing.compose import compose_reply
from services.email.parsing.delivery_reports import DeliveryFailure, read_delivery_failure
from services.email.parsing.inbound import parse_email
from services.email.parsing.model import Attachment, ParsedEmail, UnparseableEmail
from services.email.parsing.subjects import normalise_subject, strip_reply_prefixes
from services.email.parsing.threading_tokens import find_conversation_token, reply_to_address

__all__ = [
    "Attachment",
    "DeliveryFailure",
    "ParsedEmail",
    "UnparseableEmail",
    "compose_reply",
    "find_conversation_token",
    "normalise_subject",
    "parse_email",
    "read_delivery_failure",
    "reply_to_address",
    "strip_reply_prefixes",
]
