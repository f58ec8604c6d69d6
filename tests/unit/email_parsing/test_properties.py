"""Properties: parsing never fails on any input except with UnparseableEmail; replies re-parse to their thread."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.email.parsing.charsets import clean_text
from services.email.parsing import ParsedEmail, UnparseableEmail, compose_reply, parse_email
from services.email.parsing.compose import thread_references
from services.email.parsing.subjects import normalise_subject
from tests.unit.email_parsing.mime_strategies import messages

SETTINGS = settings(
    max_examples=300, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TEXT_FIELDS = ("message_id", "subject", "from_name", "from_address", "text", "new_text", "quoted_text", "signature")


def _parse_or_refuse(raw: bytes) -> ParsedEmail | None:
    try:
        return parse_email(raw)
    except UnparseableEmail as refused:
        assert refused.reason
        return None


def _check_invariants(parsed: ParsedEmail) -> None:
    for name in TEXT_FIELDS:
        getattr(parsed, name).encode("utf-8")  # no lone surrogates reach storage
    assert parsed.message_id
    assert parsed.from_address == parsed.from_address.lower()
    assert all(address == address.lower() and "@" in address for address in parsed.to + parsed.cc + parsed.reply_to)
    assert parsed.date is None or parsed.date.tzinfo is not None
    assert parsed.is_auto_reply == (parsed.auto_reply_reason is not None)
    assert all(attachment.content is None or len(attachment.content) == attachment.size for attachment in parsed.attachments)


@SETTINGS
@given(st.binary(max_size=4_000))
def test_arbitrary_bytes_parse_or_are_refused_as_unparseable(raw):
    parsed = _parse_or_refuse(raw)
    if parsed is not None:
        _check_invariants(parsed)


@SETTINGS
@given(messages())
def test_random_structured_messages_parse_or_are_refused_as_unparseable(raw):
    parsed = _parse_or_refuse(raw)
    if parsed is not None:
        _check_invariants(parsed)


@SETTINGS
@given(messages(), st.data())
def test_damaged_messages_parse_or_are_refused_as_unparseable(raw, data):
    cut = data.draw(st.integers(min_value=0, max_value=len(raw)))
    noise = data.draw(st.binary(max_size=50))
    parsed = _parse_or_refuse(raw[:cut] + noise + raw[cut:])
    if parsed is not None:
        _check_invariants(parsed)


message_ids = st.from_regex(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,40}@[A-Za-z0-9.-]{1,30}", fullmatch=True)
safe_text = st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=80)


@SETTINGS
@given(
    in_reply_to=st.one_of(st.none(), message_ids), references=st.lists(message_ids, max_size=30),
    subject=safe_text, to_name=safe_text, body=st.text(st.characters(codec="utf-8"), max_size=300),
)
def test_a_composed_reply_re_parses_to_the_same_threading_headers(in_reply_to, references, subject, to_name, body):
    message = compose_reply(
        inbox_address="support@northwind.example", inbox_name="Northwind Support", to_address="anna@example.com",
        to_name=to_name, subject=subject, text=body, in_reply_to=in_reply_to, references=references,
        domain="northwind.example",
    )
    parsed = parse_email(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
    assert parsed.message_id == message["Message-ID"].strip("<>")
    assert parsed.in_reply_to == in_reply_to
    assert list(parsed.references) == thread_references(references, in_reply_to)
    assert normalise_subject(parsed.subject) == normalise_subject(clean_text(subject))  # inbound drops controls
    assert parsed.to == ("anna@example.com",)
