"""Sanitise inbound HTML for agents' browsers and derive its plain text, with size and depth bounded."""

import html as html_entities
import re

import html_text
import lxml.etree
import lxml.html
import nh3

from services.email.parsing import limits
from services.email.parsing.charsets import clean_text

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
    "dd", "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "small", "span",
    "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "u", "ul",
}
_ATTRIBUTES = {
    "*": {"dir", "lang", "title", "style"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign"},
    "font": {"color"},
}
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style", "title", "textarea", "select"},
    attributes=_ATTRIBUTES,
    url_schemes={"https", "mailto", "cid"},
    allowed_classes={"div": {"gmail_quote"}, "blockquote": {"gmail_quote", "type"}},
    filter_style_properties={"color", "background-color", "font-weight", "font-style", "text-decoration", "text-align"},
)
_TAG = re.compile(r"<[^<>]*>")  # [^<>] keeps this linear on a run of unclosed '<'
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


def clean_html(html: str, warnings: list[str], *, with_text: bool = True) -> tuple[str | None, str]:
    """Return the sanitised HTML (None when too deep to keep) and its plain text ('' unless `with_text`)."""
    if len(html) > limits.MAX_HTML_CHARS:
        html = html[:limits.MAX_HTML_CHARS]
        if html.rfind("<") > html.rfind(">"):
            html = html[:html.rfind("<")]  # drop the tag the cut went through
        warnings.append(f"HTML cut to {limits.MAX_HTML_CHARS} characters")
    depth = measure_depth(html)
    if depth > limits.MAX_HTML_DEPTH:
        warnings.append(f"HTML nested deeper than {limits.MAX_HTML_DEPTH} levels; kept as text only")
        return None, _tidy(html_entities.unescape(_TAG.sub(" ", html)))
    safe = _CLEANER.clean(html).strip()
    return safe, html_to_text(safe, depth) if with_text else ""


def measure_depth(html: str) -> int:
    """Return the element nesting depth as libxml2 sees it (it stops counting at 2,048)."""
    try:
        root = lxml.html.document_fromstring(html, parser=_parser())
    except (lxml.etree.ParserError, ValueError):
        return 0
    depth = deepest = 0
    for event, _ in lxml.etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def html_to_text(html: str, depth: int) -> str:
    """Extract readable text with html-text; past its ~256-level limit ask nh3 to drop the tags."""
    text = ""
    if depth <= limits.HTML_TEXT_SAFE_DEPTH:
        try:
            text = html_text.extract_text(lxml.html.document_fromstring(html, parser=_parser()))
        except (lxml.etree.ParserError, ValueError):
            text = ""
    if not text.strip():
        text = html_entities.unescape(nh3.clean(html, tags=set()))
    return _tidy(text)


def _parser() -> lxml.html.HTMLParser:
    """A fresh parser per call: lxml parsers must not be shared between threads."""
    return lxml.html.HTMLParser(huge_tree=True)


def _tidy(text: str) -> str:
    """Collapse the runs of spaces and blank lines that markup leaves behind."""
    lines = (_SPACES.sub(" ", line).strip() for line in clean_text(text).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
