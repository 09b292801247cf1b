"""The one place rich text is cleaned: ``clean_html``, with nh3 (Rust's ammonia) and an explicit
allow-list. Services call it on every write of a post's body, a service page's body and an FAQ
answer, so what is stored is always clean and readers can render it as it is.

Kept: text formatting, headings, lists, quotes, code, tables, links and images. Removed: every
other tag (``script``, ``style``, ``iframe``, ``svg``, ``form``... with their content for
``script`` and ``style``), every attribute not listed (``on*`` handlers, ``style``, ``class``),
comments, and URLs of any scheme but ``http``, ``https`` and ``mailto`` (``javascript:``,
``data:``, ``vbscript:``); relative URLs stay. Every link gets ``rel="noopener noreferrer"``.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "del", "em", "figcaption", "figure",
        "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub",
        "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer"

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=set(URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)


def clean_html(html: str) -> str:
    """``html`` (a fragment) with everything outside the allow-list removed (module docstring);
    surrounding whitespace stripped. Pure: no error for any input string."""
    return str(_cleaner.clean(html)).strip()
