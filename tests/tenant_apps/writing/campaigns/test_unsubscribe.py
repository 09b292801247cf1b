"""The unsubscribe link: works without login, once or many times, and only for its own address
and site; a forged or altered token answers 404 and changes nothing."""

from __future__ import annotations

from django.core import signing
from django_tenants.utils import tenant_context

from tenant_apps.writing.campaigns.models import MarketingOptOut
from tenant_apps.writing.campaigns.tokens import SALT, unsubscribe_token
from tests.tenant_apps.writing.campaigns.conftest import error_code
from tests.tenant_apps.writing.conftest import Writing


def _path(writing: Writing, email: str) -> str:
    with tenant_context(writing.tenant):
        return f"/api/v1/unsubscribe/{unsubscribe_token(email)}/"


def test_get_tells_what_the_link_does_and_changes_nothing(writing: Writing) -> None:
    # when
    response = writing.client(None).get(_path(writing, writing.cleo.email))
    # then: the address masked, still subscribed
    assert response.status_code == 200, response.content
    assert response.json()["email"] == "c***@golf.test"
    assert response.json()["subscribed"] is True
    with tenant_context(writing.tenant):
        assert not MarketingOptOut.objects.exists()


def test_posting_twice_unsubscribes_once(writing: Writing) -> None:
    # given
    path = _path(writing, writing.cleo.email)
    # when
    first = writing.client(None).post(path, {}, format="json")
    second = writing.client(None).post(path)
    # then
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["subscribed"] is False
    with tenant_context(writing.tenant):
        row = MarketingOptOut.objects.get()
        assert (row.email, row.user_id, row.source) == (writing.cleo.email, writing.cleo.pk, "link")


def test_a_signed_in_stranger_and_a_bad_bearer_token_do_not_matter(writing: Writing) -> None:
    # given: the link is followed by someone else signed in, and by a client with a junk token
    path = _path(writing, writing.cleo.email)
    junk = writing.client(None)
    junk.credentials(HTTP_AUTHORIZATION="Bearer junk")
    # when
    as_carl = writing.client("carl").post(path)
    as_junk = junk.get(path)
    # then: the link's address is unsubscribed, not carl's
    assert (as_carl.status_code, as_junk.status_code) == (200, 200)
    assert writing.client("carl").get("/api/v1/marketing-preference/").json() == {"subscribed": True}
    assert writing.client("cleo").get("/api/v1/marketing-preference/").json() == {"subscribed": False}


def test_altered_forged_and_other_purpose_tokens_answer_404(writing: Writing) -> None:
    # given
    good = _path(writing, writing.cleo.email).split("/")[-2]
    with tenant_context(writing.tenant):
        from saas.db.tenant import current_tenant_uuid

        other_salt = signing.dumps({"t": current_tenant_uuid(), "e": writing.carl.email}, salt="another.purpose")
        no_site = signing.dumps({"e": writing.carl.email}, salt=SALT)
        not_a_dict = signing.dumps("carl@golf.test", salt=SALT)
    altered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    # when / then
    for token in (altered, other_salt, no_site, not_a_dict, "nonsense", "a" * 300):
        for method in ("get", "post"):
            response = getattr(writing.client(None), method)(f"/api/v1/unsubscribe/{token}/")
            assert (response.status_code, error_code(response)) == (404, "not_found"), token
    with tenant_context(writing.tenant):
        assert not MarketingOptOut.objects.exists()
