"""Trim the top-level header block before the stdlib parser sees it, so header bombs stay cheap."""

import re

from services.email.parsing import limits

_FIELD_START = re.compile(rb"[!-9;-~]+[ \t]*:")
_BLANK_LINE = re.compile(rb"\n\r?\n|\r\r")
_MBOX_SEPARATOR = b"From "
# Only this much of an oversized header block is even looked at.
_SCAN_BYTES = 4 * limits.MAX_HEADER_BLOCK_BYTES
# Kept whatever else is dropped, because Switchboard reads them.
_WANTED = frozenset({
    "from", "sender", "to", "cc", "reply-to", "subject", "date", "message-id",
    "in-reply-to", "references", "mime-version", "content-type",
    "content-transfer-encoding", "content-disposition", "auto-submitted",
    "x-autoreply", "x-autorespond", "precedence", "x-auto-response-suppress",
    "return-path",
})


def trim_header_block(raw: bytes) -> tuple[bytes, list[str]]:
    """Return the message with a bounded, well-formed header block and what was changed."""
    warnings: list[str] = []
    if raw.startswith(_MBOX_SEPARATOR):
        raw = raw[raw.find(b"\n") + 1:] if b"\n" in raw else b""
        warnings.append("mbox 'From ' line dropped")
    if raw[:1] in (b"\r", b"\n"):
        return raw, warnings
    found = _BLANK_LINE.search(raw)
    end = found.start() + 1 if found else len(raw)
    block, rest = raw[:end], raw[end:]
    if len(block) > _SCAN_BYTES:
        block = block[:block.rfind(b"\n", 0, _SCAN_BYTES) + 1]
        warnings.append("header block too large; its end was dropped")
    fields, body_lines = _group_fields(block.splitlines(keepends=True), warnings)
    if not fields:
        return raw, warnings
    kept = _keep_within_budget(fields, warnings)
    if body_lines:
        rest = _line_ending(block) + b"".join(body_lines) + rest
    return b"".join(kept) + rest, warnings


def _group_fields(lines: list[bytes], warnings: list[str]) -> tuple[list[bytes], list[bytes]]:
    """Join folded lines into fields; stray lines before the last field are dropped, after it start the body."""
    last_start = max((i for i, line in enumerate(lines) if _FIELD_START.match(line)), default=-1)
    fields: list[bytes] = []
    for index, line in enumerate(lines):
        if _FIELD_START.match(line):
            fields.append(line)
        elif line[:1] in (b" ", b"\t") and fields:
            fields[-1] += line
        elif index > last_start:
            if fields:
                warnings.append("no blank line between headers and body")
            return fields, lines[index:]
        else:
            warnings.append("header line without a colon dropped")
    return fields, []


def _keep_within_budget(fields: list[bytes], warnings: list[str]) -> list[bytes]:
    """Keep the first of each wanted header, then others in order while the budget lasts."""
    names = [field.split(b":", 1)[0].strip().decode("ascii").lower() for field in fields]
    seen: set[str] = set()
    keep = [False] * len(fields)
    for index, name in enumerate(names):
        if name in _WANTED and name not in seen:
            seen.add(name)
            keep[index] = True
    fields = [_cut_field(field, name, warnings) for field, name in zip(fields, names)]
    size = sum(len(f) for f, k in zip(fields, keep) if k)
    count = sum(keep)
    for index, field in enumerate(fields):
        if not keep[index] and count < limits.MAX_HEADER_FIELDS and size + len(field) <= limits.MAX_HEADER_BLOCK_BYTES:
            keep[index], count, size = True, count + 1, size + len(field)
    if count < len(fields):
        warnings.append(f"header block trimmed: {len(fields) - count} header fields dropped")
    return [field for field, wanted in zip(fields, keep) if wanted]


def _cut_field(field: bytes, name: str, warnings: list[str]) -> bytes:
    """Cut one oversized field at a space or comma so the stdlib's parsers stay fast."""
    cap = limits.MAX_REFERENCES_FIELD_BYTES if name == "references" else limits.MAX_HEADER_FIELD_BYTES
    if len(field) <= cap:
        return field
    head = field[:cap]
    cut = max(head.rfind(b" "), head.rfind(b","), head.rfind(b"\t"))
    head = head[:cut] if cut > len(name) + 1 else head
    warnings.append(f"header {name} cut to {cap} bytes")
    return head.rstrip(b"\r\n\t ,") + _line_ending(field)


def _line_ending(chunk: bytes) -> bytes:
    """Reuse the sender's line ending so the block stays consistent."""
    return b"\r\n" if b"\r\n" in chunk else b"\n"
