"""What a campaign's message looks like: the sanitised HTML, the placeholders, the unsubscribe
footer and headers. The one place a campaign is rendered (preview, test and real sends alike).

Placeholders in the subject, HTML and text: ``{{ first_name }}``, ``{{ full_name }}``,
``{{ email }}``, ``{{ site_name }}`` (spaces optional). They are replaced as plain text (HTML-escaped
in the HTML part); nothing else in an admin's content is interpreted, so it is never a template.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from typing import Any

import nh3
from django.core.mail import EmailMultiAlternatives

from tenant_apps.emails.services import render_email, sender_address, site_name
from tenant_apps.writing.campaigns.models import Campaign
from tenant_apps.writing.campaigns.tokens import unsubscribe_url

#: Tags a campaign's HTML may use; everything else is stripped (its text kept), scripts and styles
#: removed with their content.
ALLOWED_TAGS = frozenset(
    {
        "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i", "img",
        "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
        "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
#: Attributes allowed per tag (``rel`` of links is set by nh3: ``noopener noreferrer``).
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "*": {"style"},
}
#: URL schemes links and images may use (no ``javascript:``, no ``data:``).
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: CSS properties kept in ``style`` attributes.
STYLE_PROPERTIES = frozenset(
    {"color", "background-color", "font-weight", "font-style", "font-size", "text-align", "text-decoration",
     "margin", "padding", "border", "width", "max-width"}
)  # fmt: skip

_PLACEHOLDER = re.compile(r"\{\{\s*(first_name|full_name|email|site_name)\s*\}\}")


def sanitize_html(value: str) -> str:
    """``value`` with only ``ALLOWED_TAGS``, ``ALLOWED_ATTRIBUTES``, ``URL_SCHEMES`` and
    ``STYLE_PROPERTIES`` kept (``nh3``): no scripts, event handlers or ``javascript:`` links."""
    return nh3.clean(
        value or "",
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        filter_style_properties=set(STYLE_PROPERTIES),
        link_rel="noopener noreferrer",
    ).strip()


@dataclass(frozen=True)
class Rendered:
    """One recipient's message: ``subject``, ``text``, ``html``, and the ``unsubscribe_url`` in both
    parts and in the ``List-Unsubscribe`` header."""

    subject: str
    text: str
    html: str
    unsubscribe_url: str


def _values(user: Any, email: str) -> dict[str, str]:
    full_name = str(getattr(user, "full_name", "") or "").strip()
    return {
        "first_name": full_name.split(" ")[0] if full_name else "",
        "full_name": full_name,
        "email": email,
        "site_name": site_name(),
    }


def personalise(template: str, values: dict[str, str], *, escape: bool = False) -> str:
    """``template`` with each placeholder replaced by its value (HTML-escaped when ``escape``)."""

    def replace(match: re.Match[str]) -> str:
        value = values[match.group(1)]
        return html_lib.escape(value) if escape else value

    return _PLACEHOLDER.sub(replace, template)


def render_campaign(campaign: Campaign, *, email: str, user: Any = None) -> Rendered:
    """``campaign`` as ``email`` (``user``: their account, for the names) receives it: placeholders
    filled, the HTML (sanitised when stored) in the site's e-mail layout, both parts ending with
    the unsubscribe link (``emails/writing_campaign.{txt,html}``)."""
    values = _values(user, email)
    url = unsubscribe_url(email)
    body_html = personalise(campaign.html, values, escape=True) if campaign.html else ""
    text, html = render_email(
        "writing_campaign",
        {
            "body_text": personalise(campaign.text, values),
            "body_html": body_html,
            "body_text_as_html": "" if body_html else personalise(campaign.text, values),
            "unsubscribe_url": url,
        },
    )
    subject = " ".join(personalise(campaign.subject, values).split())  # no header injection
    return Rendered(subject=subject, text=text, html=html or "", unsubscribe_url=url)


def build_message(rendered: Rendered, *, to: str) -> EmailMultiAlternatives:
    """The message to send to ``to``: text and HTML parts, from the site's sender, with
    ``List-Unsubscribe`` (the link) and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``
    (RFC 8058: a mail client unsubscribes with one POST to the link, no page, no login)."""
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=sender_address(),
        to=[to],
        headers={
            "List-Unsubscribe": f"<{rendered.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    if rendered.html:
        message.attach_alternative(rendered.html, "text/html")
    return message
