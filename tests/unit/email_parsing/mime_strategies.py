"""Hypothesis strategies that build random, often malformed, MIME messages as raw bytes."""

import base64
import quopri

from hypothesis import strategies as st

CHARSETS = [
    "utf-8", "iso-8859-1", "windows-1252", "koi8-r", "iso-2022-jp", "gb2312", "shift_jis", "utf-16",
    "utf-7", "us-ascii", "x-unknown", "klingon", "base64", "undefined", "unicode_escape", "",
]
ENCODINGS = ["7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "bogus", ""]
LEAF_TYPES = ["text/plain", "text/html", "application/pdf", "image/png", "message/rfc822", "multipart/mixed", "text/calendar"]
HEADER_NAMES = [
    "From", "To", "Cc", "Reply-To", "Sender", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
    "Auto-Submitted", "Precedence", "X-Auto-Response-Suppress", "Content-Type", "Return-Path", "X-Custom",
]

words = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
mailboxes = st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.example", fullmatch=True)
raw_values = st.binary(max_size=120).map(lambda data: data.replace(b"\r", b"").replace(b"\n", b" "))


@st.composite
def header_value(draw) -> bytes:
    """A header value: plain, raw 8-bit, an encoded word in some charset, or an address list."""
    kind = draw(st.sampled_from(["text", "raw", "encoded", "address", "id"]))
    if kind == "raw":
        return draw(raw_values)
    text = draw(words).replace("\r", " ").replace("\n", " ")
    if kind == "encoded":
        data = text.encode("utf-8")
        charset = draw(st.sampled_from(CHARSETS)) or "utf-8"
        return f"=?{charset}?B?{base64.b64encode(data).decode()}?=".encode()
    if kind == "address":
        address = draw(mailboxes)
        return f'"{text[:20]}" <{address}>'.encode()
    if kind == "id":
        return f"<{text[:30]}@example.com>".encode("utf-8")
    return text.encode("utf-8")


headers = st.lists(st.tuples(st.sampled_from(HEADER_NAMES), header_value()), max_size=12)


@st.composite
def leaf(draw) -> bytes:
    """One non-multipart part with random type, charset, encoding and body."""
    content_type = draw(st.sampled_from(LEAF_TYPES))
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from(ENCODINGS))
    body = draw(st.one_of(st.binary(max_size=300), words.map(lambda text: text.encode("utf-8"))))
    if encoding == "base64" and draw(st.booleans()):
        body = base64.encodebytes(body)
    elif encoding == "quoted-printable" and draw(st.booleans()):
        body = quopri.encodestring(body)
    lines = [f"Content-Type: {content_type}; charset={charset}".encode()]
    if encoding:
        lines.append(b"Content-Transfer-Encoding: " + encoding.encode())
    if draw(st.booleans()):
        lines.append(b'Content-Disposition: attachment; filename="' + draw(raw_values)[:40].replace(b'"', b"") + b'"')
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def multipart(children: list[bytes], boundary: str, subtype: str) -> bytes:
    """Wrap parts in a multipart container with the given boundary."""
    head = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\npreamble\r\n'.encode()
    inner = b"".join(f"--{boundary}\r\n".encode() + child + b"\r\n" for child in children)
    return head + inner + f"--{boundary}--\r\n".encode()


parts = st.recursive(
    leaf(),
    lambda children: st.builds(
        multipart, st.lists(children, max_size=4), st.from_regex(r"[A-Za-z0-9'()+_,./:=?-]{1,20}", fullmatch=True),
        st.sampled_from(["mixed", "alternative", "related", "report"]),
    ),
    max_leaves=12,
)


@st.composite
def messages(draw) -> bytes:
    """A whole message: random headers over a random MIME tree, with CRLF or bare LF line endings."""
    header_block = b"".join(name.encode() + b": " + value + b"\r\n" for name, value in draw(headers))
    raw = header_block + draw(parts)
    if draw(st.booleans()):
        raw = raw.replace(b"\r\n", b"\n")
    return raw
