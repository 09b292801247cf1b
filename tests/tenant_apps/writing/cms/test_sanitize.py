"""Rich text is cleaned on every write (``sanitize.clean_html``, nh3 with an allow-list): real XSS
payloads sent by an admin through the API are stored, and served to anonymous readers, without
anything that runs."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.writing.cms.models import BlogPost, ServicePage
from tenant_apps.writing.cms.sanitize import clean_html
from tests.tenant_apps.writing.cms.conftest import PAGES, POSTS, make_post, page_url, post_url
from tests.tenant_apps.writing.conftest import Writing

PAYLOADS = [
    '<script>alert("xss")</script>',
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<svg onload=alert(1)><circle/></svg>",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">hi</p>',
    '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)">',
    '<form action="https://evil.example"><input name="password"></form>',
    "<object data=\"javascript:alert(1)\"></object><embed src='javascript:alert(1)'>",
    '<body onload="alert(1)">',
    '<div><a href="https://ok.example" onmouseover="alert(1)" target="_blank">x</a></div>',
    "<!--<img src=x onerror=alert(1)>-->",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
]

DANGEROUS = (
    *("<script", "onerror", "onload", "onclick", "onmouseover", "javascript:", "vbscript:", "data:"),
    *("<iframe", "<svg", "<style", "style=", "<form", "<input", "<object", "<embed", "<meta", "<!--"),
)


def _safe(html: str) -> bool:
    lowered = html.lower()
    return not any(bad in lowered for bad in DANGEROUS)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_clean_html_removes_every_payload(payload: str) -> None:
    assert _safe(clean_html(payload)), clean_html(payload)


def test_clean_html_keeps_formatting_and_adds_rel_to_links() -> None:
    html = '<h2>T</h2><p><strong>b</strong> <a href="https://ok.example" title="t">l</a></p><ul><li>i</li></ul>'
    assert clean_html(html) == (
        '<h2>T</h2><p><strong>b</strong> <a href="https://ok.example" title="t" rel="noopener noreferrer">l</a></p>'
        "<ul><li>i</li></ul>"
    )


def test_payloads_sent_through_the_api_are_stored_and_served_clean(writing: Writing) -> None:
    # given
    admin = writing.client("admin")
    body = "<p>Intro</p>" + "".join(PAYLOADS)
    # when a post and a page are written with every payload
    post = admin.post(POSTS, {"title": "Payloads", "body": body}, format="json")
    admin.post(post_url("payloads", "publish/"))
    page = admin.post(
        PAGES,
        {"title": "Payload page", "body": body, "is_published": True, "faq": [{"question": "Q", "answer": body}]},
        format="json",
    )
    assert post.status_code == 201 and page.status_code == 201
    # then what is stored is clean
    with tenant_context(writing.tenant):
        stored_post = BlogPost.objects.get(slug="payloads")
        stored_page = ServicePage.objects.get(slug="payload-page")
    assert stored_post.body.startswith("<p>Intro</p>") and _safe(stored_post.body)
    assert _safe(stored_page.body) and _safe(stored_page.faq[0]["answer"])
    # and so is what anonymous readers get
    visitor = writing.client(None)
    assert _safe(visitor.get(post_url("payloads")).json()["body"])
    assert _safe(visitor.get(page_url("payload-page")).content.decode())


def test_a_patch_is_cleaned_too(writing: Writing) -> None:
    # given
    post = make_post(writing, "published")
    # when
    writing.client("admin").patch(post_url(post.slug), {"body": '<img src=x onerror="alert(1)">'}, format="json")
    # then
    with tenant_context(writing.tenant):
        assert BlogPost.objects.get(pk=post.pk).body == '<img src="x">'
