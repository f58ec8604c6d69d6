"""Size and depth caps that keep one hostile message from stalling a Switchboard worker.

Each number was chosen against timings measured on a 2-core machine (see
shared docs, libraries.md "Pitfalls"); the comment beside it says what it guards.
"""

# Larger inputs are refused outright (UnparseableEmail): well above any SMTP
# relay's size limit (25-35 MB) even after base64 has grown attachments by a third.
MAX_MESSAGE_BYTES = 50 * 1024 * 1024

# The top-level header block is trimmed to this before the stdlib parser sees it;
# real messages with long Received/ARC chains stay under ~40 KB.
MAX_HEADER_BLOCK_BYTES = 256 * 1024
MAX_HEADER_FIELDS = 1000

# One header field is cut to this size: the stdlib's address and parameter
# parsers are superlinear (20k addresses took 4-6 s, 8 KB takes ~0.1 s).
MAX_HEADER_FIELD_BYTES = 8 * 1024
# References grows with the thread and is read with a cheap regex, so it may be longer.
MAX_REFERENCES_FIELD_BYTES = 32 * 1024

# More multipart containers than this and only the headers are read: the stdlib
# parser is quadratic in nesting and raises RecursionError near 1,000 levels.
MAX_MULTIPART_CONTAINERS = 100
# Parts nested deeper than this, or beyond this count, are skipped with a warning.
MAX_MIME_DEPTH = 30
MAX_MIME_PARTS = 500

# HTML past this size is cut before sanitising and text extraction (html-text
# needs ~0.25 s per MB).
MAX_HTML_CHARS = 1024 * 1024
# html-text returns '' beyond ~256 levels and nh3 is quadratic in depth (20k
# nested divs took 0.5 s); past this depth the HTML is reduced to plain text.
MAX_HTML_DEPTH = 1000
# Below this depth html-text is trusted; above it nh3 also extracts the text.
HTML_TEXT_SAFE_DEPTH = 200

# mail-parser-reply reads at most this much of the body, with no line longer
# than MAX_REPLY_LINE_CHARS: its header patterns are cubic in line length
# (one 4,000-character line took 16 s; 64 KB of 200-character lines ~0.6 s).
REPLY_SCAN_CHARS = 64 * 1024
MAX_REPLY_LINE_CHARS = 200

# A message with thousands of oddities reports only the first ones.
MAX_WARNINGS = 50

# Where a Message-ID is missing we derive one from the raw bytes under this domain.
SYNTHETIC_ID_DOMAIN = "switchboard.invalid"
